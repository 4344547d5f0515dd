/**
 * Whether this database can use TimescaleDB, read from the catalogs before anything is
 * created: CREATE EXTENSION on a server that does not preload the library ends the
 * connection (a FATAL error), so it is only ever run when shared_preload_libraries
 * names it.
 */
import type { Config } from '../config.ts';
import type { Queryable } from './pool.ts';

export type TimescaleMode = Config['database']['timescale'];

/**
 * in-use: created in this database and preloaded. outdated: in use, but at an older
 * version than the server's files (a package upgraded without ALTER EXTENSION … UPDATE).
 * usable: preloaded, not created here yet. not-preloaded: the server has its files but
 * does not load it at start. absent: the server has no TimescaleDB. off:
 * database.timescale is off, nothing was looked at.
 */
export type TimescaleStatus = 'in-use' | 'outdated' | 'usable' | 'not-preloaded' | 'absent' | 'off';

export interface TimescaleState {
  readonly status: TimescaleStatus;
  /** The version created in this database, else the one the server would create; null when absent or off. */
  readonly version: string | null;
  /** Whether this database's tables are (or will be) hypertables: the timescale/ migrations apply. */
  readonly used: boolean;
  /** What was found and what to do about it, for the log and `hashwatt migrate`. */
  readonly summary: string;
}

/** The line that pins the pair known to work, repeated wherever the advice is to install it. */
const KNOWN_GOOD = 'TimescaleDB 2.28.x on PostgreSQL 15';
const PRELOAD = 'add timescaledb to shared_preload_libraries in postgresql.conf and restart PostgreSQL';

/** What the catalogs say: the server's default version, this database's, and whether the server preloads the library. */
export interface TimescaleFound {
  readonly defaultVersion: string | null;
  readonly installedVersion: string | null;
  readonly preloaded: boolean;
}

/** Whether a shared_preload_libraries value names the loader: by name, path or file. */
export function preloadsTimescale(setting: string): boolean {
  return setting
    .split(',')
    .some((library) => /^(?:.*\/)?timescaledb(?:\.so)?$/.test(library.trim().replace(/^"|"$/g, '')));
}

/**
 * shared_preload_libraries may be read only by superusers and pg_read_all_settings; for
 * other roles, the loader's own setting exists exactly when the library was preloaded.
 */
async function preloaded(db: Queryable): Promise<boolean> {
  try {
    const { rows } = await db.query<{ shared_preload_libraries: string }>('SHOW shared_preload_libraries');
    return preloadsTimescale(rows[0]?.shared_preload_libraries ?? '');
  } catch (error) {
    if ((error as { code?: string }).code !== '42501') {
      throw error;
    }
    const { rows } = await db.query<{ workers: string | null }>(
      "SELECT current_setting('timescaledb.max_background_workers', true) AS workers",
    );
    return (rows[0]?.workers ?? null) !== null;
  }
}

async function find(db: Queryable): Promise<TimescaleFound> {
  const { rows } = await db.query<{ default_version: string | null; installed_version: string | null }>(
    `SELECT (SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb') AS default_version,
            (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS installed_version`,
  );
  const row = rows[0];
  return {
    defaultVersion: row?.default_version ?? null,
    installedVersion: row?.installed_version ?? null,
    preloaded: await preloaded(db),
  };
}

export function timescaleStateOf(found: TimescaleFound): TimescaleState {
  if (
    found.installedVersion !== null &&
    found.preloaded &&
    found.defaultVersion !== null &&
    found.defaultVersion !== found.installedVersion
  ) {
    // Background jobs run the old version's procedures on the new library, and fail
    // (timescale/timescaledb#3496, #3536).
    return {
      status: 'outdated',
      version: found.installedVersion,
      used: true,
      summary: `TimescaleDB ${found.installedVersion} is in use in this database but the server has ${found.defaultVersion}, and background jobs fail on such a mix: run ALTER EXTENSION timescaledb UPDATE as the first statement of a new session (psql -X -d <database> -c 'ALTER EXTENSION timescaledb UPDATE')`,
    };
  }
  if (found.installedVersion !== null && found.preloaded) {
    return {
      status: 'in-use',
      version: found.installedVersion,
      used: true,
      summary: `TimescaleDB ${found.installedVersion} is in use in this database`,
    };
  }
  if (found.installedVersion !== null) {
    return {
      status: 'not-preloaded',
      version: found.installedVersion,
      used: true,
      summary: `TimescaleDB ${found.installedVersion} was created in this database but the server no longer preloads it, so its hypertables cannot be read: ${PRELOAD}`,
    };
  }
  if (found.defaultVersion === null) {
    return {
      status: 'absent',
      version: null,
      used: false,
      summary: `TimescaleDB is not installed on this server; plain tables and the pool's rollups serve. To use it, run ${KNOWN_GOOD}`,
    };
  }
  if (!found.preloaded) {
    return {
      status: 'not-preloaded',
      version: found.defaultVersion,
      used: false,
      summary: `TimescaleDB ${found.defaultVersion} is installed on the server but not preloaded, so it is not used (creating it would end the connection): ${PRELOAD}`,
    };
  }
  return {
    status: 'usable',
    version: found.defaultVersion,
    used: true,
    summary: `TimescaleDB ${found.defaultVersion} is preloaded, so this database uses it: the extension is created in it`,
  };
}

const OFF: TimescaleState = {
  status: 'off',
  version: null,
  used: false,
  summary:
    "database.timescale is off: TimescaleDB is not looked at; plain tables and the pool's rollups serve",
};

/** What the server and this database offer, read from the catalogs only; `off` reads nothing. */
export async function detectTimescale(db: Queryable, mode: TimescaleMode): Promise<TimescaleState> {
  return mode === 'off' ? OFF : timescaleStateOf(await find(db));
}

/**
 * Why this state cannot serve in this mode, or undefined when it can: `on` needs it
 * usable, and a database whose tables are already hypertables needs it preloaded in
 * any mode but off.
 */
export function timescaleRefusal(state: TimescaleState, mode: TimescaleMode): string | undefined {
  if (state.status === 'not-preloaded' && state.used) {
    return state.summary;
  }
  if (mode !== 'on' || state.used) {
    return undefined;
  }
  return state.status === 'absent'
    ? `database.timescale is on, but this server has no TimescaleDB: run ${KNOWN_GOOD}, or set database.timescale to auto`
    : `database.timescale is on, but TimescaleDB ${String(state.version)} is not preloaded: ${PRELOAD}`;
}

/** What a backup and a restore ask of the database itself, besides pg_dump and pg_restore. */
import pg from 'pg';

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // A server that goes away mid-query fails the query; the event would otherwise end the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface DatabaseFacts {
  readonly serverVersion: string;
  readonly serverMajor: number;
  /** The last migration applied; null for a database the pool never migrated. */
  readonly schemaMigration: { readonly version: number; readonly name: string } | null;
  /** Tables, views and sequences outside PostgreSQL's own schemas. */
  readonly relations: number;
}

/** The server's version, the schema's last migration, and whether anything is in it. */
export function databaseFacts(url: string): Promise<DatabaseFacts> {
  return withClient(url, async (client) => {
    const version = await client.query<{ server_version: string; server_version_num: string }>(
      "SELECT current_setting('server_version') AS server_version, current_setting('server_version_num') AS server_version_num",
    );
    const relations = await client.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'`,
    );
    const hasMigrations = await client.query<{ present: boolean }>(
      "SELECT to_regclass('public.schema_migrations') IS NOT NULL AS present",
    );
    let schemaMigration: DatabaseFacts['schemaMigration'] = null;
    if (hasMigrations.rows[0]?.present === true) {
      const last = await client.query<{ version: number; name: string }>(
        'SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1',
      );
      schemaMigration = last.rows[0] ?? null;
    }
    const row = version.rows[0];
    return {
      serverVersion: (row?.server_version ?? '').split(' ')[0] ?? '',
      // [PostgreSQL: server_version_num] 150020 is 15.20: the major is the number over 10000 since PostgreSQL 10.
      serverMajor: Math.floor(Number(row?.server_version_num ?? 0) / 10_000),
      schemaMigration,
      relations: Number(relations.rows[0]?.n ?? 0),
    };
  });
}

/**
 * The database at `url` dropped and made again, empty and owned by the user restoring:
 * from the server's template1, since a database cannot drop itself. A database others
 * are connected to (a pool still running) is refused by PostgreSQL, and that is the answer.
 */
export async function recreateDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (name === '' || name === 'template1' || name === 'template0') {
    throw new Error(`cannot recreate the database ${JSON.stringify(name)}: name a database of its own`);
  }
  const maintenance = new URL(url);
  maintenance.pathname = '/template1';
  await withClient(maintenance.toString(), async (client) => {
    const quoted = client.escapeIdentifier(name);
    await client.query(`DROP DATABASE IF EXISTS ${quoted}`);
    await client.query(`CREATE DATABASE ${quoted}`);
  });
}

/** Rows of the tables people check a restore by: each one's count, or null where the table is not there. */
export function rowCounts(url: string, tables: readonly string[]): Promise<Record<string, number | null>> {
  return withClient(url, async (client) => {
    const counts: Record<string, number | null> = {};
    for (const table of tables) {
      const present = await client.query<{ present: boolean }>(
        'SELECT to_regclass($1) IS NOT NULL AS present',
        [`public.${table}`],
      );
      if (present.rows[0]?.present !== true) {
        counts[table] = null;
        continue;
      }
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM ${client.escapeIdentifier(table)}`,
      );
      counts[table] = Number(rows[0]?.n ?? 0);
    }
    return counts;
  });
}

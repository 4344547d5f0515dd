import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { Database } from './pool.ts';
import { detectTimescale, timescaleRefusal, type TimescaleMode, type TimescaleState } from './timescale.ts';

export interface MigrationReport {
  readonly applied: readonly string[];
  /** TimescaleDB is used and its migrations are in place. */
  readonly timescale: boolean;
  /** What was found of TimescaleDB, and what to do about it. */
  readonly timescaleState: TimescaleState;
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/** Serializes migrations across processes (several Stratum processes start at once). */
export const MIGRATION_LOCK_KEY = 0x48_57_4d_49; // 'HWMI'

interface Migration {
  readonly version: number;
  readonly name: string;
  readonly kind: 'schema' | 'timescale';
  readonly sql: string;
  readonly checksum: string;
}

async function migrationsIn(
  folder: 'migrations' | 'timescale',
  kind: Migration['kind'],
): Promise<Migration[]> {
  const directory = new URL(`./${folder}/`, import.meta.url);
  const files = (await readdir(directory)).filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(new URL(file, directory), 'utf8');
      return {
        version: Number(file.slice(0, 4)) + (kind === 'timescale' ? 10_000 : 0),
        name: file,
        kind,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    }),
  );
}

/** Errors of the connection itself (class 08) or of the server ending it (class 57P, as pg_terminate_backend). */
function connectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P'))) ||
    (error instanceof Error && /Connection terminated|not queryable|ECONNRESET/.test(error.message))
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Applies the numbered SQL files of migrations/ in order, each in its own transaction,
 * and records them; re-running applies nothing twice. TimescaleDB is looked at first
 * (timescale.ts): when it is used, the extension is created before the schema and the
 * files of timescale/ follow it; `on` refuses before anything is applied when it cannot
 * be used. A file changed after it was applied is an error: a migration is never
 * edited, a new one is added. Every failure is a MigrationError saying what to do.
 */
export async function migrate(
  db: Database,
  { timescale: mode = 'auto' }: { readonly timescale?: TimescaleMode } = {},
): Promise<MigrationReport> {
  const client = await db.connect().catch((error: unknown) => {
    throw new MigrationError(`cannot connect to the database: ${messageOf(error)}`, { cause: error });
  });
  // The server ending the connection between queries fails the next one as merely "not
  // queryable"; the connection's own error says what happened.
  let lost: Error | undefined;
  const onLost = (error: Error): void => {
    lost ??= error;
  };
  client.on('error', onLost);
  const applied: string[] = [];
  let step = 'taking the migration lock';
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    step = 'reading schema_migrations';
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      kind text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Map(
      (
        await client.query<{ version: number; checksum: string }>(
          'SELECT version, checksum FROM schema_migrations',
        )
      ).rows.map((row) => [row.version, row.checksum]),
    );
    step = 'looking for TimescaleDB';
    const timescaleState = await detectTimescale(client, mode);
    const refusal = timescaleRefusal(timescaleState, mode);
    if (refusal !== undefined) {
      throw new MigrationError(refusal);
    }
    if (timescaleState.status === 'usable') {
      step = 'creating the timescaledb extension';
      await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    }
    const run = async (migration: Migration): Promise<void> => {
      const checksum = done.get(migration.version);
      if (checksum === migration.checksum) {
        return;
      }
      if (checksum !== undefined) {
        throw new MigrationError(
          `${migration.name} was changed after it was applied; add a new migration instead`,
        );
      }
      step = `applying ${migration.name}`;
      try {
        await client.query('BEGIN');
        await client.query(migration.sql);
        await client.query(
          'INSERT INTO schema_migrations (version, name, kind, checksum) VALUES ($1, $2, $3, $4)',
          [migration.version, migration.name, migration.kind, migration.checksum],
        );
        await client.query('COMMIT');
      } catch (error) {
        // A connection the server ended cannot roll back (the server did).
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      applied.push(migration.name);
    };
    for (const migration of await migrationsIn('migrations', 'schema')) {
      await run(migration);
    }
    if (timescaleState.used) {
      for (const migration of await migrationsIn('timescale', 'timescale')) {
        await run(migration);
      }
    }
    return { applied, timescale: timescaleState.used, timescaleState };
  } catch (error) {
    if (error instanceof MigrationError) {
      throw error;
    }
    const kept = applied.length > 0 ? `${applied.join(', ')} applied and kept` : 'nothing applied';
    if (lost !== undefined || connectionLost(error)) {
      throw new MigrationError(
        `the database ended the connection while ${step} (${messageOf(lost ?? error)}); ${kept}: run the migration again`,
        { cause: error },
      );
    }
    throw new MigrationError(`${step} failed: ${messageOf(error)}; ${kept}`, { cause: error });
  } finally {
    client.off('error', onLost);
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    // A lost connection goes, never back to the pool.
    client.release(lost);
  }
}

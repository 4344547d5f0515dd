import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { Database } from './pool.ts';

export interface MigrationReport {
  readonly applied: readonly string[];
  /** TimescaleDB was available and its migrations are in place. */
  readonly timescale: boolean;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** Serializes migrations across processes (several Stratum processes start at once). */
const LOCK_KEY = 0x48_57_4d_49; // 'HWMI'

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

/**
 * Applies the numbered SQL files of migrations/ in order, each in its own transaction,
 * and records them; re-running applies nothing twice. When the timescaledb extension
 * can be created, the files of timescale/ follow. A file changed after it was applied
 * is an error: a migration is never edited, a new one is added.
 */
export async function migrate(db: Database): Promise<MigrationReport> {
  const client = await db.connect();
  // The server ending the connection between queries fails the next one as merely "not
  // queryable"; the connection's own error says what happened.
  let lost: Error | undefined;
  const onLost = (error: Error): void => {
    lost ??= error;
  };
  client.on('error', onLost);
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
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
      try {
        await client.query('BEGIN');
        await client.query(migration.sql);
        await client.query(
          'INSERT INTO schema_migrations (version, name, kind, checksum) VALUES ($1, $2, $3, $4)',
          [migration.version, migration.name, migration.kind, migration.checksum],
        );
        await client.query('COMMIT');
      } catch (error) {
        // A connection the server ended cannot roll back (the server did): its error is the one to report.
        await client.query('ROLLBACK').catch(() => undefined);
        throw new MigrationError(
          `${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      applied.push(migration.name);
    };
    for (const migration of await migrationsIn('migrations', 'schema')) {
      await run(migration);
    }
    const timescale = await enableTimescale(client);
    if (timescale) {
      for (const migration of await migrationsIn('timescale', 'timescale')) {
        await run(migration);
      }
    }
    return { applied, timescale };
  } catch (error) {
    if (lost) {
      throw new MigrationError(
        `the database ended the connection (${lost.message}); what was applied is kept, run the migration again`,
      );
    }
    throw error;
  } finally {
    client.off('error', onLost);
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}

async function enableTimescale(client: { query: Database['query'] }): Promise<boolean> {
  const available = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'");
  if (available.rowCount === 0) {
    return false;
  }
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    return true;
  } catch {
    // Listed but not loadable (shared_preload_libraries): the plain path serves.
    return false;
  }
}

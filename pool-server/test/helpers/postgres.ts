/**
 * PostgreSQL for tests and benchmarks, without vitest: the server (DATABASE_URL, or an
 * embedded one started here) and throwaway databases on it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.ts';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

export interface PostgresServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** DATABASE_URL when it is set, otherwise an embedded server in a temporary folder. */
export async function postgresServer(given = process.env.DATABASE_URL): Promise<PostgresServer> {
  if (given !== undefined && given !== '') {
    return { url: given, stop: () => Promise.resolve() };
  }
  const directory = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-pg-'));
  const server = await startEmbeddedPostgres(path.join(directory, 'data'));
  return {
    url: server.url,
    async stop() {
      await server.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export interface ScratchDatabase {
  readonly url: string;
  readonly db: Database;
  drop(): Promise<void>;
}

/** A database of its own on `serverUrl`, migrated unless asked not to be; drop() removes it. */
export async function scratchDatabase(
  serverUrl: string,
  prefix: string,
  { migrated = true } = {},
): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  const db = createDatabase(url, () => undefined);
  if (migrated) {
    await migrate(db);
  }
  return {
    url,
    db,
    async drop() {
      await db.end();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

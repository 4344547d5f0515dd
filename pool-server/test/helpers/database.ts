/**
 * A database of its own for one test file, on the server global-setup.ts provides,
 * migrated unless asked not to be; dropped when the file is done.
 */
import { inject } from 'vitest';
import type { Database } from '../../src/db/pool.ts';
import { scratchDatabase, type ScratchDatabase } from './postgres.ts';

export type TestDatabase = ScratchDatabase;

const TIMESCALE_URL: string | undefined = process.env.TIMESCALE_URL?.trim()
  ? process.env.TIMESCALE_URL
  : undefined;

export interface StorageServer {
  /** Its name in the test titles, saying why it is skipped when it is. */
  readonly server: string;
  readonly skip: boolean;
  readonly url: () => string;
}

/**
 * The servers the storage tests run on: global-setup's PostgreSQL, and TimescaleDB when
 * TIMESCALE_URL names a server (none can be installed on CI's machine).
 */
export const STORAGE_SERVERS: readonly StorageServer[] = [
  { server: 'PostgreSQL', skip: false, url: () => inject('databaseUrl') },
  {
    server:
      TIMESCALE_URL === undefined
        ? 'TimescaleDB (skipped: TIMESCALE_URL is not set)'
        : 'TimescaleDB (TIMESCALE_URL)',
    skip: TIMESCALE_URL === undefined,
    url: () => TIMESCALE_URL ?? '',
  },
];

/**
 * `migrated: false` leaves it empty, for tests of the migrations themselves; `serverUrl`
 * puts it on another server than global-setup's (TIMESCALE_URL).
 */
export function createTestDatabase(
  options: { migrated?: boolean; serverUrl?: string } = {},
): Promise<TestDatabase> {
  return scratchDatabase(options.serverUrl ?? inject('databaseUrl'), 'hashwatt_test', options);
}

/** The rows in one of the pool's tables: a name written in the test, never from input. */
export async function countRows(db: Database, table: string): Promise<number> {
  if (!/^[a-z_]+$/.test(table)) {
    throw new Error(`countRows: ${table} is not a table name`);
  }
  const { rows } = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
  return Number(rows[0]?.n ?? 0);
}

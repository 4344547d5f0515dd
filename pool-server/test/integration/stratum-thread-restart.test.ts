/**
 * The Stratum thread dying is not the pool dying: its host starts a new thread on the same
 * port, miners reconnect there, and the shares the dead thread acknowledged but had not
 * stored are stored from its journal by the new one, each once.
 */
import { Session } from 'node:inspector/promises';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/pool.ts';
import { eventually } from '../helpers/eventually.ts';
import { MINER_ADDRESS, startTestPool, type TestPool } from '../helpers/pool.ts';
import { StratumClient } from '../helpers/stratum-client.ts';

const WORKER = `${MINER_ADDRESS}.rig1`;
const SHARES_BEFORE = 2;
const SHARES_AFTER = 3;
/**
 * A batch is sealed a minute after the thread starts or once it holds SHARES_AFTER shares
 * and the record of the worker's connection (its protocol, which counts toward a batch's
 * size as shares and rejects do): the shares mined before the death are acknowledged and
 * in the journal, not yet stored, and the ones mined after it are stored as soon as the
 * last is acknowledged.
 */
const SETTINGS = {
  HASHWATT_LEDGER_FLUSH_INTERVAL_MS: '60000',
  HASHWATT_LEDGER_MAX_BATCH_SHARES: String(SHARES_AFTER + 1),
};
const CRASH = 'the test threw this in the Stratum thread';

/**
 * Throws an uncaught error in the Stratum thread, as a bug there would, through the
 * inspector (what DevTools attached to the process can do too): the pool has no hook for it.
 * Resolves once the thread has taken the throw on its loop.
 */
async function crashStratumThread(): Promise<void> {
  const session = new Session();
  session.connect();
  try {
    const attached = new Promise<string>((resolve) => {
      session.on('NodeWorker.attachedToWorker', ({ params }) => {
        // Node titles a worker "[worker <id>] <name>"; the pool names its Stratum thread 'stratum'.
        if (params.workerInfo.title.endsWith(' stratum')) {
          resolve(params.sessionId);
        }
      });
    });
    const evaluated = new Promise<void>((resolve) => {
      session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
        if ((JSON.parse(params.message) as { id?: number }).id === 1) {
          resolve();
        }
      });
    });
    await session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
    const sessionId = await attached;
    const expression = `setImmediate(() => { throw new Error(${JSON.stringify(CRASH)}); })`;
    await session.post('NodeWorker.sendMessageToWorker', {
      sessionId,
      message: JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression } }),
    });
    await evaluated;
  } finally {
    session.disconnect();
  }
}

/** The pool's log lines, parsed. */
function logLines(): { readonly log: pino.Logger; readonly lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

async function storedShares(db: Database): Promise<number> {
  const { rows } = await db.query<{ shares: number }>('SELECT count(*)::int AS shares FROM shares');
  return rows[0]?.shares ?? 0;
}

/** Mines `count` shares on `port` and says how many the pool acknowledged. */
async function mine(port: number, count: number): Promise<{ miner: StratumClient; acknowledged: number }> {
  const miner = await StratumClient.connect(port);
  await miner.subscribeAndAuthorize(WORKER);
  let acknowledged = 0;
  for (let share = 0; share < count; share++) {
    if ((await miner.mineAndSubmit(WORKER)).result === true) {
      acknowledged++;
    }
  }
  return { miner, acknowledged };
}

describe('the Stratum thread, when it dies', () => {
  let pool: TestPool | undefined;
  afterEach(async () => {
    await pool?.stop();
    pool = undefined;
  });

  it('is started again on its port, and what it acknowledged is stored once', async () => {
    const { log, lines } = logLines();
    pool = await startTestPool(SETTINGS, log);
    const { db, stratumPort } = pool;
    const ready = (): number => lines.filter((line) => line.msg === 'pool: ready for miners').length;
    expect(ready()).toBe(1);

    const before = await mine(stratumPort, SHARES_BEFORE);
    expect(before.acknowledged).toBe(SHARES_BEFORE);
    // Acknowledged, so in the journal; not yet in the database.
    expect(await storedShares(db)).toBe(0);

    await crashStratumThread();
    await before.miner.waitForClose();
    await eventually(() => (ready() === 2 ? true : undefined), 'the new Stratum thread ready for miners');
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'pool: the Stratum thread failed', level: 50 }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'pool: the Stratum thread died; starting it again',
        problem: CRASH,
        level: 50,
      }),
    );
    // The new thread stored the dead one's journal before it took miners.
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'ledger: storing share batches an earlier run journalled',
        batches: 1,
      }),
    );
    expect(await storedShares(db)).toBe(SHARES_BEFORE);

    // The same port, which the miner was configured with.
    const after = await mine(stratumPort, SHARES_AFTER);
    expect(after.acknowledged).toBe(SHARES_AFTER);
    after.miner.close();

    // SHARES_AFTER shares fill a batch, sealed and stored at once.
    const total = SHARES_BEFORE + SHARES_AFTER;
    await eventually(
      async () => ((await storedShares(db)) >= total ? true : undefined),
      'every share stored',
    );
    expect(await storedShares(db)).toBe(total);
    const { rows: batches } = await db.query<{ shareCount: number; shares: number }>(
      `SELECT b.share_count AS "shareCount", count(s.batch_id)::int AS shares
         FROM share_batches b LEFT JOIN shares s ON s.batch_id = b.id
        GROUP BY b.id, b.share_count
        ORDER BY min(b.stored_at)`,
    );
    expect(batches).toEqual([
      { shareCount: SHARES_BEFORE, shares: SHARES_BEFORE },
      { shareCount: SHARES_AFTER, shares: SHARES_AFTER },
    ]);
  });
});

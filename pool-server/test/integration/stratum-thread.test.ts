/**
 * The Stratum role in its own worker thread (stratum.thread, the default), in the whole
 * pool started in-process on the devchain and a real PostgreSQL: it answers miners
 * while the host thread is held, its shares and found blocks reach the books through
 * the host, its log is the pool's log, and its vitals say how its loop and its blocks fare.
 * A Stratum node that publishes to NATS (the machine's server with JetStream on
 * 127.0.0.1:4222, a stream of this test's own) runs on its thread too.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { MINER_ADDRESS, startTestPool, type TestPool } from '../helpers/pool.ts';
import { StratumClient } from '../helpers/stratum-client.ts';

const WORKER = `${MINER_ADDRESS}.rig1`;
/** Network difficulty equal to the share difficulty: every share is a block. */
const EVERY_SHARE_A_BLOCK = { HASHWATT_DEVCHAIN_DIFFICULTY: '0.000001' };
/** How long a held host waits for the miner's answer: only a hang takes this long. */
const HANG_MS = 60_000;

/**
 * A miner in a thread of its own subscribes and authorizes on `port` while this thread
 * is held in Atomics.wait, which nothing on this thread's event loop can end: 'answered'
 * only if the pool answered without this thread.
 */
function minerAnswersWhileHostIsHeld(port: number, holdMs: number): 'answered' | 'refused' | 'no answer' {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const miner = new Worker(
    `
    const { workerData } = require('node:worker_threads');
    const net = require('node:net');
    const flag = new Int32Array(workerData.flag);
    const settle = (value) => { Atomics.store(flag, 0, value); Atomics.notify(flag, 0); socket.destroy(); };
    const socket = net.connect(workerData.port, '127.0.0.1', () => {
      socket.write(JSON.stringify({ id: 1, method: 'mining.subscribe', params: ['held-host/1.0'] }) + '\\n');
      socket.write(JSON.stringify({ id: 2, method: 'mining.authorize', params: [workerData.worker, 'x'] }) + '\\n');
    });
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\\n');
      buffered = lines.pop();
      for (const line of lines) {
        const message = JSON.parse(line);
        if (message.id === 2) settle(message.result === true ? 1 : 2);
      }
    });
    socket.on('error', () => settle(2));
    `,
    { eval: true, workerData: { flag: flag.buffer, port, worker: WORKER } },
  );
  const waited = Atomics.wait(flag, 0, 0, holdMs);
  void miner.terminate();
  if (waited === 'timed-out') {
    return 'no answer';
  }
  return Atomics.load(flag, 0) === 1 ? 'answered' : 'refused';
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

describe('the Stratum thread', () => {
  let pool: TestPool | undefined;
  afterEach(async () => {
    await pool?.stop();
    pool = undefined;
  });

  it('answers miners while the host thread is held', async () => {
    pool = await startTestPool();
    expect(minerAnswersWhileHostIsHeld(pool.stratumPort, HANG_MS)).toBe('answered');
  });

  it('with NATS: answers miners while the host thread is held, and publishes their shares to the writer', async () => {
    const stream = `HASHWATT_THREAD_TEST_${randomUUID().slice(0, 8)}`;
    pool = await startTestPool({
      HASHWATT_NATS_URL: 'nats://127.0.0.1:4222',
      HASHWATT_NATS_STREAM: stream,
      HASHWATT_NATS_SUBJECT_PREFIX: `hashwatt.thread-test.${stream.toLowerCase()}`,
    });
    const started = pool;
    try {
      expect(minerAnswersWhileHostIsHeld(started.stratumPort, HANG_MS)).toBe('answered');
      const miner = await StratumClient.connect(started.stratumPort);
      await miner.subscribeAndAuthorize(WORKER);
      expect((await miner.mineAndSubmit(WORKER)).result).toBe(true);
      miner.close();
      // Through the stream: the thread published the batch, this process's writer stored it.
      await eventually(async () => {
        const { rows } = await started.db.query<{ shares: string }>(
          'SELECT coalesce(sum(share_count), 0)::text AS shares FROM share_batches',
        );
        return Number(rows[0]?.shares) >= 1 ? true : undefined;
      }, 'the share stored through NATS');
    } finally {
      await started.stop();
      pool = undefined;
      // The stream and the node ids' bucket the node made on the machine's server go with the test.
      const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
      const streams = (await jetstreamManager(nc)).streams;
      await Promise.all([streams.delete(stream), streams.delete(`KV_${stream}_NODES`)]);
      await nc.close();
    }
  });

  it('on the host thread instead (stratum.thread false), a held host holds the miners too', async () => {
    pool = await startTestPool({ HASHWATT_STRATUM_THREAD: 'false' });
    // Nothing can answer while this thread is held: the wait runs out whatever its length.
    expect(minerAnswersWhileHostIsHeld(pool.stratumPort, 2_000)).toBe('no answer');
  });

  it("stores its shares and found block through the host, logs through the pool's log, and times the block", async () => {
    const { log, lines } = logLines();
    pool = await startTestPool(EVERY_SHARE_A_BLOCK, log);
    const started = pool;
    const miner = await StratumClient.connect(started.stratumPort);
    await miner.subscribeAndAuthorize(WORKER);
    expect((await miner.mineAndSubmit(WORKER)).result).toBe(true);
    miner.close();
    const block = await eventually(async () => {
      const { rows } = await started.db.query<{ hash: string; status: string }>(
        'SELECT hash, status FROM blocks',
      );
      return rows[0];
    }, 'the block in the books');
    const stored = await started.db.query<{ shares: string }>(
      'SELECT coalesce(sum(share_count), 0)::text AS shares FROM share_batches',
    );
    expect(Number(stored.rows[0]?.shares)).toBeGreaterThanOrEqual(1);
    // The thread's own lines, written by the host's logger at their level.
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'pool: ready for miners', level: 30 }));
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'chain: block sent to the node', hash: block.hash, level: 30 }),
    );
    const vitals = await eventually(async () => {
      const taken = await started.stratumVitals();
      return taken && taken.blockSubmitMs.length > 0 ? taken : undefined;
    }, "the block's submit in the vitals");
    expect(vitals.blockSubmitMs).toHaveLength(1);
    expect(vitals.blockSubmitMs[0]).toBeGreaterThan(0);
    expect(vitals.loopDelayP99Ms).toBeGreaterThan(0);
    expect(vitals.storedBatches).toBeGreaterThanOrEqual(1);
    expect(vitals.storeRoundTripP99Ms).toBeGreaterThan(0);
    // Taken: the next vitals start again.
    const next = await started.stratumVitals();
    expect(next?.blockSubmitMs).toEqual([]);
  });

  it('lets a named account registered through the pool mine at once', async () => {
    pool = await startTestPool();
    await pool.registerAccount('farm-one');
    const miner = await StratumClient.connect(pool.stratumPort);
    await miner.subscribeAndAuthorize('farm-one.rig7');
    expect((await miner.mineAndSubmit('farm-one.rig7')).result).toBe(true);
    miner.close();
  });
});

/**
 * Starts: the local NATS server with JetStream (127.0.0.1:4222; a stream of this test's
 * own, removed after), a real PostgreSQL database. Two Stratum nodes publish share
 * batches, some twice; a writer stores them, is stopped halfway, and another takes
 * over the same durable consumer: every batch is stored exactly once.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeShares, ensureShareStream, JetStreamShareSink } from '../../src/ledger/share-stream.ts';
import { ShareStore, type ShareBatch } from '../../src/ledger/share-store.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { MINER_ADDRESS } from '../helpers/pool.ts';
import { ORDINARY_SHARE } from '../helpers/share-writer.ts';

const BATCHES_PER_NODE = 20;
const SHARES_PER_BATCH = 5;

function batchOf(nodeId: number, index: number): ShareBatch {
  return {
    id: randomUUID(),
    nodeId,
    shares: Array.from({ length: SHARES_PER_BATCH }, (_, share) => ({
      timeMs: Date.UTC(2026, 10, 26, 0, index, share),
      account: MINER_ADDRESS,
      worker: `${MINER_ADDRESS}.node${String(nodeId)}`,
      payoutAddress: MINER_ADDRESS,
      difficulty: 1_000,
      achieved: 2_000,
      ...ORDINARY_SHARE,
    })),
    rejects: [],
  };
}

describe('shares through JetStream, from two Stratum nodes to the writers', () => {
  let nc: NatsConnection;
  let database: TestDatabase;
  const suffix = randomUUID().slice(0, 8);
  const settings = {
    stream: `HASHWATT_SHARES_TEST_${suffix}`,
    subjectPrefix: `hashwatt.test.${suffix}.shares`,
    duplicateWindowSeconds: 120,
    durable: 'writers',
  };
  const log = pino({ level: 'silent' });

  beforeAll(async () => {
    nc = await connect({ servers: '127.0.0.1:4222' });
    database = await createTestDatabase();
    await ensureShareStream(nc, settings);
  });

  afterAll(async () => {
    await (await jetstreamManager(nc)).streams.delete(settings.stream);
    await nc.close();
    await database.drop();
  });

  const count = async (table: 'shares' | 'share_batches'): Promise<number> =>
    Number(
      (await database.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`)).rows[0]?.n ?? 0,
    );

  it('stores every batch once: duplicates published, a writer stopped halfway and replaced', async () => {
    const nodes = [new JetStreamShareSink(nc, settings, 1), new JetStreamShareSink(nc, settings, 2)];
    const batches = nodes.flatMap((_, node) =>
      Array.from({ length: BATCHES_PER_NODE }, (__, index) => batchOf(node + 1, index)),
    );
    const outcomes: string[] = [];
    for (const [index, batch] of batches.entries()) {
      outcomes.push((await (nodes[batch.nodeId - 1] ?? nodes[0])?.store(batch)) ?? 'missing');
      // A node that did not hear the first acknowledgement publishes again: JetStream knows the id.
      if (index % 4 === 0) {
        outcomes.push((await (nodes[batch.nodeId - 1] ?? nodes[0])?.store(batch)) ?? 'missing');
      }
    }
    expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(batches.length / 4);

    const store = new ShareStore(database.db);
    const first = await consumeShares(nc, settings, store, log);
    for (let tries = 0; tries < 100 && (await count('share_batches')) < batches.length / 2; tries += 1) {
      await sleep(20);
    }
    await first.stop();
    const second = await consumeShares(nc, settings, store, log);
    for (let tries = 0; tries < 250 && (await count('share_batches')) < batches.length; tries += 1) {
      await sleep(20);
    }
    await second.stop();
    expect(await count('share_batches')).toBe(batches.length);
    expect(await count('shares')).toBe(batches.length * SHARES_PER_BATCH);
  }, 60_000);

  it('stores a batch delivered to a writer twice only once', async () => {
    const store = new ShareStore(database.db);
    const batch = batchOf(3, 0);
    const before = await count('shares');
    expect(await store.store(batch)).toBe('stored');
    expect(await store.store(batch)).toBe('duplicate');
    expect(await count('shares')).toBe(before + SHARES_PER_BATCH);
  });
});

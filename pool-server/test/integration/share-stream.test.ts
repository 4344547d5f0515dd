/**
 * Starts: the local NATS server with JetStream (127.0.0.1:4222; a stream of this test's
 * own, removed after), a real PostgreSQL database. Two Stratum nodes publish share
 * batches, some twice; a writer stores them, is stopped halfway, and another takes over
 * the same durable consumer: every batch is stored exactly once. A block that arrives
 * before the batch holding its share waits for it; a message that is not ours is
 * dropped with an error and the rest goes on.
 */
import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockOutcome } from '../../src/chain/block-submitter.ts';
import { BlockLedger } from '../../src/ledger/blocks/block-ledger.ts';
import {
  consumeLedger,
  LedgerBus,
  LedgerPublisher,
  retryDelay,
  writerHandlers,
  type NetworkFacts,
} from '../../src/ledger/share-stream.ts';
import { ShareStore, type ShareBatch, type ShareRecord } from '../../src/ledger/share-store.ts';
import { countRows, createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { eventually } from '../helpers/eventually.ts';
import { MINER_ADDRESS } from '../helpers/pool.ts';
import { ORDINARY_SHARE } from '../helpers/share-writer.ts';

const BATCHES_PER_NODE = 20;
const SHARES_PER_BATCH = 5;
const NETWORK_DIFFICULTY = 1_000;

function batchOf(nodeId: number, index: number, account = MINER_ADDRESS): ShareBatch {
  return {
    id: randomUUID(),
    nodeId,
    shares: Array.from({ length: SHARES_PER_BATCH }, (_, share) => ({
      timeMs: Date.UTC(2026, 10, 26, 0, index, share),
      account,
      worker: `${account}.node${String(nodeId)}`,
      payoutAddress: account,
      difficulty: 100,
      achieved: 200,
      ...ORDINARY_SHARE,
    })),
    rejects: [{ timeMs: Date.UTC(2026, 10, 26, 0, index, 30), account, worker: 'w', stale: true }],
  };
}

function blockFoundBy(account: string, hash: string): BlockOutcome {
  return {
    hash,
    height: 900_001,
    reward: 312_500_000n,
    fees: 0n,
    networkDifficulty: NETWORK_DIFFICULTY,
    finder: { account, worker: `${account}.node1` },
    solo: false,
    foundAtMs: Date.UTC(2026, 10, 26, 1),
    status: 'accepted',
    detail: '',
  };
}

describe('the ledger stream, from two Stratum nodes to the writers', () => {
  let database: TestDatabase;
  let bus: LedgerBus;
  const suffix = randomUUID().slice(0, 8);
  const settings = {
    url: 'nats://127.0.0.1:4222',
    name: 'share-stream-test',
    stream: `HASHWATT_LEDGER_TEST_${suffix}`,
    subjectPrefix: `hashwatt.test.${suffix}`,
    duplicateWindowSeconds: 120,
  };
  const log = pino({ level: 'silent' });
  const networkSeen: NetworkFacts[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    bus = new LedgerBus(settings, log);
    await bus.ready();
  });

  afterAll(async () => {
    const nc = await bus.ready();
    await (await jetstreamManager(nc)).streams.delete(settings.stream);
    await bus.close();
    await database.drop();
  });

  const count = (table: 'shares' | 'share_batches' | 'blocks'): Promise<number> =>
    countRows(database.db, table);

  const reaches = (table: 'share_batches' | 'blocks', atLeast: number): Promise<true> =>
    eventually(
      async () => ((await count(table)) >= atLeast ? true : undefined),
      `${String(atLeast)} rows in ${table}`,
    );

  const handlers = () =>
    writerHandlers(
      database.db,
      new ShareStore(database.db),
      new BlockLedger(database.db, { scheme: 'pplns', feeBasisPoints: 100, pplnsWindowFactor: 2 }, log),
      (facts) => {
        networkSeen.push(facts);
        return Promise.resolve();
      },
      log,
    );

  it('stores every batch once: duplicates published, a writer stopped halfway and replaced', async () => {
    const outcomes: string[] = [];
    const publish = async (node: LedgerPublisher, batches: readonly ShareBatch[]): Promise<void> => {
      for (const [index, batch] of batches.entries()) {
        outcomes.push(await node.store(batch));
        // A node that did not hear the first acknowledgement publishes again: JetStream knows the id.
        if (index % 4 === 0) {
          outcomes.push(await node.store(batch));
        }
      }
    };
    const fromNode = (nodeId: number): ShareBatch[] =>
      Array.from({ length: BATCHES_PER_NODE }, (_, index) => batchOf(nodeId, index));
    const nodeOne = new LedgerPublisher(bus, 1);
    await publish(nodeOne, fromNode(1));
    await nodeOne.network({ height: 900_000, difficulty: 1e14, feesSats: 12_345, atMs: 1 });

    const first = await consumeLedger(bus, 'writers', handlers(), log);
    await reaches('share_batches', BATCHES_PER_NODE);
    await first.stop();
    // Published once the first writer has stopped: only the second one can store them.
    await publish(new LedgerPublisher(bus, 2), fromNode(2));
    const second = await consumeLedger(bus, 'writers', handlers(), log);
    await reaches('share_batches', 2 * BATCHES_PER_NODE);
    await second.stop();
    expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength((2 * BATCHES_PER_NODE) / 4);
    expect(await count('shares')).toBe(2 * BATCHES_PER_NODE * SHARES_PER_BATCH);
    expect(networkSeen).toEqual([{ height: 900_000, difficulty: 1e14, feesSats: 12_345, atMs: 1 }]);
  });

  it('records a block only after the batch with its share, and once, whatever order they arrive in', async () => {
    const finder = 'bcrt1qfinder';
    const node = new LedgerPublisher(bus, 1);
    const batch = batchOf(1, 59, finder);
    const block = blockFoundBy(finder, 'cd'.repeat(32));
    // The block overtakes its batch, as when the batch was sent back for a retry.
    await node.block(block, batch.id);
    await node.block(block, batch.id);
    const writer = await consumeLedger(bus, 'writers', handlers(), log);
    try {
      // A batch published after the block is stored: the writer runs, and the block still waits.
      const storedBefore = await count('share_batches');
      await node.store(batchOf(1, 58));
      await reaches('share_batches', storedBefore + 1);
      expect(await count('blocks')).toBe(0);
      await node.store(batch);
      await reaches('blocks', 1);
    } finally {
      await writer.stop();
    }
    // The window (2 x 1,000) holds this finder's 500 of difficulty: it is credited.
    const { rows } = await database.db.query<{ amount: string }>(
      `SELECT b.amount::text AS amount FROM balances b JOIN accounts a ON b.book = 'immature:' || a.id
        WHERE a.name = $1`,
      [finder],
    );
    expect(BigInt(rows[0]?.amount ?? '0')).toBeGreaterThan(0n);
    // Delivered again after the duplicate window (a writer died before its ack): still once.
    expect(await handlers().block(block, batch.id, 1)).toBe('recorded');
    expect(await count('blocks')).toBe(1);
  });

  it('retries a message it cannot store a second later, then less and less often, at most each minute', () => {
    expect([1, 2, 3, 7, 8, 100].map(retryDelay)).toEqual([1_000, 2_000, 4_000, 60_000, 60_000, 60_000]);
  });

  it("refuses a batch over the server's max_payload with a message saying so, for the journal to keep", async () => {
    const huge = batchOf(8, 0);
    const first = huge.shares.at(0) as ShareRecord;
    const shares = Array.from({ length: 5_000 }, () => ({ ...first, worker: 'w'.repeat(256) }));
    await expect(new LedgerPublisher(bus, 8).store({ ...huge, shares })).rejects.toThrow(
      /a batch of \d+ bytes is over the NATS server's max_payload of 1048576/,
    );
  });

  it('drops a message that is not ours with an error, and goes on with the rest', async () => {
    const nc = await bus.ready();
    const js = jetstream(nc);
    await js.publish(`${settings.subjectPrefix}.7.batch`, 'not json');
    await js.publish(`${settings.subjectPrefix}.7.batch`, JSON.stringify({ id: 'x', shares: 'many' }));
    await js.publish(`${settings.subjectPrefix}.7.block`, JSON.stringify({ block: { hash: 1 } }));
    await js.publish(`${settings.subjectPrefix}.7.other`, '{}');
    const good = batchOf(7, 0);
    await new LedgerPublisher(bus, 7).store(good);
    const before = await count('share_batches');
    const errors: string[] = [];
    const watching = pino(
      { level: 'error' },
      {
        write(line: string) {
          errors.push(line);
        },
      },
    );
    const writer = await consumeLedger(bus, 'writers', handlers(), watching);
    try {
      await reaches('share_batches', before + 1);
    } finally {
      await writer.stop();
    }
    expect(errors.filter((line) => line.includes('not a share batch'))).toHaveLength(4);
    const info = await (await jetstreamManager(nc)).streams.info(settings.stream);
    expect(info.state.messages).toBe(0);
  });
});

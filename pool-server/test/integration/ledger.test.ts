/**
 * Starts: a real PostgreSQL (one database per describe) and, for maturity and payouts,
 * the devchain node with its wallet over JSON-RPC.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BlockOutcome } from '../../src/chain/block-submitter.ts';
import type { DevNode } from '../../src/dev/devchain/node.ts';
import { BitcoinRpcClient } from '../../src/chain/rpc-client.ts';
import { withTransaction } from '../../src/db/transaction.ts';
import { BlockLedger } from '../../src/ledger/blocks/block-ledger.ts';
import { BlockMaturity } from '../../src/ledger/blocks/block-maturity.ts';
import { minerBook, post, reconcile } from '../../src/ledger/books.ts';
import { btc, Payouts } from '../../src/ledger/payouts.ts';
import { perShareCredits, shareValue, type PerShareScheme } from '../../src/ledger/schemes/pps.ts';
import { ShareStore, type ShareRecord } from '../../src/ledger/share-store.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestNode } from '../helpers/devnode.ts';

const log = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
const NETWORK_DIFFICULTY = 100;
/** More than any test's payouts: for intents written without asking the wallet. */
const ENOUGH = 10n ** 15n;

function share(account: string, difficulty: number, offsetMs: number, solo = false): ShareRecord {
  return {
    timeMs: T0 + offsetMs,
    account,
    worker: `${account}.rig`,
    payoutAddress: null,
    difficulty,
    achieved: difficulty,
    height: 500,
    block: false,
    solo,
    networkDifficulty: NETWORK_DIFFICULTY,
    subsidy: 312_500_000,
    fees: 10_000_000,
  };
}

function found(hash: string, overrides: Partial<BlockOutcome> = {}): BlockOutcome {
  return {
    height: 500,
    hash,
    reward: 322_500_000n,
    fees: 10_000_000n,
    networkDifficulty: NETWORK_DIFFICULTY,
    finder: { account: 'alice', worker: 'alice.rig' },
    solo: false,
    foundAtMs: T0 + 60_000,
    status: 'accepted',
    detail: 'accepted',
    ...overrides,
  };
}

async function balances(database: TestDatabase): Promise<Record<string, bigint>> {
  const { rows } = await database.db.query<{ book: string; name: string | null; amount: string }>(
    `SELECT b.book, a.name, b.amount::text AS amount FROM balances b
       LEFT JOIN accounts a ON b.book IN ('miner:' || a.id, 'immature:' || a.id)`,
  );
  return Object.fromEntries(
    rows.map((row) => [
      row.name ? `${row.book.split(':')[0] ?? ''}:${row.name}` : row.book,
      BigInt(row.amount),
    ]),
  );
}

async function storeShares(store: ShareStore, shares: ShareRecord[], id: string): Promise<void> {
  await store.store({ id, nodeId: 0, shares, rejects: [] });
}

describe('PPLNS books', () => {
  let database: TestDatabase;
  let ledger: BlockLedger;
  beforeEach(async () => {
    database = await createTestDatabase();
    ledger = new BlockLedger(
      database.db,
      { scheme: 'pplns', feeBasisPoints: 100, pplnsWindowFactor: 2 },
      log,
    );
    // Window 2 x 100 = 200: carol's old share falls outside, bob's counts in part.
    await storeShares(
      new ShareStore(database.db),
      [
        share('carol', 500, 0),
        share('bob', 100, 10_000),
        share('alice', 120, 20_000),
        share('bob', 40, 30_000),
        share('alice', 20, 59_000, true),
      ],
      '00000000-0000-4000-8000-000000000001',
    );
  });
  afterEach(async () => {
    await database.drop();
  });

  it('credits the window as immature at once, and payable at maturity, with the fee to the pool', async () => {
    await ledger.record(found('aa'.repeat(32)));
    // R - F = 319,275,000 over the window of 200: alice 120, bob 40 + 40 of his 100.
    expect(await balances(database)).toEqual({
      'immature:alice': 191_565_000n,
      'immature:bob': 127_710_000n,
      'pool:immature': -319_275_000n,
    });
    const [block] = await ledger.pending();
    expect(block).toMatchObject({ hash: 'aa'.repeat(32), scheme: 'pplns' });
    const effort = await database.db.query<{ effort: number }>('SELECT effort FROM blocks');
    expect(effort.rows[0]?.effort).toBeCloseTo((500 + 100 + 120 + 40) / NETWORK_DIFFICULTY, 10);
    await ledger.mature(block ?? ({} as never), 100);
    expect(await balances(database)).toMatchObject({
      'immature:alice': 0n,
      'immature:bob': 0n,
      'miner:alice': 191_565_000n,
      'miner:bob': 127_710_000n,
      'pool:fee': 3_225_000n,
      'pool:wallet': -322_500_000n,
    });
    expect(await reconcile(database.db)).toEqual({ balanced: true, problems: [] });
  });

  it('records the journalled blocks the books lack, and only those', async () => {
    await ledger.record(found('aa'.repeat(32)));
    const journalled = [
      found('aa'.repeat(32)),
      found('ab'.repeat(32), { height: 501 }),
      found('ab'.repeat(32), { height: 501 }),
    ];
    expect(await ledger.recordMissing(journalled)).toBe(1);
    expect(await ledger.recordMissing(journalled)).toBe(0);
    const heights = await database.db.query('SELECT height FROM blocks ORDER BY height');
    expect(heights.rows).toEqual([{ height: 500 }, { height: 501 }]);
    expect(await reconcile(database.db)).toEqual({ balanced: true, problems: [] });
  });

  it('reverses the immature credits of an orphaned block', async () => {
    await ledger.record(found('bb'.repeat(32)));
    const [block] = await ledger.pending();
    await ledger.orphan(block ?? ({} as never));
    const after = await balances(database);
    expect(Object.values(after).every((amount) => amount === 0n)).toBe(true);
    const status = await database.db.query<{ status: string }>('SELECT status FROM blocks');
    expect(status.rows).toEqual([{ status: 'orphaned' }]);
    expect(await reconcile(database.db)).toEqual({ balanced: true, problems: [] });
  });

  it('books nothing for a SOLO block, a rejected or a stale one, and records each once', async () => {
    await ledger.record(found('cc'.repeat(32), { solo: true }));
    await ledger.record(found('dd'.repeat(32), { status: 'rejected', detail: 'high-hash' }));
    await ledger.record(found('ee'.repeat(32), { status: 'stale' }));
    await ledger.record(found('ee'.repeat(32), { status: 'stale' }));
    expect(await balances(database)).toEqual({});
    const { rows } = await database.db.query('SELECT scheme, status FROM blocks ORDER BY hash');
    expect(rows).toEqual([
      { scheme: 'solo', status: 'pending' },
      { scheme: 'pplns', status: 'rejected' },
      { scheme: 'pplns', status: 'orphaned' },
    ]);
  });

  it('refuses a transaction that does not balance, and a debit below zero', async () => {
    await expect(
      withTransaction(database.db, (client) => post(client, 'fee', [{ book: 'pool:fee', amount: 1n }])),
    ).rejects.toThrow('a fee transaction must balance; its entries sum to 1');
    await expect(
      withTransaction(database.db, (client) =>
        post(client, 'payout', [
          { book: minerBook('1'), amount: -5n },
          { book: 'pool:wallet', amount: 5n },
        ]),
      ),
    ).rejects.toThrow(/violates check constraint/);
    expect(await reconcile(database.db)).toEqual({ balanced: true, problems: [] });
  });
});

describe.each<[PerShareScheme, number]>([
  ['pps', 312_500_000],
  ['fpps', 322_500_000],
])('%s books', (scheme, blockValue) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('credits every pool share its expected value at once, SOLO shares nothing', async () => {
    const store = new ShareStore(database.db);
    store.onBatch(perShareCredits(scheme, 200));
    await storeShares(
      store,
      [
        share('alice', 10, 0),
        share('alice', 30, 1_000),
        share('bob', 5, 2_000),
        share('bob', 50, 3_000, true),
      ],
      '00000000-0000-4000-8000-000000000002',
    );
    // alice: 40 / 100 of the block value, less 2 %.
    expect(shareValue(share('alice', 40, 0), scheme, 200)).toBeCloseTo((blockValue * 0.4 * 98) / 100, 6);
    expect(await balances(database)).toEqual({
      'miner:alice': BigInt(Math.floor((blockValue * 0.4 * 98) / 100)),
      'miner:bob': BigInt(Math.floor((blockValue * 0.05 * 98) / 100)),
      'pool:pps': -BigInt(
        Math.floor((blockValue * 0.4 * 98) / 100) + Math.floor((blockValue * 0.05 * 98) / 100),
      ),
    });
    const ledger = new BlockLedger(database.db, { scheme, feeBasisPoints: 200, pplnsWindowFactor: 2 }, log);
    await ledger.record(found(scheme === 'pps' ? '11'.repeat(32) : '22'.repeat(32)));
    const [block] = await ledger.pending();
    await ledger.mature(block ?? ({} as never), 100);
    expect((await balances(database))['pool:wallet']).toBe(-322_500_000n);
    expect(await reconcile(database.db)).toEqual({ balanced: true, problems: [] });
  });
});

describe('block maturity and payouts on the devchain', () => {
  let database: TestDatabase;
  let node: DevNode;
  let rpc: BitcoinRpcClient;
  let poolAddress: string;
  beforeEach(async () => {
    database = await createTestDatabase();
    ({ node, rpc } = await startTestNode());
    poolAddress = await rpc.call<string>('getnewaddress');
  });
  afterEach(async () => {
    await node.stop();
    await database.drop();
  });

  it('confirms a block after 100 confirmations and orphans one whose height holds another hash', async () => {
    const ledger = new BlockLedger(
      database.db,
      { scheme: 'pplns', feeBasisPoints: 0, pplnsWindowFactor: 2 },
      log,
    );
    const [ours] = await rpc.call<string[]>('generatetoaddress', [1, poolAddress]);
    await ledger.record(found(ours ?? '', { height: 1 }));
    await ledger.record(found('ff'.repeat(32), { height: 1 }));
    const maturity = new BlockMaturity(rpc, ledger, 100, log);
    await rpc.call('generatetoaddress', [50, poolAddress]);
    await maturity.check();
    const midway = await database.db.query('SELECT status, confirmations FROM blocks ORDER BY hash');
    expect(midway.rows).toEqual(
      expect.arrayContaining([
        { status: 'pending', confirmations: 51 },
        { status: 'orphaned', confirmations: 0 },
      ]),
    );
    await rpc.call('generatetoaddress', [49, poolAddress]);
    await maturity.check();
    const done = await database.db.query('SELECT status, confirmations FROM blocks WHERE hash = $1', [ours]);
    expect(done.rows).toEqual([{ status: 'confirmed', confirmations: 100 }]);
  });

  async function owe(amounts: Record<string, bigint>): Promise<void> {
    const addresses: Record<string, string> = {};
    for (const name of Object.keys(amounts)) {
      addresses[name] = await rpc.call<string>('getnewaddress');
    }
    await withTransaction(database.db, async (client) => {
      for (const [name, amount] of Object.entries(amounts)) {
        const { rows } = await client.query<{ id: string }>(
          'INSERT INTO accounts (name, payout_address) VALUES ($1, $2) RETURNING id',
          [name, addresses[name]],
        );
        await post(client, 'fee', [
          { book: minerBook(rows[0]?.id ?? ''), amount },
          { book: 'pool:wallet', amount: -amount },
        ]);
      }
    });
  }

  it('pays balances above the threshold through sendmany, once', async () => {
    await rpc.call('generatetoaddress', [101, poolAddress]);
    await owe({ alice: 150_000_000n, bob: 2_000n });
    const payouts = new Payouts(database.db, rpc, { thresholdSats: 10_000n, maxRecipients: 100 }, log);
    const report = await payouts.run();
    expect(report.sent).toHaveLength(1);
    expect(report.sent[0]?.total).toBe(150_000_000n);
    const wallet = await rpc.call<{ comment: string; amount: number }[]>('listtransactions', ['*', 100, 0]);
    expect(wallet).toEqual([expect.objectContaining({ comment: report.sent[0]?.id, amount: -1.5 })]);
    expect((await balances(database))['miner:alice']).toBe(0n);
    expect((await balances(database))['miner:bob']).toBe(2_000n);
    expect(await payouts.run()).toEqual({ sent: [], failed: [] });
    expect(await reconcile(database.db)).toEqual({ balanced: true, problems: [] });
  });

  it('a crash between sending and recording neither pays twice nor loses the payment', async () => {
    await rpc.call('generatetoaddress', [101, poolAddress]);
    await owe({ alice: 70_000_000n });
    const before = new Payouts(database.db, rpc, { thresholdSats: 10_000n, maxRecipients: 100 }, log);
    const id = await before.prepare(ENOUGH);
    // The wallet sent it, then the pool died before writing that down.
    const address =
      (await database.db.query<{ address: string }>('SELECT address FROM payout_items')).rows[0]?.address ??
      '';
    const txid = await rpc.call<string>('sendmany', ['', { [address]: btc(70_000_000n) }, 1, id]);
    const after = new Payouts(database.db, rpc, { thresholdSats: 10_000n, maxRecipients: 100 }, log);
    const report = await after.run();
    expect(report.sent).toEqual([{ id, txid, total: 70_000_000n }]);
    expect(await rpc.call<unknown[]>('listtransactions', ['*', 100, 0])).toHaveLength(1);
    const status = await database.db.query('SELECT status, txid FROM payouts');
    expect(status.rows).toEqual([{ status: 'sent', txid }]);
    expect(await reconcile(database.db)).toEqual({ balanced: true, problems: [] });
  });

  it('a refused intent restores the balances; one the wallet never saw is sent on the next run', async () => {
    await owe({ alice: 80_000_000n });
    const payouts = new Payouts(database.db, rpc, { thresholdSats: 10_000n, maxRecipients: 100 }, log);
    // No mature coins yet: nothing is attempted.
    expect(await payouts.run()).toEqual({ sent: [], failed: [] });
    // An intent written while the wallet seemed to hold enough is refused by it: the debit is reversed.
    const refused = await payouts.prepare(ENOUGH);
    expect((await balances(database))['miner:alice']).toBe(0n);
    expect(await payouts.send(refused ?? '')).toBeUndefined();
    expect((await balances(database))['miner:alice']).toBe(80_000_000n);
    const failed = await database.db.query<{ status: string; detail: string }>(
      'SELECT status, detail FROM payouts WHERE id = $1',
      [refused],
    );
    expect(failed.rows).toHaveLength(1);
    expect(failed.rows[0]).toMatchObject({ status: 'failed', detail: /Insufficient funds/ });
    await rpc.call('generatetoaddress', [101, poolAddress]);
    const id = await payouts.prepare(ENOUGH);
    const report = await payouts.run();
    expect(report.sent.map((sent) => sent.id)).toEqual([id]);
    expect(await reconcile(database.db)).toEqual({ balanced: true, problems: [] });
  });

  it('pays the largest balances the wallet can cover, the others on a later run', async () => {
    // One mature coinbase: 50 BTC.
    await rpc.call('generatetoaddress', [101, poolAddress]);
    await owe({ alice: 4_900_000_000n, bob: 200_000_000n });
    const payouts = new Payouts(database.db, rpc, { thresholdSats: 10_000n, maxRecipients: 100 }, log);
    const report = await payouts.run();
    expect(report.sent.map((sent) => sent.total)).toEqual([4_900_000_000n]);
    expect(await balances(database)).toMatchObject({ 'miner:alice': 0n, 'miner:bob': 200_000_000n });
    await rpc.call('generatetoaddress', [1, poolAddress]);
    expect((await payouts.run()).sent.map((sent) => sent.total)).toEqual([200_000_000n]);
    expect(await reconcile(database.db)).toEqual({ balanced: true, problems: [] });
  });

  it('waits, writing nothing down, while the wallet cannot be reached', async () => {
    await owe({ alice: 80_000_000n });
    const away = new BitcoinRpcClient({
      url: 'http://127.0.0.1:9/',
      auth: { user: 'u', password: 'p' },
      timeoutMs: 1_000,
      retries: 0,
      retryDelayMs: 1,
    });
    const payouts = new Payouts(database.db, away, { thresholdSats: 10_000n, maxRecipients: 100 }, log);
    await expect(payouts.run()).rejects.toThrow(/payouts wait: the node's wallet cannot be asked/);
    expect((await database.db.query('SELECT * FROM payouts')).rows).toEqual([]);
    expect((await balances(database))['miner:alice']).toBe(80_000_000n);
  });
});

/**
 * Starts the whole pool in-process (Stratum server, the devchain with its wallet, a
 * real PostgreSQL database): a block found over Stratum goes into the books, matures
 * on the devchain and is paid out through the wallet.
 */
import { address, Block, networks } from 'bitcoinjs-lib';
import { afterEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../src/ledger/books.ts';
import { eventually } from '../helpers/eventually.ts';
import { MINER_ADDRESS, startTestPool, type TestPool } from '../helpers/pool.ts';
import { StratumClient } from '../helpers/stratum-client.ts';

const WORKER = `${MINER_ADDRESS}.rig1`;
/** Network difficulty equal to the share difficulty: every share is a block. */
const EVERY_SHARE_A_BLOCK = {
  HASHWATT_DEVCHAIN_DIFFICULTY: '0.000001',
  HASHWATT_PAYOUTS_MATURITY_CHECK_SECONDS: '1',
  HASHWATT_PAYOUTS_INTERVAL_SECONDS: '1',
};

async function book(pool: TestPool, prefix: 'miner' | 'immature'): Promise<bigint | undefined> {
  const { rows } = await pool.db.query<{ amount: string }>(
    `SELECT b.amount::text AS amount FROM balances b JOIN accounts a ON b.book = $1 || ':' || a.id
      WHERE a.name = $2`,
    [prefix, MINER_ADDRESS],
  );
  return rows[0] === undefined ? undefined : BigInt(rows[0].amount);
}

async function mineBlock(pool: TestPool, port = pool.stratumPort): Promise<void> {
  const miner = await StratumClient.connect(port);
  await miner.subscribeAndAuthorize(WORKER);
  expect((await miner.mineAndSubmit(WORKER)).result).toBe(true);
  miner.close();
}

describe('the pool books its blocks and pays for them', () => {
  let pool: TestPool | undefined;
  afterEach(async () => {
    await pool?.stop();
    pool = undefined;
  });

  it('PPLNS: immature at once, payable after 100 confirmations, then paid to the miner', async () => {
    pool = await startTestPool({ ...EVERY_SHARE_A_BLOCK, HASHWATT_POOL_FEE_PERCENT: '2' });
    const chain = pool.devnode?.chain;
    await mineBlock(pool);
    const found = await eventually(async () => {
      const { rows } = (await pool?.db.query<{ height: number; reward: string; status: string }>(
        'SELECT height, reward::text AS reward, status FROM blocks',
      )) ?? { rows: [] };
      return rows[0];
    }, 'the block in the books');
    expect(found.status).toBe('pending');
    // Hashprice reads the network from the templates: the block's height was recorded with its difficulty.
    const seen = await pool.db.query<{ same: boolean }>(
      `SELECT n.difficulty = b.network_difficulty AS same FROM network_heights n JOIN blocks b ON b.height = n.height`,
    );
    expect(seen.rows).toEqual([{ same: true }]);
    // The regtest subsidy at a low height is 50 BTC; the devchain mempool adds fees.
    // The 2 % fee is rounded down: the miner gets the odd satoshi.
    const credit = BigInt(found.reward) - (BigInt(found.reward) * 2n) / 100n;
    expect(await eventually(() => book(pool as TestPool, 'immature'), 'the immature credit')).toBe(credit);
    for (let block = 0; block < 100; block++) {
      chain?.addNetworkBlock();
    }
    const paid = await eventually(
      async () => {
        const { rows } = (await pool?.db.query<{ status: string; total: string; txid: string }>(
          "SELECT status, total::text AS total, txid FROM payouts WHERE status = 'sent'",
        )) ?? { rows: [] };
        return rows[0];
      },
      'the payout',
      10_000,
    );
    expect(BigInt(paid.total)).toBe(credit);
    const blocks = await pool.db.query('SELECT status, confirmations FROM blocks');
    expect(blocks.rows).toEqual([{ status: 'confirmed', confirmations: 101 }]);
    expect(await book(pool, 'miner')).toBe(0n);
    const sent = pool.devnode?.wallet.transaction(paid.txid);
    expect(sent).toMatchObject({ txid: paid.txid });
    expect(await reconcile(pool.db)).toEqual({ balanced: true, problems: [] });
  });

  it('PPS: every share is credited when it is stored', async () => {
    pool = await startTestPool({ HASHWATT_POOL_SCHEME: 'pps', HASHWATT_PAYOUTS_ENABLED: 'false' });
    await mineBlock(pool);
    const credited = await eventually(async () => {
      const amount = await book(pool as TestPool, 'miner');
      return amount !== undefined && amount > 0n ? amount : undefined;
    }, 'the PPS credit');
    expect(credited).toBeGreaterThan(0n);
    expect(await reconcile(pool.db)).toEqual({ balanced: true, problems: [] });
  });

  it('SOLO port: the coinbase pays the miner, and the books credit no one', async () => {
    pool = await startTestPool({ ...EVERY_SHARE_A_BLOCK, HASHWATT_STRATUM_SOLO_PORT: '0' });
    expect(pool.soloPort).toBeGreaterThan(0);
    await mineBlock(pool, pool.soloPort);
    const chain = pool.devnode?.chain;
    await eventually(() => (chain?.height === 1 ? true : undefined), 'the block on the devchain');
    const block = Block.fromBuffer(chain?.tip.raw ?? Buffer.alloc(0));
    const minerScript = address.toOutputScript(MINER_ADDRESS, networks.regtest);
    const paid = block.transactions?.[0]?.outs.find((out) => Buffer.from(out.script).equals(minerScript));
    // 1 % SOLO fee by default: the miner gets the rest of the coinbase.
    expect(paid?.value).toBeGreaterThan(0n);
    const booked = await eventually(async () => {
      const { rows } = (await pool?.db.query<{ scheme: string }>('SELECT scheme FROM blocks')) ?? {
        rows: [],
      };
      return rows[0];
    }, 'the block in the books');
    expect(booked.scheme).toBe('solo');
    const credits = await pool.db.query("SELECT * FROM ledger_entries WHERE kind = 'block-credit'");
    expect(credits.rows).toEqual([]);
  });

  it('a node that answers 503, drops connections or is slow loses none of the blocks found meanwhile', async () => {
    pool = await startTestPool({
      ...EVERY_SHARE_A_BLOCK,
      HASHWATT_PAYOUTS_ENABLED: 'false',
      HASHWATT_NODE_RPC_TIMEOUT_MS: '500',
    });
    const node = pool.devnode;
    if (!node) {
      throw new Error('the test pool runs the devchain');
    }
    const plans = [
      { fault: 'unavailable', count: 5 },
      { fault: 'drop', count: 2 },
      { fault: 'drop-after', count: 1 },
      { fault: 'slow', count: 1, delayMs: 1_500 },
    ] as const;
    for (const [index, plan] of plans.entries()) {
      node.faults.inject({ ...plan, methods: ['submitblock'] });
      await mineBlock(pool);
      await eventually(
        () => (node.chain.height === index + 1 ? true : undefined),
        `block ${String(index + 1)} on the chain through ${plan.fault}`,
      );
      node.faults.clear();
    }
    const booked = await eventually(
      async () => {
        const { rows } = (await pool?.db.query<{ hash: string; status: string }>(
          'SELECT hash, status FROM blocks ORDER BY height',
        )) ?? { rows: [] };
        return rows.length === plans.length ? rows : undefined;
      },
      'every block in the books',
      10_000,
    );
    expect(booked).toEqual(
      [1, 2, 3, 4].map((height) => ({ hash: node.chain.blockAt(height)?.hash, status: 'pending' })),
    );
  });

  it('a block found while its table is unreachable reaches the books from the journal', async () => {
    pool = await startTestPool({ ...EVERY_SHARE_A_BLOCK, HASHWATT_PAYOUTS_ENABLED: 'false' });
    await pool.db.query('ALTER TABLE blocks RENAME TO blocks_away');
    await mineBlock(pool);
    const chain = pool.devnode?.chain;
    await eventually(() => (chain?.height === 1 ? true : undefined), 'the block on the devchain');
    // Give the failed attempt time to happen before the table comes back.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await pool.db.query('ALTER TABLE blocks_away RENAME TO blocks');
    const recorded = await eventually(async () => {
      const { rows } = (await pool?.db.query<{ hash: string }>('SELECT hash FROM blocks')) ?? { rows: [] };
      return rows[0];
    }, 'the block recorded from the journal');
    expect(recorded.hash).toBe(chain?.tip.hash);
    expect(await book(pool, 'immature')).toBeGreaterThan(0n);
  });
});

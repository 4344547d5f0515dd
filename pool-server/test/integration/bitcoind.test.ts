/**
 * Starts: a real Bitcoin Core on regtest (`BITCOIND=/path/to/bitcoind`; without it these
 * tests are skipped with a notice), and against it the start-up checks, the block
 * submitter, and the whole pool (Stratum, a real PostgreSQL database) mining, maturing
 * and paying through the node's wallet. The same behaviours are tested on every run
 * against the devchain, which imitates Core where the pool depends on it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BlockJournal } from '../../src/ledger/blocks/block-journal.ts';
import { BlockSubmitter, type BlockOutcome } from '../../src/chain/block-submitter.ts';
import { PendingBlocks } from '../../src/ledger/blocks/pending-blocks.ts';
import { RpcError } from '../../src/chain/rpc-client.ts';
import { checkNode, checkWallet } from '../../src/chain/startup-checks.ts';
import { BITCOIND, noticeWithoutBitcoind, startBitcoind, type RealNode } from '../helpers/bitcoind.ts';
import { findBlock } from '../helpers/blocks.ts';
import { eventually } from '../helpers/eventually.ts';
import { MINER_ADDRESS, OTHER_MINER_ADDRESS, startTestPool, type TestPool } from '../helpers/pool.ts';
import { StratumClient } from '../helpers/stratum-client.ts';

noticeWithoutBitcoind('test/integration/bitcoind.test.ts');

const log = pino({ level: 'silent' });
const TEMPLATE_REQUEST = [{ rules: ['segwit'] }];

describe.skipIf(BITCOIND === undefined)('against a real bitcoind', () => {
  let node: RealNode | undefined;
  let pool: TestPool | undefined;
  afterEach(async () => {
    await pool?.stop();
    pool = undefined;
    await node?.stop();
    node = undefined;
  });

  it('a fresh regtest chain is in initial block download, serves templates, and passes the start-up checks', async () => {
    node = await startBitcoind();
    const rpc = node.client();
    const info = await checkNode(rpc, { chain: 'regtest', payoutAddress: MINER_ADDRESS });
    expect(info).toMatchObject({ chain: 'regtest', blocks: 0, initialblockdownload: true });
    expect(await rpc.call('getblocktemplate', TEMPLATE_REQUEST)).toMatchObject({ height: 1 });
    // No wallet on a fresh Core: payouts could never be paid.
    await expect(checkWallet(rpc, undefined)).rejects.toThrow(/has no wallet loaded/);
  });

  it('several wallets: wallet calls on "/" fail with -19, and the check names the URL to use', async () => {
    node = await startBitcoind({ wallets: ['pool', 'cold'] });
    const refused = await node
      .client()
      .call('getnewaddress')
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(RpcError);
    expect((refused as RpcError).rpcCode).toBe(-19);
    await expect(checkWallet(node.client(), undefined)).rejects.toThrow(
      /has 2 wallets loaded \("pool", "cold"\): name the one payouts spend from at the end of node\.rpcUrl, e\.g\. http:\/\/127\.0\.0\.1:\d+\/wallet\/pool/,
    );
    const own = await node.client('pool').call<string>('getnewaddress');
    expect(await checkWallet(node.client('pool'), own)).toBe('pool');
    const cold = await node.client('cold').call<string>('getnewaddress');
    await expect(checkWallet(node.client('pool'), cold)).rejects.toThrow(
      /is not an address of bitcoind's wallet "pool"/,
    );
    await expect(checkWallet(node.client('hot'), undefined)).rejects.toThrow(
      /"hot" that node\.rpcUrl names is not loaded/,
    );
  });

  it('the block submitter: accepted on the tip; a block the chain went past settles as stale two blocks on', async () => {
    node = await startBitcoind({ wallets: ['pool'] });
    const rpc = node.client();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-bitcoind-blocks-'));
    try {
      const journal = new BlockJournal(path.join(dir, 'blocks.jsonl'));
      const submitter = new BlockSubmitter(rpc, journal, log, {
        pending: new PendingBlocks(path.join(dir, 'pending')),
        firstRetryMs: 20,
        maxRetryMs: 200,
      });
      const first = findBlock(await rpc.call('getblocktemplate', TEMPLATE_REQUEST));
      expect(await submitter.submit(first.block, first.blockHex)).toMatchObject({ status: 'accepted' });
      expect(await rpc.call('getbestblockhash')).toBe(first.block.hash);

      // A block on the tip, held back while the network finds its height and the next.
      const late = findBlock(await rpc.call('getblocktemplate', TEMPLATE_REQUEST));
      const elsewhere = await node.client('pool').call<string>('getnewaddress');
      await rpc.call('generatetoaddress', [2, elsewhere]);
      let outcome: BlockOutcome | undefined;
      void submitter.submit(late.block, late.blockHex).then((settled) => {
        outcome = settled;
      });
      // Core keeps it as a valid branch: it could still win while the chain is one past it.
      await eventually(async () => {
        const tips = await rpc.call<{ hash: string; status: string }[]>('getchaintips');
        return tips.some((tip) => tip.hash === late.block.hash) ? true : undefined;
      }, 'the block on a branch');
      expect(outcome).toBeUndefined();
      await rpc.call('generatetoaddress', [1, elsewhere]);
      const settled = await eventually(() => outcome, 'the late block settled');
      expect(settled.status).toBe('stale');
      expect((await journal.read()).blocks.map((block) => block.status)).toEqual(['accepted', 'stale']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the pool mines on it, books the block, matures it at 101 confirmations and pays through the wallet', async () => {
    node = await startBitcoind({ wallets: ['pool'] });
    pool = await startTestPool({
      HASHWATT_NODE_RPC_URL: `${node.rpcUrl}wallet/pool`,
      HASHWATT_NODE_RPC_USER: node.auth.user,
      HASHWATT_NODE_RPC_PASSWORD: node.auth.password,
      HASHWATT_NODE_ZMQ_URL: node.zmqUrl,
      HASHWATT_PAYOUTS_MATURITY_CHECK_SECONDS: '1',
      HASHWATT_PAYOUTS_INTERVAL_SECONDS: '1',
      // Regtest's network difficulty is far below the share difficulty: every share is a block.
      HASHWATT_STRATUM_START_DIFFICULTY: '0.000001',
    });
    const rpc = node.client('pool');
    const miner = await StratumClient.connect(pool.stratumPort);
    await miner.subscribeAndAuthorize(`${MINER_ADDRESS}.rig1`);
    expect((await miner.mineAndSubmit(`${MINER_ADDRESS}.rig1`)).result).toBe(true);
    miner.close();
    const booked = await eventually(async () => {
      const { rows } = (await pool?.db.query<{ hash: string; status: string }>(
        'SELECT hash, status FROM blocks',
      )) ?? {
        rows: [],
      };
      return rows[0];
    }, 'the block in the books');
    expect(booked.status).toBe('pending');
    expect(await rpc.call('getbestblockhash')).toBe(booked.hash);
    // 100 blocks on top: 101 confirmations, when Core's wallet may spend the coinbase.
    await rpc.call('generatetoaddress', [99, OTHER_MINER_ADDRESS]);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await pool.db.query('SELECT status FROM blocks')).rows).toEqual([{ status: 'pending' }]);
    await rpc.call('generatetoaddress', [1, OTHER_MINER_ADDRESS]);
    const paid = await eventually(
      async () => {
        const { rows } = (await pool?.db.query<{ txid: string }>(
          "SELECT txid FROM payouts WHERE status = 'sent'",
        )) ?? { rows: [] };
        return rows[0];
      },
      'the payout',
      30_000,
    );
    expect((await pool.db.query('SELECT status, confirmations FROM blocks')).rows).toEqual([
      { status: 'confirmed', confirmations: 101 },
    ]);
    const sent = await rpc.call<{ details: { address: string; category: string }[] }>('gettransaction', [
      paid.txid,
    ]);
    expect(sent.details).toContainEqual(
      expect.objectContaining({ address: MINER_ADDRESS, category: 'send' }),
    );
  });
});

/** Starts: devchain nodes; talks to them over HTTP JSON-RPC as the pool and bitcoin-cli do. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DevNode, DevNodeOptions } from '../../src/dev/devchain/node.ts';
import type { BitcoinRpcClient } from '../../src/chain/rpc-client.ts';
import { RpcError } from '../../src/chain/rpc-client.ts';
import { startTestNode } from '../helpers/devnode.ts';
import { MINER_ADDRESS } from '../helpers/pool.ts';

/** A mainnet address (BIP173's P2WPKH example): valid on 'main' only. */
const MAINNET_ADDRESS = 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4';

/** JSON-RPC over HTTP to `url` (a node's root or a /wallet/<name> path), with startTestNode's credentials. */
async function call(
  url: string,
  method: string,
  params: unknown[] = [],
): Promise<{ result: unknown; error: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` },
    body: JSON.stringify({ jsonrpc: '1.0', id: 1, method, params }),
  });
  return (await response.json()) as { result: unknown; error: unknown };
}

describe('devchain JSON-RPC', () => {
  let node: DevNode;
  let rpc: BitcoinRpcClient;

  beforeAll(async () => {
    ({ node, rpc } = await startTestNode({ mempoolSize: 2 }));
  });
  afterAll(async () => {
    await node.stop();
  });

  async function code(method: string, params: unknown[]): Promise<number | undefined> {
    try {
      await rpc.call(method, params);
    } catch (error) {
      if (error instanceof RpcError) {
        return error.rpcCode;
      }
      throw error;
    }
    return undefined;
  }

  it('answers the chain queries in the shapes Bitcoin Core documents', async () => {
    expect(await rpc.call('generatetoaddress', [2, MINER_ADDRESS])).toHaveLength(2);
    expect(await rpc.call('getblockcount')).toBe(2);
    const best = await rpc.call<string>('getbestblockhash');
    expect(await rpc.call('getblockhash', [2])).toBe(best);
    expect(await rpc.call('getblockchaininfo')).toMatchObject({
      chain: 'regtest',
      blocks: 2,
      headers: 2,
      bestblockhash: best,
      initialblockdownload: false,
    });
    expect(await rpc.call('getmininginfo')).toMatchObject({ blocks: 2, chain: 'regtest' });
    expect(await rpc.call('getnetworkinfo')).toMatchObject({ subversion: '/hashwatt-devchain:0.1.0/' });
    expect(await rpc.call('getdifficulty')).toBeCloseTo(4.656542373906925e-10, 20);
    const header = await rpc.call<Record<string, unknown>>('getblockheader', [best]);
    // Block 1 took the two mempool transactions; nothing refilled it before block 2.
    expect(header).toMatchObject({
      hash: best,
      height: 2,
      confirmations: 1,
      bits: '207fffff',
      nTx: 1,
      versionHex: '20000000',
    });
    expect(await rpc.call('getblockheader', [await rpc.call('getblockhash', [1])])).toMatchObject({
      nTx: 3,
      confirmations: 2,
    });
    const genesis = await rpc.call<Record<string, unknown>>('getblockheader', [
      await rpc.call('getblockhash', [0]),
    ]);
    expect(genesis).toMatchObject({
      height: 0,
      confirmations: 3,
      nextblockhash: await rpc.call('getblockhash', [1]),
    });
    expect(genesis).not.toHaveProperty('previousblockhash');
    expect(await rpc.call('getblockheader', [best, false])).toMatch(/^[0-9a-f]{160}$/);
    const block = await rpc.call<{ tx: string[]; weight: number }>('getblock', [
      await rpc.call('getblockhash', [1]),
    ]);
    expect(block.tx).toHaveLength(3);
    expect(await rpc.call<string>('getblock', [best, 0])).toMatch(/^[0-9a-f]+$/);
  });

  it('validates addresses of the chain', async () => {
    expect(await rpc.call('validateaddress', [MINER_ADDRESS])).toMatchObject({
      isvalid: true,
      iswitness: true,
      isscript: false,
      witness_version: 0,
    });
    expect(await rpc.call('validateaddress', ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4'])).toMatchObject({
      isvalid: false,
    });
  });

  it("errors carry Core's codes", async () => {
    expect(await code('getblockhash', [99])).toBe(-8);
    expect(await code('getblockheader', ['00'.repeat(32)])).toBe(-5);
    expect(await code('getblockheader', ['xyz'])).toBe(-8);
    expect(await code('getblocktemplate', [{}])).toBe(-8);
    expect(await code('submitblock', ['zz'])).toBe(-22);
    expect(await code('getpeerinfo', [])).toBe(-32601);
  });

  it('holds a longpoll until the template changes', async () => {
    const { longpollid } = await rpc.call<{ longpollid: string }>('getblocktemplate', [
      { rules: ['segwit'] },
    ]);
    const held = rpc.call<{ height: number }>('getblocktemplate', [{ rules: ['segwit'], longpollid }]);
    const before = node.chain.height;
    setTimeout(() => node.chain.addNetworkBlock(), 100);
    expect((await held).height).toBe(before + 2);
  });

  it('refuses the wrong password with 401', async () => {
    const response = await fetch(node.rpcUrl, {
      method: 'POST',
      body: '{}',
      headers: { authorization: 'Basic eDp5' },
    });
    expect(response.status).toBe(401);
  });
});

describe('devchain nodes set up as Bitcoin Core can be', () => {
  const started: DevNode[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((node) => node.stop()));
  });

  async function start(options: Partial<DevNodeOptions>): Promise<DevNode> {
    const { node } = await startTestNode(options);
    started.push(node);
    return node;
  }

  it('in initial block download on regtest: reports it, still serves templates, and leaves it with a new block', async () => {
    const node = await start({ initialBlockDownload: true });
    expect((await call(node.rpcUrl, 'getblockchaininfo')).result).toMatchObject({
      chain: 'regtest',
      blocks: 0,
      headers: 0,
      initialblockdownload: true,
    });
    expect((await call(node.rpcUrl, 'getblocktemplate', [{ rules: ['segwit'] }])).result).toMatchObject({
      height: 1,
    });
    await call(node.rpcUrl, 'generatetoaddress', [1, MINER_ADDRESS]);
    expect((await call(node.rpcUrl, 'getblockchaininfo')).result).toMatchObject({
      blocks: 1,
      initialblockdownload: false,
    });
  });

  it("in initial block download on main: getblocktemplate refuses with Core's -10 until a recent block", async () => {
    const node = await start({ chain: 'main', initialBlockDownload: true });
    expect((await call(node.rpcUrl, 'getblockchaininfo')).result).toMatchObject({
      chain: 'main',
      initialblockdownload: true,
    });
    expect((await call(node.rpcUrl, 'getmininginfo')).result).toMatchObject({ chain: 'main' });
    const refused = { code: -10, message: 'Bitcoin Core is in initial sync and waiting for blocks...' };
    expect((await call(node.rpcUrl, 'getblocktemplate', [{ rules: ['segwit'] }])).error).toEqual(refused);
    // Refused before any longpoll is held.
    const longpollid = node.chain.longpollId;
    expect((await call(node.rpcUrl, 'getblocktemplate', [{ rules: ['segwit'], longpollid }])).error).toEqual(
      refused,
    );
    // Addresses are the chain's own.
    expect((await call(node.rpcUrl, 'validateaddress', [MAINNET_ADDRESS])).result).toMatchObject({
      isvalid: true,
    });
    expect((await call(node.rpcUrl, 'getnewaddress')).result).toMatch(/^bc1q/);

    await call(node.rpcUrl, 'generatetoaddress', [1, MAINNET_ADDRESS]);
    expect((await call(node.rpcUrl, 'getblocktemplate', [{ rules: ['segwit'] }])).result).toMatchObject({
      height: 2,
    });
  });

  it('several wallets: listwallets names them, `/` refuses wallet calls with -19, /wallet/<name> picks one', async () => {
    const node = await start({ wallets: ['pool', 'cold store'] });
    expect((await call(node.rpcUrl, 'listwallets')).result).toEqual(['pool', 'cold store']);
    expect((await call(node.rpcUrl, 'getnewaddress')).error).toEqual({
      code: -19,
      message: 'Wallet file not specified (must request wallet RPC through /wallet/<filename> uri-path).',
    });
    const pool = `${node.rpcUrl}wallet/pool`;
    const cold = `${node.rpcUrl}wallet/cold%20store`;
    const address = (await call(pool, 'getnewaddress')).result;
    expect(address).toMatch(/^bcrt1q/);
    expect((await call(cold, 'getnewaddress')).result).toMatch(/^bcrt1q/);
    expect((await call(`${node.rpcUrl}wallet/nowhere`, 'getbalance')).error).toEqual({
      code: -18,
      message: 'Requested wallet does not exist or is not loaded',
    });
    // Calls that are not a wallet's work on any path.
    expect((await call(`${node.rpcUrl}wallet/nowhere`, 'getblockcount')).result).toBe(0);

    // Coins mined to one wallet's address are that wallet's alone.
    await call(node.rpcUrl, 'generatetoaddress', [101, address]);
    expect((await call(pool, 'getbalance')).result).toBe(50);
    expect((await call(cold, 'getbalance')).result).toBe(0);
    expect(node.wallets.get('pool')?.balance()).toBe(5_000_000_000n);
  });

  it('no wallet loaded: wallet calls answer -18, as Core 0.21+ without a default wallet', async () => {
    const node = await start({ wallets: [] });
    expect((await call(node.rpcUrl, 'listwallets')).result).toEqual([]);
    expect((await call(node.rpcUrl, 'getbalance')).error).toEqual({
      code: -18,
      message:
        'No wallet is loaded. Load a wallet using loadwallet or create a new one with createwallet. (Note: A default wallet is no longer automatically created)',
    });
    expect(() => node.wallet).toThrow(/no wallet/);
  });

  it("getaddressinfo: ismine only for the wallet's own addresses; -5 for an invalid one", async () => {
    const node = await start({ wallets: ['a', 'b'] });
    const a = `${node.rpcUrl}wallet/a`;
    const b = `${node.rpcUrl}wallet/b`;
    const address = (await call(a, 'getnewaddress')).result as string;
    const mine = (await call(a, 'getaddressinfo', [address])).result;
    expect(mine).toMatchObject({
      address,
      ismine: true,
      iswatchonly: false,
      solvable: true,
      isscript: false,
      iswitness: true,
      witness_version: 0,
      ischange: false,
      labels: [''],
    });
    expect((mine as { scriptPubKey: string }).scriptPubKey).toMatch(/^0014[0-9a-f]{40}$/);
    expect((await call(b, 'getaddressinfo', [address])).result).toMatchObject({
      address,
      ismine: false,
      solvable: false,
      labels: [],
    });
    expect((await call(a, 'getaddressinfo', [MINER_ADDRESS])).result).toMatchObject({ ismine: false });
    expect((await call(a, 'getaddressinfo', [MAINNET_ADDRESS])).error).toEqual({
      code: -5,
      message: 'Invalid address',
    });
  });

  it('a coinbase is spendable at 101 confirmations, not at 100: getbalance and sendmany agree', async () => {
    const node = await start({});
    const address = (await call(node.rpcUrl, 'getnewaddress')).result as string;
    await call(node.rpcUrl, 'generatetoaddress', [1, address]);
    await call(node.rpcUrl, 'generatetoaddress', [99, MINER_ADDRESS]);
    const coinbase = (await call(node.rpcUrl, 'getblockhash', [1])).result;
    expect((await call(node.rpcUrl, 'getblockheader', [coinbase])).result).toMatchObject({
      confirmations: 100,
    });
    expect((await call(node.rpcUrl, 'getbalance')).result).toBe(0);
    expect((await call(node.rpcUrl, 'sendmany', ['', { [MINER_ADDRESS]: 1 }])).error).toEqual({
      code: -6,
      message: 'Insufficient funds',
    });

    await call(node.rpcUrl, 'generatetoaddress', [1, MINER_ADDRESS]);
    expect((await call(node.rpcUrl, 'getblockheader', [coinbase])).result).toMatchObject({
      confirmations: 101,
    });
    expect((await call(node.rpcUrl, 'getbalance')).result).toBe(50);
    expect((await call(node.rpcUrl, 'sendmany', ['', { [MINER_ADDRESS]: 1 }])).result).toMatch(
      /^[0-9a-f]{64}$/,
    );
  });
});

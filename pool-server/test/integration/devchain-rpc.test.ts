/** Starts: the devchain node; talks to it over HTTP JSON-RPC as the pool and bitcoin-cli do. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevNode } from '../../src/chain/devchain/node.ts';
import type { BitcoinRpcClient } from '../../src/chain/rpc-client.ts';
import { RpcError } from '../../src/chain/rpc-client.ts';
import { startTestNode } from '../helpers/devnode.ts';
import { MINER_ADDRESS } from '../helpers/pool.ts';

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

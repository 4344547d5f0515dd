/** The devchain node on free ports for a test, and a JSON-RPC client of it. */
import { startDevNode, type DevNode, type DevNodeOptions } from '../../src/dev/devchain/node.ts';
import { BitcoinRpcClient } from '../../src/chain/rpc-client.ts';

export interface TestNode {
  readonly node: DevNode;
  readonly rpc: BitcoinRpcClient;
}

/** Regtest's easiest target unless told otherwise; no timers: the test makes blocks and transactions. */
export async function startTestNode(options: Partial<DevNodeOptions> = {}): Promise<TestNode> {
  const node = await startDevNode({
    host: '127.0.0.1',
    rpcPort: 0,
    rpcUser: 'u',
    rpcPassword: 'p',
    zmqPort: undefined,
    bits: 0x207fffff,
    networkBlockIntervalMs: 0,
    transactionIntervalMs: 0,
    mempoolSize: 0,
    ...options,
  });
  const rpc = new BitcoinRpcClient({
    url: node.rpcUrl,
    auth: { user: options.rpcUser ?? 'u', password: options.rpcPassword ?? 'p' },
    timeoutMs: 5_000,
    retries: 0,
    retryDelayMs: 1,
  });
  return { node, rpc };
}

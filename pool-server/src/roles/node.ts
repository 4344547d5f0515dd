/**
 * The pool's Bitcoin node: the configured one, or the devchain when none is; the RPC
 * clients that reach it and the other nodes found blocks go to; its templates.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { BitcoinRpcClient, type RpcAuth } from '../chain/rpc-client.ts';
import { TemplateSource } from '../chain/template-source.ts';
import type { Config } from '../config.ts';
import type { DevNode } from '../dev/devchain/node.ts';
import { encodeCompact, targetFromDifficulty } from '../work/target.ts';

export interface Node {
  readonly rpcUrl: string;
  readonly auth: RpcAuth;
  readonly zmqUrl: string | undefined;
  readonly devnode: DevNode | undefined;
}

export async function connectNode(config: Config, log: Logger): Promise<Node> {
  const { node, devchain } = config;
  if (node.rpcUrl !== undefined) {
    const auth: RpcAuth =
      node.rpcCookieFile !== undefined
        ? { cookieFile: node.rpcCookieFile }
        : { user: node.rpcUser ?? '', password: node.rpcPassword ?? '' };
    return { rpcUrl: node.rpcUrl, auth, zmqUrl: node.zmqUrl, devnode: undefined };
  }
  const password = randomBytes(16).toString('hex');
  // Development only: loaded when no node is configured, so production never loads it.
  const { startDevNode } = await import('../dev/devchain/node.ts');
  const devnode = await startDevNode({
    host: '127.0.0.1',
    rpcPort: devchain.rpcPort,
    rpcUser: 'hashwatt',
    rpcPassword: password,
    zmqPort: devchain.zmqPort,
    bits: encodeCompact(targetFromDifficulty(devchain.difficulty)),
    networkBlockIntervalMs: devchain.networkBlockSeconds * 1000,
    transactionIntervalMs: devchain.transactionSeconds * 1000,
    mempoolSize: devchain.mempoolSize,
  });
  log.warn(
    { rpc: devnode.rpcUrl, zmq: devnode.zmqUrl },
    'devchain: no node.rpcUrl configured, running the built-in regtest devchain',
  );
  return { rpcUrl: devnode.rpcUrl, auth: { user: 'hashwatt', password }, zmqUrl: devnode.zmqUrl, devnode };
}

export function rpcClient(config: Config, node: Node): BitcoinRpcClient {
  return new BitcoinRpcClient({
    url: node.rpcUrl,
    auth: node.auth,
    timeoutMs: config.node.rpcTimeoutMs,
    retries: 5,
    retryDelayMs: 500,
    maxConcurrentCalls: config.node.rpcConcurrency,
  });
}

/** The other nodes found blocks are offered to: only submitblock and nothing else goes there. */
export function submitNodes(config: Config): BitcoinRpcClient[] {
  return config.node.submitNodes.map(
    (other) =>
      new BitcoinRpcClient({
        url: other.rpcUrl,
        auth:
          other.rpcCookieFile !== undefined
            ? { cookieFile: other.rpcCookieFile }
            : { user: other.rpcUser ?? '', password: other.rpcPassword ?? '' },
        timeoutMs: config.node.rpcTimeoutMs,
        retries: 0,
        retryDelayMs: 500,
      }),
  );
}

/** The host's template source: the node's longpoll, ZMQ and tip polls. */
export function nodeTemplates(
  config: Config,
  rpc: BitcoinRpcClient,
  node: Node,
  log: Logger,
): TemplateSource {
  return new TemplateSource(
    rpc,
    {
      pollIntervalMs: config.node.pollIntervalMs,
      refreshIntervalMs: config.node.refreshIntervalMs,
      longpoll: config.node.longpoll,
      longpollTimeoutMs: 120_000,
      zmqUrl: node.zmqUrl,
    },
    log,
  );
}

/**
 * The address the pool's coinbases pay: the configured one, or on the devchain an address
 * of its wallet, so that payouts can spend what the pool mines.
 */
export async function poolPayoutAddress(config: Config, rpc: BitcoinRpcClient): Promise<string> {
  return config.pool.payoutAddress ?? rpc.call<string>('getnewaddress', ['hashwatt pool']);
}

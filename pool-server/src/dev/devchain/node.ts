import { Publisher } from 'zeromq';
import type { Chain } from '../../work/address.ts';
import { DevChain } from './chain.ts';
import type { DevRpcFaults } from './faults.ts';
import { startDevRpcServer } from './rpc-server.ts';
import { DevWallet } from './wallet.ts';

/** [Bitcoin Core src/httpserver.h: DEFAULT_HTTP_THREADS, DEFAULT_HTTP_WORKQUEUE] Core 28's; 29 raised them to 16 and 64. */
const DEFAULT_RPC_THREADS = 4;
const DEFAULT_RPC_WORK_QUEUE = 16;

export interface DevNodeOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly rpcPort: number;
  readonly rpcUser: string;
  readonly rpcPassword: string;
  /** A ZMQ `hashblock` publisher on this port, as bitcoind's -zmqpubhashblock; undefined for none. */
  readonly zmqPort: number | undefined;
  readonly bits: number;
  /** A competing "network" block this often (ms); 0 for none. */
  readonly networkBlockIntervalMs: number;
  /** New mempool transactions this often (ms); 0 for none. */
  readonly transactionIntervalMs: number;
  readonly mempoolSize: number;
  /** RPC requests worked on at once, as -rpcthreads; a held longpoll takes one. Default 4. */
  readonly rpcThreads?: number;
  /** RPC requests that may wait for a thread, as -rpcworkqueue; more get HTTP 503. Default 16. */
  readonly rpcWorkQueue?: number;
  /**
   * The chain's name in getblockchaininfo and getmininginfo, and whose addresses are used;
   * 'regtest' by default. Only 'main' refuses templates during initial block download.
   */
  readonly chain?: Chain;
  /** Start in initial block download, left once a block less than a day old is connected. Default false. */
  readonly initialBlockDownload?: boolean;
  /**
   * The wallets loaded, by name, each its own; [''] by default: the single unnamed wallet
   * of `-wallet=""`, which calls on `/` reach as the only one loaded. [] for none, as a
   * Core 0.21+ node that was never given one.
   */
  readonly wallets?: readonly string[];
}

export interface DevNode {
  readonly chain: DevChain;
  /** The first wallet loaded; throws when none is. */
  readonly wallet: DevWallet;
  /** Every loaded wallet by name, in the order loaded. */
  readonly wallets: ReadonlyMap<string, DevWallet>;
  readonly rpcUrl: string;
  readonly zmqUrl: string | undefined;
  /** What the RPC server gets wrong on purpose, for tests. */
  readonly faults: DevRpcFaults;
  /** RPC requests being worked on, and waiting for a thread. */
  readonly rpcQueue: { readonly running: number; readonly queued: number };
  /**
   * Begins shutting down as Core does: every new request gets HTTP 503 and held longpolls
   * are answered with error -9 "Shutting down"; the node keeps listening until stop().
   */
  beginShutdown(): void;
  /** Shuts down (see beginShutdown), waits for the calls already taken, then closes. */
  stop(): Promise<void>;
}

/**
 * The devchain as a running node: JSON-RPC like bitcoind's, ZMQ hashblock, a mempool
 * that keeps filling and blocks from "the network" on a timer.
 */
export async function startDevNode(options: DevNodeOptions): Promise<DevNode> {
  const chain = new DevChain({
    bits: options.bits,
    halvingInterval: 150,
    mempoolSize: options.mempoolSize,
    now: () => Math.floor(Date.now() / 1000),
    initialBlockDownload: options.initialBlockDownload ?? false,
  });
  const network = options.chain ?? 'regtest';
  const names = options.wallets ?? [''];
  if (new Set(names).size !== names.length) {
    // Core refuses to load a wallet twice (RPC_WALLET_ALREADY_LOADED).
    throw new Error(`a wallet name is given twice: ${JSON.stringify(names)}`);
  }
  const wallets = new Map(names.map((name) => [name, new DevWallet(chain, network)] as const));
  const rpc = await startDevRpcServer(
    { chain, network, wallets },
    {
      host: options.host,
      port: options.rpcPort,
      user: options.rpcUser,
      password: options.rpcPassword,
      threads: options.rpcThreads ?? DEFAULT_RPC_THREADS,
      workQueue: options.rpcWorkQueue ?? DEFAULT_RPC_WORK_QUEUE,
    },
  );

  let zmq: Publisher | undefined;
  let zmqUrl: string | undefined;
  if (options.zmqPort !== undefined) {
    const publisher = new Publisher();
    // Port 0 asks ZeroMQ for any free port, as '*'.
    await publisher.bind(`tcp://${options.host}:${options.zmqPort === 0 ? '*' : String(options.zmqPort)}`);
    zmq = publisher;
    zmqUrl = publisher.lastEndpoint ?? undefined;
    let sequence = 0;
    chain.onBlockConnected((hash) => {
      // [Bitcoin Core doc/zmq.md] topic, the hash as RPC prints it, a 4-byte LE sequence.
      const counter = Buffer.alloc(4);
      counter.writeUInt32LE(sequence++ >>> 0);
      publisher.send(['hashblock', Buffer.from(hash, 'hex'), counter]).catch(() => {
        // A publisher with no subscriber drops messages; nothing to do.
      });
    });
  }

  const timers: NodeJS.Timeout[] = [];
  if (options.networkBlockIntervalMs > 0) {
    timers.push(
      setInterval(() => {
        chain.addNetworkBlock();
      }, options.networkBlockIntervalMs),
    );
  }
  if (options.transactionIntervalMs > 0) {
    timers.push(
      setInterval(() => {
        chain.refillMempool();
      }, options.transactionIntervalMs),
    );
  }
  for (const timer of timers) {
    timer.unref();
  }

  return {
    chain,
    get wallet() {
      const [first] = wallets.values();
      if (!first) {
        throw new Error('the devchain was started with no wallet loaded');
      }
      return first;
    },
    wallets,
    rpcUrl: rpc.url,
    zmqUrl,
    faults: rpc.faults,
    get rpcQueue() {
      return rpc.load;
    },
    beginShutdown() {
      rpc.beginShutdown();
    },
    async stop() {
      for (const timer of timers) {
        clearInterval(timer);
      }
      await rpc.close();
      zmq?.close();
    },
  };
}

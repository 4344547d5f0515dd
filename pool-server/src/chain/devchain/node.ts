import type { Server } from 'node:http';
import { Publisher } from 'zeromq';
import { DevChain } from './chain.ts';
import { startDevRpcServer } from './rpc-server.ts';
import { DevWallet } from './wallet.ts';

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
}

export interface DevNode {
  readonly chain: DevChain;
  readonly wallet: DevWallet;
  readonly rpcUrl: string;
  readonly zmqUrl: string | undefined;
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
  });
  const wallet = new DevWallet(chain);
  const rpc: Server & { url: string } = await startDevRpcServer(
    { chain, wallet },
    {
      host: options.host,
      port: options.rpcPort,
      user: options.rpcUser,
      password: options.rpcPassword,
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
    wallet,
    rpcUrl: rpc.url,
    zmqUrl,
    async stop() {
      for (const timer of timers) {
        clearInterval(timer);
      }
      rpc.closeAllConnections();
      await new Promise<void>((resolve) => {
        rpc.close(() => {
          resolve();
        });
      });
      zmq?.close();
    },
  };
}

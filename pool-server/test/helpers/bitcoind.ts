/**
 * A real Bitcoin Core on regtest for the tests that can use one: `BITCOIND=/path/to/bitcoind`
 * names the binary. Each call starts a node of its own on free ports in a temporary data
 * directory, with Core's default RPC limits unless told otherwise.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BitcoinRpcClient, RpcError } from '../../src/chain/rpc-client.ts';
import { freePort } from './embedded-postgres.ts';
import { startProcess, type TestProcess } from './processes.ts';

/** The bitcoind binary the real-node tests run, when the environment names one. */
export const BITCOIND = process.env.BITCOIND;

/** Says once, on the test's output, why the real-node tests of a file do not run. */
export function noticeWithoutBitcoind(file: string): void {
  if (BITCOIND === undefined) {
    process.stderr.write(
      `${file}: skipped, no real bitcoind; set BITCOIND=/path/to/bitcoind to run these tests against Bitcoin Core on regtest\n`,
    );
  }
}

export interface RealNode {
  readonly rpcUrl: string;
  readonly zmqUrl: string;
  readonly auth: { readonly user: string; readonly password: string };
  /** A client of the node's RPC (of `/wallet/<name>` when given). */
  client(wallet?: string): BitcoinRpcClient;
  readonly process: TestProcess;
  stop(): Promise<void>;
}

export interface RealNodeOptions {
  /** Wallets created at start (and so loaded); none by default, as a fresh Core has. */
  readonly wallets?: readonly string[];
  /** -rpcthreads / -rpcworkqueue; Core's defaults when absent. */
  readonly rpcThreads?: number;
  readonly rpcWorkQueue?: number;
}

const READY_WITHIN_MS = 60_000;

/** Starts bitcoind -regtest and waits until its RPC answers (past -28 "warming up"). */
export async function startBitcoind(options: RealNodeOptions = {}): Promise<RealNode> {
  if (BITCOIND === undefined) {
    throw new Error('BITCOIND is not set');
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-bitcoind-'));
  const [rpcPort, zmqPort, p2pPort] = [await freePort(), await freePort(), await freePort()];
  const auth = { user: 'hashwatt', password: 'regtest-only-password' };
  const started = startProcess(
    BITCOIND,
    [
      '-regtest',
      `-datadir=${dataDir}`,
      '-server',
      '-listen=0',
      `-port=${String(p2pPort)}`,
      `-rpcport=${String(rpcPort)}`,
      '-rpcbind=127.0.0.1',
      '-rpcallowip=127.0.0.1',
      `-rpcuser=${auth.user}`,
      `-rpcpassword=${auth.password}`,
      `-zmqpubhashblock=tcp://127.0.0.1:${String(zmqPort)}`,
      // The wallet pays with a fee rate of its own when there is no estimate, as on a fresh regtest chain.
      '-fallbackfee=0.0001',
      ...(options.rpcThreads === undefined ? [] : [`-rpcthreads=${String(options.rpcThreads)}`]),
      ...(options.rpcWorkQueue === undefined ? [] : [`-rpcworkqueue=${String(options.rpcWorkQueue)}`]),
    ],
    process.env,
  );
  const rpcUrl = `http://127.0.0.1:${String(rpcPort)}/`;
  const client = (wallet?: string): BitcoinRpcClient =>
    new BitcoinRpcClient({
      url: wallet === undefined ? rpcUrl : `${rpcUrl}wallet/${encodeURIComponent(wallet)}`,
      auth,
      timeoutMs: 30_000,
      retries: 0,
      retryDelayMs: 100,
    });
  const stop = async (): Promise<void> => {
    await started.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + READY_WITHIN_MS;
    for (;;) {
      if (started.child.exitCode !== null) {
        throw new Error(`bitcoind exited (${String(started.child.exitCode)}): ${started.output()}`);
      }
      try {
        await client().call('getblockchaininfo');
        break;
      } catch (error) {
        if (!(error instanceof RpcError) || Date.now() > deadline) {
          throw error;
        }
        await sleep(200);
      }
    }
    for (const wallet of options.wallets ?? []) {
      await client().call('createwallet', [wallet]);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { rpcUrl, zmqUrl: `tcp://127.0.0.1:${String(zmqPort)}`, auth, client, process: started, stop };
}

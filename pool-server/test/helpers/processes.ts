/**
 * Real processes for the tests that kill and restart them: the pool (bin/hashwatt.js),
 * a NATS server with JetStream of the test's own, HAProxy. Each keeps its output for
 * the failure message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from './embedded-postgres.ts';

const BIN = fileURLToPath(new URL('../../bin/hashwatt.js', import.meta.url));

/** Debian installs servers in /usr/sbin, which a user's PATH may lack. */
export const systemBinary = (name: string): string =>
  ['/usr/sbin', '/usr/bin'].map((folder) => `${folder}/${name}`).find((file) => existsSync(file)) ?? name;

export interface TestProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
  /** SIGTERM (or the signal given), and its exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startProcess(command: string, args: readonly string[], env: NodeJS.ProcessEnv): TestProcess {
  let output = '';
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const keep = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
    // A command that cannot start (not installed): no exit event comes, and the test says why.
    child.once('error', (error) => {
      output += `cannot start ${command}: ${error.message}`;
      resolve(null);
    });
  });
  return {
    child,
    exited,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
      }
      return exited;
    },
  };
}

/** The pool's command line with these HASHWATT_* settings over the test's environment. */
export function startPoolProcess(settings: Record<string, string>): TestProcess {
  return startProcess(process.execPath, [BIN], { ...process.env, ...settings });
}

/** The ports a pool process of a test listens on: Stratum, the API, the devchain's RPC and ZMQ. */
export interface PoolPorts {
  readonly stratum: number;
  readonly api: number;
  readonly rpc: number;
  readonly zmq: number;
}

export async function freePoolPorts(): Promise<PoolPorts> {
  return { stratum: await freePort(), api: await freePort(), rpc: await freePort(), zmq: await freePort() };
}

/** The settings placing a pool process on its database, data folder and ports, logging warnings only. */
export function poolPlacement(
  databaseUrl: string,
  dataDir: string,
  ports: PoolPorts,
): Record<string, string> {
  return {
    HASHWATT_DATABASE_URL: databaseUrl,
    HASHWATT_DATA_DIR: dataDir,
    HASHWATT_STRATUM_PORT: String(ports.stratum),
    HASHWATT_API_PORT: String(ports.api),
    HASHWATT_DEVCHAIN_RPC_PORT: String(ports.rpc),
    HASHWATT_DEVCHAIN_ZMQ_PORT: String(ports.zmq),
    HASHWATT_LOG_LEVEL: 'warn',
  };
}

/** No share may be a block: the chain stays put while the test's miners work. */
export const CHAIN_STANDS_STILL: Readonly<Record<string, string>> = {
  HASHWATT_DEVCHAIN_DIFFICULTY: '1000000',
  HASHWATT_STRATUM_MIN_DIFFICULTY: '0.00001',
};

/** A NATS server with JetStream on `port`, keeping its stream in `storeDir` across restarts. */
export function startNatsServer(port: number, storeDir: string): TestProcess {
  return startProcess(
    systemBinary('nats-server'),
    ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir],
    process.env,
  );
}

export const reachable = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });

/** Waits until the process accepts connections on `port`; fails with its output when it exits or takes two minutes. */
export async function untilListening(started: TestProcess, port: number): Promise<void> {
  // The pool loads itself through tsx, seconds of CPU: a minute or more when the machine is busy.
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) {
      throw new Error(`exited (${String(started.child.exitCode)}): ${started.output()}`);
    }
    if (await reachable(port)) {
      return;
    }
    await sleep(250);
  }
  throw new Error(`not listening on ${String(port)} within 120 s: ${started.output()}`);
}

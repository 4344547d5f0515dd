/**
 * What stratum-load.ts measures against one server (the pool or the bare floor): paced
 * loads, the pool's closed loop, a new block's fan-out, each with the server's CPU, its
 * event loop and, for the pool, how far its database lagged behind its replies.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { encodeNotification } from '../src/stratum/messages.ts';
import { sendToConnect } from './found-shares.ts';
import { cpuSecondsPerMillion } from './stratum-goals.ts';
import { Child } from './ipc-child.ts';
import { busyPercent, machineCpu, type ProcessLoad } from './process-load.ts';
import type { PoolLoad } from './stratum-server.ts';
import { connectMany } from './stratum-miner.ts';
import { percentile, throughput, type Throughput } from './stratum-throughput.ts';

/** What a server reports of itself: the floor its process's figures, the pool also its Stratum loop's and blocks'. */
export type ServerLoad = ProcessLoad & Partial<Omit<PoolLoad, keyof ProcessLoad>>;

/** Miners per client process: well under the 20,000 open files a process may have here. */
export const MINERS_PER_CLIENT = 17_000;

export interface Settings {
  readonly loadConnections: number;
  readonly inFlight: number;
  readonly seconds: number;
  /** The paced rates, shares/s, in the order measured. */
  readonly rates: readonly number[];
  readonly fanOutConnections: number;
  /** How long the fan-out waits for the miners' arrivals, and before the block for the servers' quiet CPU. */
  readonly fanOutWaitMs: number;
}

export interface Server {
  readonly child: Child;
  readonly port: number;
}

export async function startServer(script: string, environment: Record<string, string>): Promise<Server> {
  const child = new Child(script, { environment });
  const { port } = (await child.next('ready')) as { port: number };
  return { child, port };
}

/** Miners in forked processes; resolves when all are authorized and have a job. */
export async function clientProcesses(port: number, count: number, difficulty: number): Promise<Child[]> {
  const clients: Child[] = [];
  for (let offset = 0; offset < count; offset += MINERS_PER_CLIENT) {
    const client = new Child('./stratum-clients.ts', { nodeFlags: ['--expose-gc'] });
    await client.next('ready');
    clients.push(client);
  }
  await Promise.all(
    clients.map((client, index) =>
      client.ask('connect', 'connected', {
        port,
        offset: index * MINERS_PER_CLIENT,
        count: Math.min(MINERS_PER_CLIENT, count - index * MINERS_PER_CLIENT),
        difficulty,
      }),
    ),
  );
  return clients;
}

export interface FanOut {
  readonly minMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly received: number;
  /** CPU the miners' processes used from their watch (before the block) to the end of the wait. */
  readonly minersCpuMs: number;
  /**
   * CPU the server's processes used from the block to the end of the wait, less what they
   * used in as long a quiet wait before it (their timers, the database): 10 ms ticks.
   */
  readonly serverCpuMs: number;
}

const serverLoad = async (server: Child): Promise<ServerLoad> =>
  (await server.ask('load', 'load')) as unknown as ServerLoad;

/** A new block at `server`, timed to each client miner's clean job. */
async function fanOut(server: Child, clients: Child[], waitMs: number): Promise<FanOut> {
  const quietStart = (await serverLoad(server)).cpuMs;
  await sleep(waitMs);
  const quietEnd = (await serverLoad(server)).cpuMs;
  // The miners' CPU is counted from here: they, unlike the server, have nothing to subtract.
  await Promise.all(clients.map((client) => client.ask('watch', 'watching')));
  const { at } = (await server.ask('network-block', 'network-block')) as { at: number };
  await sleep(waitMs);
  const fanOutEnd = (await serverLoad(server)).cpuMs;
  const replies = await Promise.all(clients.map((client) => client.ask('arrivals', 'arrivals')));
  const delays = replies.flatMap((reply) => (reply.arrivals as number[]).map((arrival) => arrival - at));
  const sorted = Float64Array.from(delays).sort();
  return {
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    minMs: sorted[0] ?? Number.NaN,
    maxMs: sorted.at(-1) ?? Number.NaN,
    received: delays.length,
    minersCpuMs: replies.reduce((sum, reply) => sum + Number(reply.cpuMs), 0),
    serverCpuMs: fanOutEnd - quietEnd - (quietEnd - quietStart),
  };
}

/** How far the pool's database was behind its replies when a phase ended, and for how long. */
export interface LedgerLag {
  /** Shares accepted (their replies all in) that the database did not hold yet. */
  readonly backlogShares: number;
  /** From the phase's last reply until the database held every accepted share; undefined: not within LEDGER_WAIT_MS. */
  readonly caughtUpMs: number | undefined;
}

/** How long a phase's end waits for the pool's database to hold every share it accepted. */
export const LEDGER_WAIT_MS = 30_000;

const storedShares = async (server: Child): Promise<number> =>
  Number((await server.ask('stored', 'stored')).shares);

/** Waits until the pool's database holds `expected` shares: the lag behind the replies, now in. */
async function ledgerLag(server: Child, expected: number): Promise<LedgerLag> {
  const start = performance.now();
  const backlogShares = expected - (await storedShares(server));
  if (backlogShares <= 0) {
    return { backlogShares: 0, caughtUpMs: 0 };
  }
  let stored = expected - backlogShares;
  while (stored < expected && performance.now() - start < LEDGER_WAIT_MS) {
    await sleep(20);
    stored = await storedShares(server);
  }
  return { backlogShares, caughtUpMs: stored >= expected ? performance.now() - start : undefined };
}

/**
 * A throughput phase, the server's CPU for it and what held its event loop meanwhile.
 * The CPU is of the server's process and all it started, the pool's PostgreSQL included,
 * from the phase's start until the pool's database holds every share it accepted.
 */
export type Phase = Throughput & {
  readonly cpuMs: number;
  /** Counted in the CPU time. */
  readonly serverProcesses: number;
  /** The server's CPU-seconds per million shares it accepted (the floor accepts all it answers). */
  readonly cpuSecondsPerMillion: number;
  /** The same of the pool's Stratum thread alone, over the same span; NaN for the floor and a pool without counters. */
  readonly stratumThreadCpuSecondsPerMillion: number;
  /** This process's CPU per share answered: the load generator's, whose miners share the cores. */
  readonly loadGeneratorCpuUsPerShare: number;
  /** How busy the machine's cores were through the phase (the pool, the load generator, the database, all). */
  readonly machineBusyPercent: number;
  /** The server's report at the phase's end: its loop delay and GC, the pool's blocks, since the phase began. */
  readonly server: ServerLoad;
  readonly minersLoopDelayP99Ms: number;
  readonly ledger: LedgerLag | undefined;
};

export async function phase(server: Child, run: () => Promise<Throughput>, pool: boolean): Promise<Phase> {
  const storedBefore = pool ? await storedShares(server) : 0;
  const before = await serverLoad(server);
  const machineBefore = machineCpu();
  const generatorBefore = process.cpuUsage();
  const minersLoop = monitorEventLoopDelay({ resolution: 1 });
  minersLoop.enable();
  const result = await run();
  minersLoop.disable();
  const generator = process.cpuUsage(generatorBefore);
  const machineBusy = busyPercent(machineBefore, machineCpu());
  const after = await serverLoad(server);
  // After the load figures: the next phase starts on a ledger that has caught up, and the
  // CPU it took to catch up (storing the phase's last shares) is the phase's.
  const ledger = pool ? await ledgerLag(server, storedBefore + result.answeredAccepted) : undefined;
  const end = pool ? await serverLoad(server) : after;
  const cpuMs = end.cpuMs - before.cpuMs;
  const threadCpuMs = (end.stratumThreadCpuMs ?? Number.NaN) - (before.stratumThreadCpuMs ?? Number.NaN);
  return {
    ...result,
    cpuMs,
    serverProcesses: after.processes,
    cpuSecondsPerMillion: cpuSecondsPerMillion(cpuMs, result.answeredAccepted),
    stratumThreadCpuSecondsPerMillion: cpuSecondsPerMillion(threadCpuMs, result.answeredAccepted),
    loadGeneratorCpuUsPerShare: (generator.user + generator.system) / result.answered,
    machineBusyPercent: machineBusy,
    server: after,
    minersLoopDelayP99Ms: minersLoop.percentile(99) / 1e6,
    ledger,
  };
}

/** What the loads and the fan-out measured against one server. */
export interface Measured {
  /** One phase per paced rate, in Settings.rates' order. */
  readonly paced: readonly Phase[];
  /**
   * As fast as it answers. The floor's rate is the miners' limit, not its own, but its CPU
   * per share there is what batched reads and writes cost a server that only answers.
   */
  readonly closedLoop: Phase;
  readonly fan: FanOut;
  /** The clean-job notify line, as a miner received it. */
  readonly notifyLine: string;
}

/**
 * The paced loads, the closed loop (for the floor too: its own paced-to-closed-loop CPU
 * ratio is what the CPU goal's ratio can be at best) and the fan-out against a started
 * server, which is then stopped.
 */
export async function measure(
  { child: server, port }: Server,
  pool: boolean,
  settings: Settings,
): Promise<Measured> {
  const { loadConnections, inFlight, seconds } = settings;
  const loadMiners = await connectMany(port, loadConnections, 1e-12);
  const job = loadMiners[0]?.job ?? [];
  const notifyLine = encodeNotification('mining.notify', [...job.slice(0, -1), true]);
  // Paced first, lowest rate first: the closed loop leaves a million shares for the writer to store
  // and on the job's duplicate filter, which is not the steady state the latency goals are about.
  const paced: Phase[] = [];
  for (const rate of settings.rates) {
    paced.push(await phase(server, () => throughput(loadMiners, { rate, inFlight, seconds }), pool));
  }
  const closedLoop = await phase(server, () => throughput(loadMiners, { inFlight, seconds }), pool);
  for (const miner of loadMiners) {
    miner.socket.destroy();
  }
  const fanClients = await clientProcesses(port, settings.fanOutConnections, 1);
  const fan = await fanOut(server, fanClients, settings.fanOutWaitMs);
  await Promise.all(fanClients.map((client) => client.exit('close')));
  await server.exit('stop');
  return { paced, closedLoop, fan, notifyLine };
}

/** The found-block phase, and its blocks timed from outside the pool. */
export interface FoundBlocks {
  readonly phase: Phase;
  readonly sendToConnect: ReturnType<typeof sendToConnect>;
}

/** The found-block phase: load at `rate` on a pool whose devchain some of the shares beat. */
export async function foundBlocks(
  { child: server, port }: Server,
  rate: number,
  settings: Settings,
): Promise<FoundBlocks> {
  const loadMiners = await connectMany(port, settings.loadConnections, 1e-12);
  // The phase's own report: what the pool did while connecting is not part of it.
  const result = await phase(
    server,
    () =>
      throughput(loadMiners, {
        rate,
        inFlight: settings.inFlight,
        seconds: settings.seconds,
        recordSends: true,
      }),
    true,
  );
  for (const miner of loadMiners) {
    miner.socket.destroy();
  }
  await server.exit('stop');
  return {
    phase: result,
    sendToConnect: sendToConnect(result.server.blocksConnected ?? [], result.sends ?? []),
  };
}

/**
 * Stratum load generator. Starts the pool in child processes (stratum-server.ts) and
 * drives it over real TCP, from connections spread across 127.0.0.x source addresses:
 *   1. throughput: submits on 200 connections, end to end with replies, first paced at
 *      50,000 shares/s for latency, then pipelined as fast as the pool answers, with the
 *      CPU per share of the pool and of the load generator and how busy the machine was;
 *      after each, how many accepted shares the pool's database did not hold yet, and
 *      how long it took to;
 *   2. notify fan-out: a new block, timed from the moment the node has it to each of
 *      10,000 miners' clean job, and the CPU it took the server and the miners;
 *   3. idle connections: 50,000 authorized miners held, and the memory of the pool.
 * 1 and 2 run against one Stratum process, then two (BENCH_PROCESSES=N: only N). The
 * paced load and the fan-out are then run once more against a bare TCP server that
 * answers every line and writes the pool's notify line (floor-server.ts): the floor
 * these cores set under both.
 * Miners beyond one process's share live in forked stratum-clients.ts processes: every
 * process here may hold at most 20,000 open files.
 * Run: pnpm bench (prints its measures, and records a summary table in
 * bench-results/stratum-load.json). BENCH_QUICK=1 runs a small version (CI checks that
 * it still works); BENCH_PACED_RATE, BENCH_SECONDS, BENCH_FANOUT_CONNECTIONS and
 * BENCH_IDLE_CONNECTIONS size it for a busy machine.
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeNotification } from '../src/stratum/messages.ts';
import { busyPercent, machineCpu, type ProcessLoad } from './process-load.ts';
import { ratio, startBench, type BenchRow } from '../../scripts/bench-record.ts';
import { connectMany } from './stratum-miner.ts';
import { percentile, throughput, type Throughput } from './stratum-throughput.ts';

const QUICK = process.env.BENCH_QUICK === '1';
/**
 * Stratum processes (stratum.processes) for the load and the fan-out: one, then two. Two
 * use both cores and answer 50,000 shares/s with a shorter tail; for the fan-out a second
 * process competes with the receiving miners, all on the same two cores.
 */
const PROCESS_COUNTS = process.env.BENCH_PROCESSES ? [Number(process.env.BENCH_PROCESSES)] : [1, 2];
const LOAD_CONNECTIONS = QUICK ? 20 : 200;
const IN_FLIGHT = 16;
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? (QUICK ? 5_000 : 50_000));
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 1 : 10));
const FANOUT_CONNECTIONS = Number(process.env.BENCH_FANOUT_CONNECTIONS ?? (QUICK ? 200 : 10_000));
/** How long the fan-out waits for the miners' arrivals, and before the block for the servers' quiet CPU. */
const FANOUT_WAIT_MS = QUICK ? 1_000 : 3_000;
const IDLE_CONNECTIONS = Number(process.env.BENCH_IDLE_CONNECTIONS ?? (QUICK ? 600 : 50_000));
/**
 * The servers' niceness (BENCH_SERVER_NICE, default 5): above the load generator's 0, so
 * that when the two cores are oversubscribed the server waits for them, not the miners.
 * The miners stand in for machines of their own, and they keep the clock: a miner held
 * off its cores reads a reply late and adds that wait to the server's time. The server
 * loses the cores to the miners when both want them, which real miners never take.
 */
const SERVER_NICE = Number(process.env.BENCH_SERVER_NICE ?? 5);
/** Miners per client process: well under the 20,000 open files a process may have here. */
const MINERS_PER_CLIENT = 17_000;

interface ChildOptions {
  readonly environment?: Record<string, string>;
  readonly nodeFlags?: string[];
  readonly nice?: number;
}

/** A child process spoken to over IPC: ask(kind) resolves with its next message of that kind. */
class Child {
  readonly process: ChildProcess;
  readonly #waiting = new Map<
    string,
    { resolve: (message: Record<string, unknown>) => void; reject: (error: Error) => void }
  >();

  /** `nice`: the child and all it starts (threads, processes, its database) run at that niceness. */
  constructor(script: string, { environment = {}, nodeFlags = [], nice = 0 }: ChildOptions = {}) {
    const execArgv = ['--import', 'tsx', ...nodeFlags];
    this.process = fork(new URL(script, import.meta.url), [], {
      ...(nice === 0
        ? { execArgv }
        : { execPath: 'nice', execArgv: ['-n', String(nice), process.execPath, ...execArgv] }),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, ...environment },
    });
    this.process.on('message', (message: Record<string, unknown>) => {
      const kind = String(message.kind);
      this.#waiting.get(kind)?.resolve(message);
      this.#waiting.delete(kind);
    });
    // A child that dies (a pool that cannot start) fails the benchmark with its name, not a hang.
    this.process.on('exit', (code, signal) => {
      for (const [kind, waiter] of this.#waiting) {
        waiter.reject(new Error(`${script} exited (${String(signal ?? code)}) before its '${kind}' message`));
      }
      this.#waiting.clear();
    });
  }

  next(kind: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => this.#waiting.set(kind, { resolve, reject }));
  }

  ask(kind: string, reply: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const answer = this.next(reply);
    this.process.send({ kind, ...extra });
    return answer;
  }

  exit(kind: string): Promise<void> {
    const exited = new Promise<void>((resolve) =>
      this.process.once('exit', () => {
        resolve();
      }),
    );
    this.process.send({ kind });
    return exited;
  }
}

async function startServer(
  script: string,
  environment: Record<string, string>,
): Promise<{ server: Child; port: number }> {
  const server = new Child(script, { environment, nice: SERVER_NICE });
  const { port } = (await server.next('ready')) as { port: number };
  return { server, port };
}

const startPool = (processes: number): ReturnType<typeof startServer> =>
  startServer('./stratum-server.ts', { BENCH_PROCESSES: String(processes) });

/** Miners in forked processes; resolves when all are authorized and have a job. */
async function clientProcesses(port: number, count: number, difficulty: number): Promise<Child[]> {
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

interface FanOut {
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

/** A new block at `server`, timed to each client miner's clean job. */
async function fanOut(server: Child, clients: Child[]): Promise<FanOut> {
  const serverCpuMs = async (): Promise<number> =>
    ((await server.ask('load', 'load')) as unknown as ProcessLoad).cpuMs;
  const quietStart = await serverCpuMs();
  await sleep(FANOUT_WAIT_MS);
  const quietEnd = await serverCpuMs();
  // The miners' CPU is counted from here: they, unlike the server, have nothing to subtract.
  await Promise.all(clients.map((client) => client.ask('watch', 'watching')));
  const { at } = (await server.ask('network-block', 'network-block')) as { at: number };
  await sleep(FANOUT_WAIT_MS);
  const fanOutEnd = await serverCpuMs();
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

const CORES = os.cpus().length;
const cpu = `${os.cpus()[0]?.model ?? 'CPU'}, ${String(CORES)} cores, Node ${process.version}`;

/** How far the pool's database was behind its replies when a phase ended, and for how long. */
interface LedgerLag {
  /** Shares accepted (their replies all in) that the database did not hold yet. */
  readonly backlogShares: number;
  /** From the phase's last reply until the database held every accepted share; undefined: not within LEDGER_WAIT_MS. */
  readonly caughtUpMs: number | undefined;
}

/**
 * A throughput phase, the server's CPU time per share answered in it, and what held the
 * event loops meanwhile. The pool's CPU is its Node processes' (not its embedded
 * PostgreSQL's); its loop and GC are its primary process's (the Stratum server's when it
 * runs one process). For the pool, also whether its ledger kept up with the replies.
 */
type Phase = Throughput & {
  readonly cpuUsPerShare: number;
  /** This process's CPU per share answered: the load generator's, whose miners share the cores. */
  readonly loadGeneratorCpuUsPerShare: number;
  /** How busy the machine's cores were through the phase (the pool, the load generator, the database, all). */
  readonly machineBusyPercent: number;
  /** The server's event loop and GC while the phase ran. */
  readonly server: Omit<ProcessLoad, 'cpuMs'>;
  readonly minersLoopDelayP99Ms: number;
  readonly ledger: LedgerLag | undefined;
};

/** How long a phase's end waits for the pool's database to hold every share it accepted. */
const LEDGER_WAIT_MS = 30_000;

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

async function phase(server: Child, run: () => Promise<Throughput>, pool: boolean): Promise<Phase> {
  const storedBefore = pool ? await storedShares(server) : 0;
  const before = (await server.ask('load', 'load')) as unknown as ProcessLoad;
  const machineBefore = machineCpu();
  const generatorBefore = process.cpuUsage();
  const minersLoop = monitorEventLoopDelay({ resolution: 1 });
  minersLoop.enable();
  const result = await run();
  minersLoop.disable();
  const generator = process.cpuUsage(generatorBefore);
  const machineBusy = busyPercent(machineBefore, machineCpu());
  const { cpuMs, ...loop } = (await server.ask('load', 'load')) as unknown as ProcessLoad;
  return {
    ...result,
    cpuUsPerShare: ((cpuMs - before.cpuMs) * 1000) / result.answered,
    loadGeneratorCpuUsPerShare: (generator.user + generator.system) / result.answered,
    machineBusyPercent: machineBusy,
    server: loop,
    minersLoopDelayP99Ms: minersLoop.percentile(99) / 1e6,
    // After the load figures: the next phase starts on a ledger that has caught up.
    ledger: pool ? await ledgerLag(server, storedBefore + result.answeredAccepted) : undefined,
  };
}

/** What the load and the fan-out measured against one server. */
interface Measured {
  readonly paced: Phase;
  /** The pool's only: the floor answers without limit, so its closed loop would only measure the miners. */
  readonly closedLoop: Phase | undefined;
  readonly fan: FanOut;
  /** The clean-job notify line, as a miner received it. */
  readonly notifyLine: string;
}

interface LoadRun extends Measured {
  readonly processes: number;
}

/**
 * 1 + 2: throughput and fan-out against a started server, which is then stopped. `pool`:
 * the pool, whose closed loop and ledger are measured too.
 */
async function measure({ server, port }: { server: Child; port: number }, pool: boolean): Promise<Measured> {
  const loadMiners = await connectMany(port, LOAD_CONNECTIONS, 1e-12);
  const job = loadMiners[0]?.job ?? [];
  const notifyLine = encodeNotification('mining.notify', [...job.slice(0, -1), true]);
  // Paced first: the closed loop leaves a million shares for the writer to store and on the job's
  // duplicate filter, which is not the steady state the 50,000/s latency goal is about.
  const paced = await phase(
    server,
    () => throughput(loadMiners, { rate: PACED_RATE, inFlight: IN_FLIGHT, seconds: SECONDS }),
    pool,
  );
  const loop = pool
    ? await phase(server, () => throughput(loadMiners, { inFlight: IN_FLIGHT, seconds: SECONDS }), true)
    : undefined;
  for (const miner of loadMiners) {
    miner.socket.destroy();
  }
  const fanClients = await clientProcesses(port, FANOUT_CONNECTIONS, 1);
  const fan = await fanOut(server, fanClients);
  await Promise.all(fanClients.map((client) => client.exit('close')));
  await server.exit('stop');
  return { paced, closedLoop: loop, fan, notifyLine };
}

async function loadRun(processes: number): Promise<LoadRun> {
  return { processes, ...(await measure(await startPool(processes), true)) };
}

const bench = startBench({
  id: 'stratum-load',
  title: 'Stratum end to end',
  about:
    "The whole pool runs in child processes on the devchain (`bench/stratum-server.ts`); the load generator drives it over real TCP from connections spread over 127.0.0.x source addresses and, where one process cannot hold the miners, from forked `bench/stratum-clients.ts` processes. Every share is a real, unique share of the current job at a difficulty every hash meets, validated in full; the devchain's difficulty is set so that none is a block. Each server is measured paced (an even offered rate, for latency), then in a closed loop (16 submits in flight per connection, as fast as it answers), then for a new block's clean-job notify to every fan-out miner, timed from the node's new block to each miner's arrival; last, a fresh pool holds idle authorized connections for their memory. The floor is a bare Node TCP server (`bench/floor-server.ts`) that parses each line and answers it and writes the pool's own notify line, measured with the same miners; it has no closed loop because it answers without limit. Pool, floor and load generator share the machine's cores.",
  notes: [
    "What a case means: the servers run at a higher niceness than the load generator (see the conditions), so when the cores are oversubscribed the server waits for them, not the miners, which stand in for machines of their own and keep the clock. A server held off the cores this way reads requests late, so its latencies include waits real miners would not impose; issue 26 changes this method. The fan-out's floor is set by loopback socket writes: on loopback the sender also pays for the receiver's TCP processing, and the receiving miners run on the same cores, so neither the pool nor the bare server can be faster than that here. One process may hold at most 20,000 open files on this machine kind, so the idle connections need several Stratum processes (`stratum.processes`) sharing the port, each with its own node id and extranonce1 range.",
  ],
  command: 'pnpm --filter @hashwatt/pool-server exec tsx bench/stratum-load.ts',
  conditions: {
    'Stratum processes measured (BENCH_PROCESSES)': PROCESS_COUNTS.join(', then '),
    'load connections': LOAD_CONNECTIONS,
    'submits in flight per connection': IN_FLIGHT,
    'paced rate, shares/s (BENCH_PACED_RATE)': PACED_RATE,
    'seconds per throughput phase (BENCH_SECONDS)': SECONDS,
    'fan-out miners (BENCH_FANOUT_CONNECTIONS)': FANOUT_CONNECTIONS,
    'idle connections (BENCH_IDLE_CONNECTIONS)': IDLE_CONNECTIONS,
    'niceness of the pool and of the floor server, and of all they start (BENCH_SERVER_NICE)': SERVER_NICE,
    'niceness of the forked miner client processes': 0,
  },
});

const runs: LoadRun[] = [];
for (const processes of PROCESS_COUNTS) {
  runs.push(await loadRun(processes));
}
const floor = await measure(
  await startServer('./floor-server.ts', { NOTIFY_LINE: runs[0]?.notifyLine ?? '' }),
  false,
);

// 3: idle connections against a fresh pool with enough processes to hold them.
const idleProcesses = Math.max(...PROCESS_COUNTS, Math.ceil(IDLE_CONNECTIONS / MINERS_PER_CLIENT));
const second = await startPool(idleProcesses);
const before = (await second.server.ask('rss', 'rss')) as { rss: number };
const idleClients = await clientProcesses(second.port, IDLE_CONNECTIONS, 1);
await sleep(1_000);
const after = (await second.server.ask('rss', 'rss')) as { rss: number };
await Promise.all(idleClients.map((client) => client.exit('close')));
await second.server.exit('stop');

const formatFanOut = (fan: FanOut): string =>
  `${fan.minMs.toFixed(1)} / ${fan.p50Ms.toFixed(1)} / ${fan.p99Ms.toFixed(1)} / ${fan.maxMs.toFixed(1)} ms`;
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const row = (measure: string, result: string): void => {
  console.log(`| ${measure} | ${result} |`);
};
console.log(
  `\nStratum load: ${cpu}; the pool and the load generator share the machine, the servers at nice ${String(SERVER_NICE)}`,
);
console.log('| measure | result |');
console.log('|---|---:|');
/** The rows of a server's measures; `server` names it, `who` what its CPU and loop figures cover. */
function rows(
  server: string,
  who: { cpu: string; loop: string },
  { paced, closedLoop, fan, notifyLine }: Measured,
): void {
  for (const run of closedLoop ? [paced, closedLoop] : [paced]) {
    row(
      `${server}: end-to-end accepted shares/s, ${String(LOAD_CONNECTIONS)} connections, ${run.offered}`,
      Math.round(run.sharesPerSecond).toLocaleString('en-US'),
    );
    row(
      `${server}:   reply latency p50 / p99 (rejected: ${String(run.rejected)})`,
      `${run.p50Ms.toFixed(2)} ms / ${run.p99Ms.toFixed(2)} ms`,
    );
    row(
      `${server}:   CPU time per share answered (${who.cpu}; the load generator); the machine's ${String(CORES)} cores busy`,
      `${run.cpuUsPerShare.toFixed(1)} us; ${run.loadGeneratorCpuUsPerShare.toFixed(1)} us; ${run.machineBusyPercent.toFixed(0)} %`,
    );
    if (run.ledger) {
      const { backlogShares, caughtUpMs } = run.ledger;
      row(
        `${server}:   shares accepted but not yet in the database at the last reply; time until they all were`,
        `${backlogShares.toLocaleString('en-US')}; ${caughtUpMs === undefined ? `not within ${String(LEDGER_WAIT_MS)} ms` : `${caughtUpMs.toFixed(0)} ms`}`,
      );
    }
    row(
      `${server}:   ${who.loop}: event-loop delay p99 / max, GC pause longest / total; load generator's event-loop delay p99`,
      `${run.server.loopDelayP99Ms.toFixed(1)} / ${run.server.loopDelayMaxMs.toFixed(1)} ms, ${run.server.gcLongestMs.toFixed(1)} / ${run.server.gcTotalMs.toFixed(0)} ms; ${run.minersLoopDelayP99Ms.toFixed(1)} ms`,
    );
  }
  row(
    `${server}: new-block notify (${String(Buffer.byteLength(notifyLine))} bytes) to ${String(FANOUT_CONNECTIONS)} miners, first / p50 / p99 / max (received ${String(fan.received)})`,
    formatFanOut(fan),
  );
  // Every notify costs CPU on both ends of the loopback, all on these cores: that CPU spread
  // over every core is the least time the fan-out could take here, unless part of the
  // server's was spent after its last write (the pool's, on the new job's other work).
  row(
    `${server}:   CPU for the fan-out: the server (from the block, less its quiet CPU; 10 ms ticks) + the miners; that CPU over ${String(CORES)} cores`,
    `${fan.serverCpuMs.toFixed(0)} + ${fan.minersCpuMs.toFixed(0)} ms; ${((fan.serverCpuMs + fan.minersCpuMs) / CORES).toFixed(0)} ms`,
  );
}
for (const run of runs) {
  rows(
    `${String(run.processes)} Stratum process${run.processes === 1 ? '' : 'es'}`,
    { cpu: "the pool's Node processes, all threads", loop: "pool's primary process" },
    run,
  );
}
rows(
  "bare TCP server, no pool (the pool's notify line)",
  { cpu: 'its process, all threads', loop: 'its process' },
  floor,
);
row(
  `idle authorized connections held (${String(idleProcesses)} Stratum processes)`,
  IDLE_CONNECTIONS.toLocaleString('en-US'),
);
row('pool RSS, all processes: before / with them', `${mib(before.rss)} / ${mib(after.rss)}`);
row('RSS per connection', `${((after.rss - before.rss) / IDLE_CONNECTIONS / 1024).toFixed(1)} KiB`);
const ms = (value: number): string => value.toFixed(1);
/** A server's row; the floor's ratios are 1 by definition. */
function summary(server: string, { paced, closedLoop, fan }: Measured, isFloor: boolean): BenchRow {
  return {
    floor: isFloor,
    cells: [
      server,
      Math.round(paced.sharesPerSecond).toLocaleString('en-US'),
      `${ms(paced.p50Ms)} / ${ms(paced.p99Ms)}`,
      ratio(paced.p99Ms, floor.paced.p99Ms),
      paced.cpuUsPerShare.toFixed(1),
      `${ms(paced.server.loopDelayP99Ms)} / ${ms(paced.server.loopDelayMaxMs)}`,
      closedLoop ? Math.round(closedLoop.sharesPerSecond).toLocaleString('en-US') : '—',
      `${ms(fan.p50Ms)} / ${ms(fan.p99Ms)}`,
      ratio(fan.p99Ms, floor.fan.p99Ms),
    ],
  };
}
bench.finish({
  columns: [
    'server',
    `accepted shares/s, paced at ${PACED_RATE.toLocaleString('en-US')}/s`,
    'reply p50 / p99, ms',
    'reply p99 ÷ floor',
    'server CPU µs per share (paced)',
    'server event-loop delay p99 / max, ms (paced)',
    'accepted shares/s, closed loop',
    `new-block notify to ${FANOUT_CONNECTIONS.toLocaleString('en-US')} miners, p50 / p99, ms`,
    'notify p99 ÷ floor',
  ],
  rows: [
    ...runs.map((run) =>
      summary(`pool, ${String(run.processes)} Stratum process${run.processes === 1 ? '' : 'es'}`, run, false),
    ),
    summary('bare TCP server, no pool', floor, true),
    {
      cells: [
        `pool, ${String(idleProcesses)} Stratum process${idleProcesses === 1 ? '' : 'es'} holding ${IDLE_CONNECTIONS.toLocaleString('en-US')} idle authorized connections: RSS of all its processes ${mib(before.rss)} before, ${mib(after.rss)} with them, ${((after.rss - before.rss) / IDLE_CONNECTIONS / 1024).toFixed(1)} KiB each`,
        ...Array.from({ length: 8 }, () => '—'),
      ],
    },
  ],
});
process.exit(0);

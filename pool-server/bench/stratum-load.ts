/**
 * Stratum load benchmark: issue 26's goals measured as ratios to a bare floor in the
 * same run. It starts the pool in child processes (stratum-server.ts) and a bare Node
 * TCP server (floor-server.ts), alternately, in rounds (pool then floor, then floor then
 * pool, and so on: the machine's drift hits both alike), all at this process's niceness,
 * and drives each over real TCP from connections spread across 127.0.0.x addresses:
 *   1. paced loads at two rates (10,000 and 25,000 shares/s), end to end with replies,
 *      with the server's CPU (the pool's: all its processes, PostgreSQL included) and the
 *      delay of the event loop that runs Stratum; for the pool, then a closed loop, and
 *      after each phase how far its database was behind the replies;
 *   2. notify fan-out: a new block, timed from the moment the node has it to each of
 *      10,000 miners' clean job;
 * then, once: 3. found blocks: a pool whose devchain difficulty some of the load's shares
 * meet, at the higher rate, each found share timed to its submitblock by the pool, and
 * from its send to the node's connect from outside; 4. idle connections: 50,000 authorized miners held, and the pool's memory.
 * Miners beyond one process's share live in forked stratum-clients.ts processes: every
 * process here may hold at most 20,000 open files.
 * Run: pnpm bench (prints its measures, and records its table in
 * bench-results/stratum-load.json). BENCH_QUICK=1 runs a small version (CI checks that it
 * still works); BENCH_ROUNDS, BENCH_PACED_RATES, BENCH_LOAD_CONNECTIONS, BENCH_SECONDS,
 * BENCH_FANOUT_CONNECTIONS, BENCH_IDLE_CONNECTIONS and BENCH_BLOCKS size it for a busy
 * machine (a quick run at the full run's rates: BENCH_QUICK=1 BENCH_LOAD_CONNECTIONS=200
 * BENCH_PACED_RATES=10000,25000 BENCH_SECONDS=4). BENCH_LEDGER_FLUSH_INTERVAL_MS sets the
 * pool's ledger.flushIntervalMs, to see how much of its reply tail storage's rhythm makes.
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBench } from '../../scripts/bench-record.ts';
import { difficultyForBlocks } from './stratum-goals.ts';
import {
  clientProcesses,
  foundBlocks,
  measure,
  MINERS_PER_CLIENT,
  startServer,
  type Measured,
  type FoundBlocks,
  type Phase,
  type Settings,
} from './stratum-measure.ts';
import { COLUMNS, goalRows, type Report } from './stratum-report.ts';

const QUICK = process.env.BENCH_QUICK === '1';
/** The pool's Stratum processes (stratum.processes); with several, there is no one Stratum thread to watch. */
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));
const RATES = (process.env.BENCH_PACED_RATES ?? (QUICK ? '2000,5000' : '10000,25000')).split(',').map(Number);
const SETTINGS: Settings = {
  loadConnections: Number(process.env.BENCH_LOAD_CONNECTIONS ?? (QUICK ? 20 : 200)),
  inFlight: 16,
  seconds: Number(process.env.BENCH_SECONDS ?? (QUICK ? 1 : 10)),
  rates: RATES,
  fanOutConnections: Number(process.env.BENCH_FANOUT_CONNECTIONS ?? (QUICK ? 200 : 10_000)),
  fanOutWaitMs: QUICK ? 1_000 : 3_000,
};
const IDLE_CONNECTIONS = Number(process.env.BENCH_IDLE_CONNECTIONS ?? (QUICK ? 600 : 50_000));
/** Blocks the found-block phase expects on average (a Poisson count: a few more or fewer). */
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? (QUICK ? 3 : 10));

for (const [name, value] of Object.entries({ PROCESSES, ROUNDS, IDLE_CONNECTIONS, BLOCKS, ...SETTINGS })) {
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0 || !values.every((each) => Number.isFinite(each) && each > 0)) {
    throw new Error(`stratum-load: ${name} must be positive numbers, got ${String(value)}`);
  }
}
if (RATES.length !== 2 || (RATES[0] ?? 0) >= (RATES[1] ?? 0)) {
  throw new Error(
    'BENCH_PACED_RATES: two paced rates, the lower first (the CPU goal is at the lower, the loop goal at the higher)',
  );
}
const HIGH_RATE = RATES[1] ?? 0;

const startPool = (
  processes: number,
  environment: Record<string, string> = {},
): ReturnType<typeof startServer> =>
  startServer('./stratum-server.ts', { BENCH_PROCESSES: String(processes), ...environment });

const bench = startBench({
  id: 'stratum-load',
  title: 'Stratum end to end',
  about:
    "Issue 26's goals, each pool figure beside a bare floor measured in the same run. The whole pool runs in child processes on the devchain (`bench/stratum-server.ts`); a bare Node TCP server (`bench/floor-server.ts`) that parses each line, answers it and writes the pool's own notify line is the floor. The two run alternately in rounds (pool then floor, then floor then pool, …), at the same niceness as the load generator, which drives each over real TCP from connections spread over 127.0.0.x source addresses and, where one process cannot hold the miners, from forked `bench/stratum-clients.ts` processes. Every share is a real, unique share of the current job at a difficulty every hash meets, validated in full; the devchain's difficulty is set so that none is a block, except in the found-block phase. Each server is measured paced at two rates (an even offered rate, for latency; the lower one for the pool's CPU per share), then in a closed loop (16 submits in flight per connection, as fast as it answers: the pool's CPU per share at saturation is the CPU goal's reference, and the floor's own paced-to-closed-loop ratio shows what that goal can be at best), then for a new block's clean-job notify to every fan-out miner, timed from the node's new block to each miner's arrival. A figure is the median of the rounds, a ratio the median of each round's ratio; the verdict is on that median. Then a pool whose devchain some of the load's shares beat times each found share to its submitblock (the pool's own timing) and, from outside, from the miner's send to the node connecting the block (the load generator's send time, matched by the block's nonce and extranonce2); and a fresh pool holds idle authorized connections for their memory. Pool, floor and load generator share the machine's cores.",
  notes: [
    "What the figures cover: the pool's CPU is that of its process and every process it started, all their threads (the Stratum processes, the embedded database's keeper and its PostgreSQL processes), from /proc in 10 ms ticks; the floor's is its one process. The Stratum event-loop delay is the Stratum thread's own (the pool's `stratumVitals()`) when the pool runs one; otherwise its main thread's, and the row says so. On loopback the sender also pays for the receiver's TCP processing, and the miners run on the same cores, so neither server can be faster than the loopback and the miners allow: that is what the floor measures. One process may hold at most 20,000 open files on this machine kind, so the idle connections need several Stratum processes (`stratum.processes`) sharing the port.",
    "Capacity: the pool's CPU-seconds per million accepted shares, storage included, give the shares one core carries (the row 'shares/s one core carries'). Share validation alone (the share-validation benchmark's shares/s on one core) is only a part of a share's cost; a capacity figure from validation alone overstates what the pool carries several times over.",
  ],
  command: 'pnpm --filter @hashwatt/pool-server exec tsx bench/stratum-load.ts',
  conditions: {
    'rounds, each pool and floor alternately (BENCH_ROUNDS)': ROUNDS,
    "the pool's Stratum processes (BENCH_PROCESSES)": PROCESSES,
    'load connections (BENCH_LOAD_CONNECTIONS)': SETTINGS.loadConnections,
    "the pool's ledger.flushIntervalMs, ms (BENCH_LEDGER_FLUSH_INTERVAL_MS)":
      process.env.BENCH_LEDGER_FLUSH_INTERVAL_MS ?? "the pool's default",
    'submits in flight per connection (closed loop)': SETTINGS.inFlight,
    'paced rates, shares/s (BENCH_PACED_RATES)': RATES.map((rate) => rate.toLocaleString('en-US')).join(', '),
    'seconds per throughput phase, after 1 s of warm-up (BENCH_SECONDS)': SETTINGS.seconds,
    'fan-out miners (BENCH_FANOUT_CONNECTIONS)': SETTINGS.fanOutConnections,
    'blocks expected in the found-block phase (BENCH_BLOCKS)': BLOCKS,
    'idle connections (BENCH_IDLE_CONNECTIONS)': IDLE_CONNECTIONS,
    'niceness of the forked miner client processes': os.getPriority(),
  },
});

/** Every phase of every round, for the console: what the medians in the table come from. */
function printRounds({ pool: pools, floor: floors, blocks: found }: Report): void {
  const ms = (value: number | undefined): string => (value === undefined ? 'unknown' : value.toFixed(1));
  const line = (name: string, phase: Phase): void => {
    console.log(
      `| ${name}, ${phase.offered} | ${Math.round(phase.sharesPerSecond).toLocaleString('en-US')} accepted/s | p50 ${ms(phase.p50Ms)} / p99 ${ms(phase.p99Ms)} ms; rejected ${String(phase.rejected)} (stale ${String(phase.stale)}) | CPU ${phase.cpuSecondsPerMillion.toFixed(1)} s per 1M accepted (${String(phase.serverProcesses)} process${phase.serverProcesses === 1 ? '' : 'es'}); load generator ${phase.loadGeneratorCpuUsPerShare.toFixed(1)} µs/share; machine ${phase.machineBusyPercent.toFixed(0)} % busy | in-thread reply wait p99 ≤ ${phase.server.replyWaitP99AtMostMs === undefined ? 'unknown' : String(phase.server.replyWaitP99AtMostMs)} ms | ${phase.server.loop ?? 'its thread'} loop p99 / max ${ms(phase.server.loopDelayP99Ms)} / ${ms(phase.server.loopDelayMaxMs)} ms, main-thread loop p99 ${ms(phase.server.mainLoopDelayP99Ms ?? phase.server.loopDelayP99Ms)} ms and GC longest / total ${ms(phase.server.gcLongestMs)} / ${ms(phase.server.gcTotalMs)} ms; miners' loop p99 ${ms(phase.minersLoopDelayP99Ms)} ms | database behind: ${phase.ledger ? `${String(phase.ledger.backlogShares)} shares, caught up ${ms(phase.ledger.caughtUpMs)} ms` : '—'} |`,
    );
  };
  console.log(
    `\nStratum load, every phase: ${os.cpus()[0]?.model ?? 'CPU'}, ${String(os.cpus().length)} cores`,
  );
  for (const [round, run] of pools.entries()) {
    for (const [name, measured] of [
      ['pool', run],
      ['floor', floors[round]],
    ] as const) {
      if (!measured) {
        continue;
      }
      for (const phase of [...measured.paced, measured.closedLoop]) {
        line(`round ${String(round + 1)} ${name}`, phase);
      }
      const { fan } = measured;
      console.log(
        `| round ${String(round + 1)} ${name}, new-block notify to ${String(fan.received)} miners | first / p50 / p99 / max ${ms(fan.minMs)} / ${ms(fan.p50Ms)} / ${ms(fan.p99Ms)} / ${ms(fan.maxMs)} ms | CPU: server ${fan.serverCpuMs.toFixed(0)} ms (less its quiet CPU), miners ${fan.minersCpuMs.toFixed(0)} ms |`,
      );
    }
  }
  line('found blocks', found.phase);
  console.log(
    `| found blocks: ms to submitblock as the pool times it; from the miner's send to the node's connect | ${found.phase.server.blockSubmitMs?.map((value) => value.toFixed(1)).join(', ') ?? 'unknown'}; ${found.sendToConnect.ms.map((value) => value.toFixed(1)).join(', ')} |`,
  );
}

/** Every niceness the servers' processes had in any phase: one value when they all ran alike. */
function nicenessOf(runs: readonly Measured[]): string {
  const phases = runs.flatMap((run) => [...run.paced, run.closedLoop]);
  return [...new Set(phases.flatMap((phase) => phase.server.niceness))].sort((a, b) => a - b).join(', ');
}

const pool: Measured[] = [];
const floor: Measured[] = [];
let notifyLine = '';
const runFloor = async (): Promise<void> => {
  floor.push(
    await measure(await startServer('./floor-server.ts', { NOTIFY_LINE: notifyLine }), false, SETTINGS),
  );
};
const runPool = async (): Promise<void> => {
  const run = await measure(await startPool(PROCESSES), true, SETTINGS);
  notifyLine = run.notifyLine;
  pool.push(run);
};
for (let round = 0; round < ROUNDS; round++) {
  // The floor writes the pool's own notify line, so the first round starts with the pool.
  for (const run of round % 2 === 0 ? [runPool, runFloor] : [runFloor, runPool]) {
    await run();
  }
}

// 3: found blocks at the higher rate, on a devchain the load's shares beat now and then.
const blockShares = HIGH_RATE * (SETTINGS.seconds + 1);
const blockDifficulty = difficultyForBlocks(BLOCKS, blockShares);
const blocks: FoundBlocks = await foundBlocks(
  await startPool(PROCESSES, { BENCH_DEVCHAIN_DIFFICULTY: String(blockDifficulty) }),
  HIGH_RATE,
  SETTINGS,
);

// 4: idle connections against a fresh pool with enough processes to hold them.
const idleProcesses = Math.max(PROCESSES, Math.ceil(IDLE_CONNECTIONS / MINERS_PER_CLIENT));
const idlePool = await startPool(idleProcesses);
const before = (await idlePool.child.ask('rss', 'rss')) as { rss: number };
const idleClients = await clientProcesses(idlePool.port, IDLE_CONNECTIONS, 1);
await sleep(1_000);
const after = (await idlePool.child.ask('rss', 'rss')) as { rss: number };
await Promise.all(idleClients.map((client) => client.exit('close')));
await idlePool.child.exit('stop');

const report: Report = {
  settings: SETTINGS,
  pool,
  floor,
  blocks,
  blockDifficulty,
  idle: {
    processes: idleProcesses,
    connections: IDLE_CONNECTIONS,
    rssBefore: before.rss,
    rssWith: after.rss,
  },
};
printRounds(report);
const { rows, verdicts } = goalRows(report);
bench.finish({
  columns: COLUMNS,
  rows,
  conditions: {
    "niceness of every process of the pool (Node, the database's keeper, PostgreSQL), read from /proc in each phase":
      nicenessOf(pool),
    'niceness of the bare floor server, read from /proc in each phase': nicenessOf(floor),
  },
});
console.log(`\ngoals: ${verdicts.map(({ goal, verdict }) => `${goal}: ${verdict}`).join('; ')}`);
process.exit(0);

/**
 * The Stratum benchmark's table: issue 26's goals, each pool figure beside the bare
 * floor's (or, for the CPU goal, the pool's own closed loop) from the same rounds, with
 * the ratio, the goal and the verdict; then the absolute figures the goals rest on.
 */
import type { BenchRow } from '../../scripts/bench-record.ts';
import {
  formatRounds,
  judgeMs,
  judgeRatio,
  median,
  roundRatios,
  rounds,
  sharesPerCore,
  type Judged,
  type Rounds,
} from './stratum-goals.ts';
import { LEDGER_WAIT_MS, type FoundBlocks, type Measured, type Settings } from './stratum-measure.ts';

export const COLUMNS = [
  'measure',
  'median of the rounds (each round)',
  'ratio to the reference, median (each round)',
  'goal (issue 26)',
  'verdict',
];

/** The goals of issue 26, point 2. */
export const GOALS = {
  replyP99TimesFloor: 1.5,
  cpuTimesClosedLoop: 1.3,
  stratumLoopDelayP99Ms: 10,
  fanOutP99TimesFloor: 1.2,
};

/** The idle-connections phase: a fresh pool holding authorized miners that send nothing. */
export interface Idle {
  readonly processes: number;
  readonly connections: number;
  readonly rssBefore: number;
  readonly rssWith: number;
}

export interface Report {
  readonly settings: Settings;
  /** Round by round: the pool's runs and the floor's, paired by index. */
  readonly pool: readonly Measured[];
  readonly floor: readonly Measured[];
  /** The found-block phase at the highest rate, and the devchain difficulty it ran at. */
  readonly blocks: FoundBlocks;
  readonly blockDifficulty: number;
  readonly idle: Idle;
}

const thousands = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'unknown';
const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : 'unknown');
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

const judged = (cells: readonly [string, string], { ratio, goal, verdict }: Judged): BenchRow => ({
  cells: [...cells, ratio, goal, verdict],
});
const plain = (measure: string, value: string, ratio = '—'): BenchRow => ({
  cells: [measure, value, ratio, '—', '—'],
});
/** A floor row: the reference of the pool row before it (1.00×), unless that row has another (`ratio`). */
const floorRow = (measure: string, value: string, ratio = '1.00×'): BenchRow => ({
  floor: true,
  cells: [measure, value, ratio, '—', '—'],
});

/** A figure of each round's run. */
const each = (runs: readonly Measured[], figure: (run: Measured) => number): Rounds =>
  rounds(runs.map(figure));

/** The table's rows, and each goal's verdict for the summary line. */
export interface Verdicts {
  readonly rows: BenchRow[];
  readonly verdicts: readonly { goal: string; verdict: string }[];
}

export function goalRows({ settings, pool, floor, blocks, blockDifficulty, idle }: Report): Verdicts {
  const rows: BenchRow[] = [];
  const verdicts: { goal: string; verdict: string }[] = [];
  const judge = (goal: string, cells: readonly [string, string], judgement: Judged): void => {
    rows.push(judged(cells, judgement));
    verdicts.push({ goal, verdict: judgement.verdict });
  };
  const low = 0;
  const high = settings.rates.length - 1;
  const rateName = (index: number): string => `${thousands(settings.rates[index] ?? Number.NaN)}/s`;

  for (const [index] of settings.rates.entries()) {
    const p99 = (run: Measured): number => run.paced[index]?.p99Ms ?? Number.NaN;
    const p50 = (run: Measured): number => run.paced[index]?.p50Ms ?? Number.NaN;
    const accepted = (run: Measured): number => run.paced[index]?.sharesPerSecond ?? Number.NaN;
    const replies = (runs: readonly Measured[]): string =>
      `${formatRounds(each(runs, p99))} (p50 ${ms(median(runs.map(p50)))}; ${thousands(median(runs.map(accepted)))} accepted/s)`;
    judge(
      `reply p99 at ${rateName(index)}`,
      [`pool: reply p99 at ${rateName(index)} paced, ms`, replies(pool)],
      judgeRatio(roundRatios(pool.map(p99), floor.map(p99)), GOALS.replyP99TimesFloor, "the floor's"),
    );
    rows.push(floorRow(`bare floor: reply p99 at ${rateName(index)} paced, ms`, replies(floor)));
  }

  const closedCpu = (run: Measured): number => run.closedLoop.cpuSecondsPerMillion;
  const pacedCpu = (run: Measured): number => run.paced[low]?.cpuSecondsPerMillion ?? Number.NaN;
  const processes = median(pool.map((run) => run.paced[low]?.serverProcesses ?? Number.NaN));
  judge(
    `CPU per share at ${rateName(low)}`,
    [
      `pool: CPU-seconds per million accepted shares at ${rateName(low)} paced (its ${String(processes)} processes, all threads: Node, the database's keeper and PostgreSQL)`,
      formatRounds(each(pool, pacedCpu)),
    ],
    judgeRatio(
      roundRatios(pool.map(pacedCpu), pool.map(closedCpu)),
      GOALS.cpuTimesClosedLoop,
      'the closed loop',
    ),
  );
  const closedRate = median(pool.map((run) => run.closedLoop.sharesPerSecond));
  rows.push(
    plain(
      `pool: CPU-seconds per million accepted shares in the closed loop (${thousands(closedRate)} accepted/s, ${String(settings.loadConnections)} connections, ${String(settings.inFlight)} in flight each): the reference`,
      formatRounds(each(pool, closedCpu)),
      '1.00×',
    ),
  );
  rows.push(
    floorRow(
      `bare floor: CPU-seconds per million answered shares at ${rateName(low)} paced (its one process), and its ratio to its own closed loop: what the CPU goal's ratio is for a server that only answers`,
      formatRounds(each(floor, pacedCpu)),
      formatRounds(roundRatios(floor.map(pacedCpu), floor.map(closedCpu)), 2, '×'),
    ),
  );
  rows.push(
    floorRow(
      `bare floor: CPU-seconds per million answered shares in the closed loop (${thousands(median(floor.map((run) => run.closedLoop.sharesPerSecond)))} answered/s)`,
      formatRounds(each(floor, closedCpu)),
      '—',
    ),
  );
  const threadPaced = (run: Measured): number =>
    run.paced[low]?.stratumThreadCpuSecondsPerMillion ?? Number.NaN;
  const threadClosed = (run: Measured): number => run.closedLoop.stratumThreadCpuSecondsPerMillion;
  rows.push(
    plain(
      `pool: its Stratum thread alone (sockets, sessions, validation, the journal, replies), CPU-seconds per million accepted shares at ${rateName(low)} paced, and its ratio to the floor's process at that rate; in the closed loop`,
      `${formatRounds(each(pool, threadPaced))}; ${formatRounds(each(pool, threadClosed))}`,
      formatRounds(roundRatios(pool.map(threadPaced), floor.map(pacedCpu)), 2, '×'),
    ),
  );
  rows.push(
    plain(
      `pool: shares/s one core carries, storage included (1,000,000 ÷ CPU-seconds per million): closed loop; at ${rateName(low)} paced`,
      `${thousands(sharesPerCore(median(pool.map(closedCpu))))}; ${thousands(sharesPerCore(median(pool.map(pacedCpu))))}`,
    ),
  );

  const loopP99 = (run: Measured): number => run.paced[high]?.server.loopDelayP99Ms ?? Number.NaN;
  const loopMax = (run: Measured): number => run.paced[high]?.server.loopDelayMaxMs ?? Number.NaN;
  const loops = (runs: readonly Measured[]): string =>
    `${formatRounds(each(runs, loopP99))} (max ${ms(median(runs.map(loopMax)))})`;
  const loopName = pool[0]?.paced[high]?.server.loop ?? 'main thread';
  judge(
    `Stratum loop delay at ${rateName(high)}`,
    [
      `pool (${loopName === 'Stratum thread' ? "the Stratum thread's loop" : "its main thread's loop: the pool offers no Stratum-thread vitals"}): event-loop delay p99 at ${rateName(high)} paced, ms`,
      loops(pool),
    ],
    judgeMs(each(pool, loopP99), GOALS.stratumLoopDelayP99Ms),
  );
  rows.push(
    floorRow(
      `bare floor (its one thread): event-loop delay p99 at ${rateName(high)} paced, ms`,
      loops(floor),
    ),
  );

  const fanP99 = (run: Measured): number => run.fan.p99Ms;
  const fans = (runs: readonly Measured[]): string =>
    `${formatRounds(each(runs, fanP99))} (p50 ${ms(median(runs.map((run) => run.fan.p50Ms)))}; received ${thousands(median(runs.map((run) => run.fan.received)))})`;
  const fanName = `new-block notify to ${thousands(settings.fanOutConnections)} miners, p99, ms`;
  judge(
    'fan-out p99',
    [`pool: ${fanName}`, fans(pool)],
    judgeRatio(roundRatios(pool.map(fanP99), floor.map(fanP99)), GOALS.fanOutP99TimesFloor, "the floor's"),
  );
  rows.push(floorRow(`bare floor: ${fanName}`, fans(floor)));

  rows.push(...foundBlockRows(blocks, blockDifficulty, rateName(high)));
  rows.push(...poolDetailRows(pool, rateName(high), high));
  rows.push(
    plain(
      `pool, ${String(idle.processes)} Stratum process${idle.processes === 1 ? '' : 'es'}: ${thousands(idle.connections)} idle authorized connections held; RSS of all its processes before / with them, and per connection`,
      `${mib(idle.rssBefore)} / ${mib(idle.rssWith)}; ${((idle.rssWith - idle.rssBefore) / idle.connections / 1024).toFixed(1)} KiB`,
    ),
  );
  return { rows, verdicts };
}

/** "median / p99 / max (n blocks)" of a few timings. */
function spread(timings: readonly number[]): string {
  const sorted = [...timings].sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? Number.NaN;
  return `${ms(median(sorted))} / ${ms(p99)} / ${ms(sorted.at(-1) ?? Number.NaN)} (${String(sorted.length)} blocks)`;
}

/** Issue 26 point 4: each found share's way to the node, as the pool times it and as seen from outside. */
function foundBlockRows({ phase, sendToConnect }: FoundBlocks, difficulty: number, rate: string): BenchRow[] {
  const connected = phase.server.blocksConnected?.length ?? 0;
  const timings = phase.server.blockSubmitMs;
  const noBlock = 'unknown: no block was found in the phase';
  let inside =
    timings === undefined ? 'unknown: the pool offers no Stratum-thread vitals (stratumVitals())' : noBlock;
  if (timings !== undefined && timings.length > 0) {
    inside = spread(timings);
  }
  const outside = sendToConnect.ms.length > 0 ? spread(sendToConnect.ms) : noBlock;
  return [
    plain(
      `pool, found blocks under load (devchain difficulty ${difficulty.toExponential(2)}, ${rate} paced; ${String(connected)} blocks connected, ${String(phase.stale)} stale rejects of ${thousands(phase.answered)} shares, reply p99 ${ms(phase.p99Ms)} ms): each found share to its submitblock sent, as the pool times it (stratumVitals().blockSubmitMs), median / p99 / max, ms`,
      inside,
    ),
    plain(
      `pool, the same blocks seen from outside: each found share from its send by the miner to the node (the devchain, in the pool's main thread) connecting its block, median / p99 / max, ms${sendToConnect.unmatched > 0 ? ` (${String(sendToConnect.unmatched)} blocks not matched to a share)` : ''}`,
      outside,
    ),
  ];
}

/** The pool's storage at the highest rate: how far the database was behind, the Stratum thread's hand-over. */
function poolDetailRows(pool: readonly Measured[], rate: string, high: number): BenchRow[] {
  const phases = pool.map((run) => run.paced[high]);
  const backlog = median(phases.map((run) => run?.ledger?.backlogShares ?? Number.NaN));
  const caughtUp = phases.map((run) => run?.ledger?.caughtUpMs);
  const rows = [
    plain(
      `pool at ${rate} paced: accepted shares not yet in the database at the last reply; time until they all were, ms`,
      `${thousands(backlog)}; ${caughtUp.some((value) => value === undefined) ? `not within ${String(LEDGER_WAIT_MS)} ms in a round` : formatRounds(rounds(caughtUp.map(Number)), 0)}`,
    ),
  ];
  const roundTrips = phases.map((run) => run?.server.storeRoundTripP99Ms);
  if (roundTrips.some((value) => value !== undefined)) {
    rows.push(
      plain(
        `pool at ${rate} paced: batches handed to storage, round trip p99, ms`,
        formatRounds(rounds(roundTrips.map((value) => value ?? Number.NaN))),
      ),
    );
  }
  return rows;
}

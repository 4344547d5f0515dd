/**
 * The Stratum V2 benchmark's table: each V2 figure beside V1's from the same rounds on the
 * same pool (the ratio, median of each round's), the Noise costs beside a raw sha256d, and
 * the idle connections a GiB of the pool's memory holds for each protocol.
 */
import type { BenchRow } from '../../scripts/bench-record.ts';
import { formatRounds, median, roundRatios, rounds, type Rounds } from './stratum-goals.ts';
import type { ChannelKind } from './stratum-v2-miner.ts';
import { SUCCESS_BATCH_SHARES, type NoiseCosts } from './stratum-v2-noise.ts';
import type { Throughput } from './stratum-throughput.ts';

export const COLUMNS = [
  'measure',
  'median of the rounds (each round)',
  'ratio to the reference (V1, or the sha256d floor), median (each round)',
];

export type Protocol = 'V1' | ChannelKind;

/** One protocol's phases in one round, and the pool's CPU for each. */
export interface ProtocolRun {
  readonly paced: Throughput;
  readonly closedLoop: Throughput;
  /** The pool's CPU (all its processes) per share it answered in the closed loop, µs. */
  readonly closedLoopCpuUsPerShare: number;
}

export type Round = Readonly<Record<Protocol, ProtocolRun>> & {
  /** The paced phases' rate, shares/s: the same for every protocol of the round. */
  readonly rate: number;
  readonly noise: NoiseCosts;
};

/** The pool's memory at one reading, after a full collection. */
export interface Memory {
  /** Resident memory of its processes. */
  readonly rss: number;
  /** The JavaScript heap in use and the buffers held by the thread that runs Stratum: live objects only. */
  readonly live: number;
}

/** Idle authorized connections held by the pool: its memory before and with them. */
export interface Idle {
  readonly connections: number;
  readonly before: Memory;
  readonly with: Memory;
}

export interface Report {
  readonly connections: number;
  readonly inFlight: number;
  readonly group: number;
  readonly rounds: readonly Round[];
  readonly idle: Readonly<Record<'V1' | 'V2', Idle>>;
}

const NAMES: Readonly<Record<Protocol, string>> = {
  V1: 'V1',
  standard: 'V2, standard channels',
  extended: 'V2, extended channels',
};

const thousands = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'unknown';
const fixed = (value: number, digits = 1): string =>
  Number.isFinite(value) ? value.toFixed(digits) : 'unknown';
const times = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'unknown');

const row = (measure: string, value: string, ratio: string, floor = false): BenchRow => ({
  cells: [measure, value, ratio],
  ...(floor && { floor }),
});

/** A figure of each round for `protocol`, its cell and, beside V1's, the ratio cell. */
function compared(
  report: Report,
  protocol: Protocol,
  figure: (run: ProtocolRun) => number,
  digits: number,
): { value: string; ratio: string; each: Rounds } {
  const values = report.rounds.map((round) => figure(round[protocol]));
  const reference = report.rounds.map((round) => figure(round.V1));
  return {
    value: formatRounds(rounds(values), digits),
    ratio: protocol === 'V1' ? '1.00× (the reference)' : formatRounds(roundRatios(values, reference), 2, '×'),
    each: rounds(values),
  };
}

function throughputRows(report: Report): BenchRow[] {
  const rows: BenchRow[] = [];
  const protocols: readonly Protocol[] = ['V1', 'standard', 'extended'];
  for (const protocol of protocols) {
    const { value, ratio } = compared(report, protocol, (run) => run.closedLoop.sharesPerSecond, 0);
    rows.push(
      row(
        `${NAMES[protocol]}: accepted shares/s, closed loop (${String(report.connections)} connections, ${String(report.inFlight)} shares in flight each)`,
        value,
        ratio,
      ),
    );
  }
  for (const protocol of protocols) {
    const { value, ratio } = compared(report, protocol, (run) => run.closedLoopCpuUsPerShare, 1);
    rows.push(
      row(
        `${NAMES[protocol]}: the pool's CPU per share in the closed loop, µs (all its processes and threads, PostgreSQL included)`,
        value,
        ratio,
      ),
    );
  }
  const rates = rounds(report.rounds.map((round) => round.rate));
  for (const protocol of protocols) {
    const p99 = compared(report, protocol, (run) => run.paced.p99Ms, 1);
    const p50 = compared(report, protocol, (run) => run.paced.p50Ms, 2);
    const accepted = median(report.rounds.map((round) => round[protocol].paced.sharesPerSecond));
    rows.push(
      row(
        `${NAMES[protocol]}: reply p99 (p50) paced at ${formatRounds(rates, 0)} shares/s, ${String(report.group)} at a time to one connection, ms`,
        `${p99.value} (p50 ${fixed(p50.each.median, 2)}; ${thousands(accepted)} accepted/s)`,
        protocol === 'V1' ? p99.ratio : `${p99.ratio} (p50 ${p50.ratio.split(' ')[0] ?? ''})`,
      ),
    );
  }
  return rows;
}

function noiseRows(report: Report): BenchRow[] {
  const noise = report.rounds.map((round) => round.noise);
  const sha = rounds(noise.map((costs) => costs.sha256dUs));
  const each = (figure: (costs: NoiseCosts) => number, digits: number): { value: string; ratio: string } => {
    const values = noise.map(figure);
    return {
      value: formatRounds(rounds(values), digits),
      ratio: formatRounds(roundRatios(values, sha.rounds), 1, '×'),
    };
  };
  const rows = [
    row('one sha256d of an 80-byte header (node:crypto), µs', formatRounds(sha, 3), '1.00×', true),
  ];
  for (const kind of ['standard', 'extended'] as const) {
    const cost = (costs: NoiseCosts): NoiseCosts['shares'][number] | undefined =>
      costs.shares.find((share) => share.kind === kind);
    const first = noise[0] && cost(noise[0]);
    const message = kind === 'standard' ? 'SubmitSharesStandard' : 'SubmitSharesExtended';
    const both = each((costs) => cost(costs)?.bothEndsUs ?? Number.NaN, 2);
    rows.push(
      row(
        `Noise, ${message} (${String(first?.submitWireBytes ?? 'unknown')} bytes encrypted) and a SubmitShares.Success (${String(first?.successWireBytes ?? 'unknown')} bytes): encrypted and decrypted, both ends, µs per share`,
        both.value,
        both.ratio,
      ),
    );
    const pool = each((costs) => cost(costs)?.poolUs ?? Number.NaN, 2);
    const batched = each((costs) => cost(costs)?.poolBatchedUs ?? Number.NaN, 2);
    rows.push(
      row(
        `Noise at the pool, ${message}: decrypted, with a Success encrypted per share; per ${String(SUCCESS_BATCH_SHARES)} shares as the pool acknowledges, µs per share`,
        `${pool.value}; ${batched.value}`,
        `${pool.ratio}; ${batched.ratio}`,
      ),
    );
  }
  const poolHandshake = each((costs) => costs.handshakePoolMs * 1000, 0);
  const minerHandshake = each((costs) => costs.handshakeMinerMs * 1000, 0);
  rows.push(
    row(
      "Noise NX handshake (secp256k1 ECDH in OpenSSL, ElligatorSwift in JavaScript): the pool's side; the miner's (with the certificate check), ms",
      `${formatRounds(rounds(noise.map((costs) => costs.handshakePoolMs)), 1)}; ${formatRounds(rounds(noise.map((costs) => costs.handshakeMinerMs)), 1)}`,
      `${poolHandshake.ratio}; ${minerHandshake.ratio}`,
    ),
  );
  return rows;
}

const MIB = 2 ** 20;
const GIB = 2 ** 30;

function idleRows({ idle }: Report): BenchRow[] {
  const added = (entry: Idle, field: keyof Memory): number => entry.with[field] - entry.before[field];
  const perGiB = (entry: Idle): number =>
    added(entry, 'rss') > 0 ? entry.connections / (added(entry, 'rss') / GIB) : Number.NaN;
  const liveEach = (entry: Idle): number => added(entry, 'live') / entry.connections;
  const describe = (entry: Idle): string => {
    const rss = added(entry, 'rss');
    const live = `live heap and buffers ${fixed(liveEach(entry) / 1024)} KiB each`;
    return rss > 0
      ? `${thousands(perGiB(entry))} per GiB of RSS (${fixed(rss / MIB)} MiB for ${thousands(entry.connections)}, ${fixed(rss / entry.connections / 1024)} KiB each); ${live}`
      : `unknown: the pool's RSS fell by ${fixed(-rss / MIB)} MiB while ${thousands(entry.connections)} connected; ${live}`;
  };
  return [
    row(
      "V1: idle authorized connections (subscribed, authorized, a job received) per GiB of the pool's RSS",
      describe(idle.V1),
      '1.00× (the reference)',
    ),
    row(
      "V2: idle connections (Noise done, SetupConnection, a standard channel open, its job received) per GiB of the pool's RSS",
      describe(idle.V2),
      `${times(perGiB(idle.V2) / perGiB(idle.V1))}; live memory per connection ${times(liveEach(idle.V2) / liveEach(idle.V1))} V1's`,
    ),
  ];
}

export function reportRows(report: Report): BenchRow[] {
  return [...throughputRows(report), ...noiseRows(report), ...idleRows(report)];
}

/**
 * Shares submitted as fast as the pool answers (closed loop) or at a set rate, on
 * miners already subscribed and authorized; the replies counted and timed. Used by
 * stratum-load.ts and scale-out.ts.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOAD_WORKER, now, type Miner } from './stratum-miner.ts';

export function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

/** How long a phase waits at its end for the pool to answer what was sent (V2 acknowledgements come within 1 s). */
export const DRAIN_WAIT_MS = 30_000;

export interface Throughput {
  offered: string;
  sharesPerSecond: number;
  rejected: number;
  /** Of the rejected, those refused as stale (error 21): shares of a job a found block replaced, still in flight. */
  stale: number;
  p50Ms: number;
  p99Ms: number;
  /** Replies to this phase's shares, warm-up and drain included: what the pool's CPU for the phase paid for. */
  answered: number;
  /** Of those, the accepted: what the pool's ledger must store. */
  answeredAccepted: number;
  /** With `recordSends`: when each miner sent each of its shares. */
  sends: readonly MinerSends[] | undefined;
}

/** One miner's shares in a phase: the k-th share (nonce k + 1) was sent at sentAt[k], ms since the epoch. */
export interface MinerSends {
  readonly extranonce2: string;
  readonly sentAt: readonly number[];
}

/** How one phase loads its connections; see `measureWindow`. */
export interface LoadSettings {
  readonly rate: number | undefined;
  readonly inFlight: number;
  readonly group: number;
  /** Seconds measured, after 1 s of warm-up. */
  readonly seconds: number;
}

/** What a phase's reply handlers read: whether an answer is counted and timed, and whether the load goes on. */
export interface LoadWindow {
  measuring: boolean;
  running: boolean;
}

/**
 * One phase's window, the same for V1 miners and V2 channels: the load started on
 * `submitters` (startLoad), 1 s of warm-up, `seconds` with `window.measuring` set, then
 * the load stopped (`window.running` cleared) and, for at most DRAIN_WAIT_MS, the answers
 * to what was sent awaited (`outstanding` counts those not yet in): the next phase starts
 * on quiet connections, or a backlog's replies would be timed in it. Returns the seconds
 * measured.
 */
export async function measureWindow(
  window: LoadWindow,
  submitters: readonly (() => void)[],
  settings: LoadSettings,
  outstanding: () => number,
): Promise<number> {
  const stopPacing = startLoad(submitters, settings);
  await sleep(1_000); // warm-up
  window.measuring = true;
  const start = now();
  await sleep(settings.seconds * 1000);
  window.measuring = false;
  const seconds = (now() - start) / 1000;
  window.running = false;
  stopPacing();
  for (let waited = 0; outstanding() > 0 && waited < DRAIN_WAIT_MS; waited += 50) {
    await sleep(50);
  }
  return seconds;
}

/** The median and 99th percentile of a phase's reply times. */
export function latencyPercentiles(latencies: readonly number[]): { p50Ms: number; p99Ms: number } {
  const sorted = Float64Array.from(latencies).sort();
  return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
}

/**
 * Starts the load on `submitters` (each sends one share to its miner or channel). Closed
 * loop (rate undefined): inFlight shares each, the caller sending another per answer.
 * Paced: `rate` shares/s in total on a millisecond tick, `group` at a time to one
 * submitter chosen at random. Returns what stops the pacing.
 */
function startLoad(
  submitters: readonly (() => void)[],
  { rate, inFlight, group }: Omit<LoadSettings, 'seconds'>,
): () => void {
  if (rate === undefined) {
    for (const submit of submitters) {
      for (let share = 0; share < inFlight; share++) {
        submit();
      }
    }
    return () => undefined;
  }
  let due = 0;
  let last = now();
  const pacer = setInterval(() => {
    const at = now();
    due += ((at - last) / 1000) * rate;
    last = at;
    for (; due >= group; due -= group) {
      const submit = submitters[Math.floor(Math.random() * submitters.length)];
      for (let share = 0; share < group; share++) {
        submit?.();
      }
    }
  }, 1);
  return () => {
    clearInterval(pacer);
  };
}

/**
 * Submits unique shares on every miner. Closed loop (rate undefined): inFlight
 * outstanding per miner, each reply sends the next. Paced: `rate` shares/s in total,
 * sent every millisecond tick, whatever the replies do, `group` at a time to one miner
 * (stratum-v2.ts paces V1 as it paces V2, whose acknowledgements come per 8 shares). A
 * share's nonce is its request id.
 */
export async function throughput(
  miners: readonly Miner[],
  {
    rate,
    inFlight,
    seconds: measured,
    recordSends = false,
    group = 1,
  }: { rate?: number; inFlight: number; seconds: number; recordSends?: boolean; group?: number },
): Promise<Throughput> {
  const latencies: number[] = [];
  let accepted = 0;
  let rejected = 0;
  let stale = 0;
  const window: LoadWindow = { measuring: false, running: true };
  let outstanding = 0;
  let answered = 0;
  let answeredAccepted = 0;
  const sends: MinerSends[] = [];
  const submitters = miners.map((miner) => {
    const sentAt = new Float64Array(1 << 16);
    let nonce = 0;
    const extranonce2 = randomBytes(8).toString('hex');
    const log: number[] = [];
    if (recordSends) {
      sends.push({ extranonce2, sentAt: log });
    }
    const submitPrefix = (): string => {
      const [jobId, , , , , , , ntime] = miner.job;
      return `,"method":"mining.submit","params":["${LOAD_WORKER}","${String(jobId)}","${extranonce2}","${String(ntime)}","`;
    };
    let rest = submitPrefix();
    miner.onLine = (line, at) => {
      const id = Number(line.slice(6, line.indexOf(',')));
      if (!Number.isInteger(id)) {
        // A notification. A clean job (a block was found) makes the current one stale: submit on the new one.
        if (line.includes('"mining.notify"') && line.endsWith('true]}')) {
          miner.job = (JSON.parse(line) as { params: string[] }).params;
          rest = submitPrefix();
        }
        return;
      }
      const sent = sentAt[id & 0xffff] ?? 0;
      if (sent === 0) {
        return; // a reply to an earlier phase, late
      }
      sentAt[id & 0xffff] = 0;
      outstanding--;
      answered++;
      const ok = line.includes('"result":true');
      if (ok) {
        answeredAccepted++;
      }
      if (window.measuring) {
        if (ok) {
          accepted++;
        } else {
          rejected++;
          if (line.includes('"error":[21,')) {
            stale++;
          }
        }
        latencies.push(at - sent);
      }
      if (window.running && rate === undefined) {
        submit();
      }
    };
    function submit(): void {
      const id = ++nonce;
      const at = now();
      sentAt[id & 0xffff] = at;
      if (recordSends) {
        log.push(at);
      }
      outstanding++;
      miner.socket.write(`{"id":${String(id)}${rest}${(id >>> 0).toString(16).padStart(8, '0')}"]}\n`);
    }
    return submit;
  });
  const seconds = await measureWindow(
    window,
    submitters,
    { rate, inFlight, group, seconds: measured },
    () => outstanding,
  );
  return {
    offered:
      rate === undefined ? `closed loop, ${String(inFlight)} in flight per connection` : `${String(rate)}/s`,
    sharesPerSecond: accepted / seconds,
    rejected,
    stale,
    ...latencyPercentiles(latencies),
    answered,
    answeredAccepted,
    sends: recordSends ? sends : undefined,
  };
}

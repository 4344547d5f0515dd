/**
 * Issue 26's goals for the Stratum benchmark, judged: each figure against a reference
 * measured in the same run (the bare floor server, or the pool's own closed loop), round
 * by round, and the verdict on the median of the rounds. Pure; stratum-load.ts measures.
 */

/** The middle value (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) {
    return Number.NaN;
  }
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/** CPU-seconds per million accepted shares: what a share costs, everything the CPU time covers included. */
export function cpuSecondsPerMillion(cpuMs: number, accepted: number): number {
  return accepted > 0 ? cpuMs / 1000 / (accepted / 1e6) : Number.NaN;
}

/** Shares per second one core carries at that cost. */
export function sharesPerCore(cpuSecondsPerMillionShares: number): number {
  return cpuSecondsPerMillionShares > 0 ? 1e6 / cpuSecondsPerMillionShares : Number.NaN;
}

export type Verdict = 'met' | 'not met' | 'unknown';

/** Whether `value` is at most `limit`; unknown when nothing was measured. */
export function verdict(value: number, limit: number): Verdict {
  if (!Number.isFinite(value)) {
    return 'unknown';
  }
  return value <= limit ? 'met' : 'not met';
}

/** A figure per round and its median: what a table cell shows. */
export interface Rounds {
  readonly median: number;
  readonly rounds: readonly number[];
}

export function rounds(values: readonly number[]): Rounds {
  return { median: median(values), rounds: values };
}

/** Each round's value over the same round's reference: the pool and the floor it alternated with. */
export function roundRatios(values: readonly number[], references: readonly number[]): Rounds {
  if (values.length !== references.length) {
    throw new Error(
      `${String(values.length)} rounds of a figure for ${String(references.length)} of its reference`,
    );
  }
  return rounds(values.map((value, index) => value / (references[index] ?? Number.NaN)));
}

const figure = (value: number, digits: number): string =>
  Number.isFinite(value) ? value.toFixed(digits) : 'unknown';

/** "19.0 (18.2, 20.1)": the median, then each round's when there were several. */
export function formatRounds({ median: middle, rounds: each }: Rounds, digits = 1, unit = ''): string {
  const format = (value: number): string => `${figure(value, digits)}${Number.isFinite(value) ? unit : ''}`;
  return each.length > 1 ? `${format(middle)} (${each.map(format).join(', ')})` : format(middle);
}

export interface Judged {
  readonly ratio: string;
  readonly goal: string;
  readonly verdict: Verdict;
}

/** A ratio goal: the median of the rounds' ratios at most `limit` times the reference. */
export function judgeRatio(ratios: Rounds, limit: number, reference: string): Judged {
  return {
    ratio: formatRounds(ratios, 2, '×'),
    goal: `≤ ${limit.toFixed(1)}× ${reference}`,
    verdict: verdict(ratios.median, limit),
  };
}

/** An absolute goal: the median of the rounds at most `limit` ms. */
export function judgeMs(values: Rounds, limitMs: number): Judged {
  return { ratio: '—', goal: `≤ ${String(limitMs)} ms`, verdict: verdict(values.median, limitMs) };
}

/**
 * The network difficulty at which `shares` shares of a miner at a difficulty every hash
 * meets find `blocks` blocks on average: a hash meets difficulty D with probability
 * 1 / (D · 2^32).
 */
export function difficultyForBlocks(blocks: number, shares: number): number {
  if (!(blocks > 0 && shares >= blocks)) {
    throw new RangeError(
      `${String(blocks)} blocks in ${String(shares)} shares is no phase to find blocks in`,
    );
  }
  return shares / (blocks * 2 ** 32);
}

/**
 * The Stratum benchmark's judgement of issue 26's goals (bench/stratum-goals.ts): ratios
 * paired round by round, the median as the figure, the verdict on it, and an unknown
 * for what was not measured, never a zero or a pass.
 */
import { describe, expect, it } from 'vitest';
import {
  cpuSecondsPerMillion,
  difficultyForBlocks,
  formatRounds,
  judgeMs,
  judgeRatio,
  median,
  roundRatios,
  rounds,
  sharesPerCore,
  verdict,
} from '../../bench/stratum-goals.ts';

describe('median', () => {
  it('takes the middle value, the mean of the middle two for an even count, whatever the order', () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('is NaN for no values', () => {
    expect(median([])).toBeNaN();
  });
});

describe('cost and capacity', () => {
  it('gives CPU-seconds per million accepted shares and the shares one core carries at that cost', () => {
    // 1.6 CPU-seconds for 100,000 shares: 16 s per million, 62,500 shares/s per core.
    expect(cpuSecondsPerMillion(1_600, 100_000)).toBeCloseTo(16);
    expect(sharesPerCore(16)).toBeCloseTo(62_500);
  });

  it('is unknown with no accepted share, not zero or infinite', () => {
    expect(cpuSecondsPerMillion(1_600, 0)).toBeNaN();
    expect(sharesPerCore(Number.NaN)).toBeNaN();
  });
});

describe('verdict', () => {
  it('meets a goal at or under its limit and misses it over', () => {
    expect(verdict(1.5, 1.5)).toBe('met');
    expect(verdict(1.51, 1.5)).toBe('not met');
  });

  it('is unknown for a figure not measured', () => {
    expect(verdict(Number.NaN, 1.5)).toBe('unknown');
  });
});

describe('round ratios', () => {
  it("pairs each round's figure with the same round's reference and takes the median ratio", () => {
    const ratios = roundRatios([30, 12, 20], [10, 10, 10]);
    expect(ratios.rounds).toEqual([3, 1.2, 2]);
    expect(ratios.median).toBe(2);
  });

  it('refuses rounds that do not pair up', () => {
    expect(() => roundRatios([1, 2], [1])).toThrow(/2 rounds of a figure for 1/);
  });

  it('judges the median ratio against the goal', () => {
    expect(judgeRatio(roundRatios([14, 16], [10, 10]), 1.5, "the floor's")).toEqual({
      ratio: '1.50× (1.40×, 1.60×)',
      goal: "≤ 1.5× the floor's",
      verdict: 'met',
    });
    expect(judgeRatio(roundRatios([20], [10]), 1.5, "the floor's").verdict).toBe('not met');
  });

  it('judges an absolute goal in ms', () => {
    expect(judgeMs(rounds([12, 8, 9]), 10)).toEqual({ ratio: '—', goal: '≤ 10 ms', verdict: 'met' });
  });
});

describe('formatRounds', () => {
  it('shows the median alone for one round, with each round after it for several', () => {
    expect(formatRounds(rounds([19.04]))).toBe('19.0');
    expect(formatRounds(rounds([2, 1, 3]), 2, '×')).toBe('2.00× (2.00×, 1.00×, 3.00×)');
  });

  it('shows an unmeasured figure as unknown', () => {
    expect(formatRounds(rounds([Number.NaN]), 1, '×')).toBe('unknown');
  });
});

describe('difficultyForBlocks', () => {
  it('sets the difficulty at which the shares find the blocks asked for on average', () => {
    // A share meets difficulty D with probability 1 / (D · 2^32).
    const difficulty = difficultyForBlocks(10, 275_000);
    expect(275_000 / (difficulty * 2 ** 32)).toBeCloseTo(10);
  });

  it('refuses a phase that cannot find the blocks', () => {
    expect(() => difficultyForBlocks(0, 1_000)).toThrow(RangeError);
    expect(() => difficultyForBlocks(10, 5)).toThrow(RangeError);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pplnsWindow, splitReward, type WindowShare } from './pplns.ts';

const shares = fc.array(
  fc.record({
    accountId: fc.constantFrom('1', '2', '3', '4', '5'),
    difficulty: fc.double({ min: 0.001, max: 1e6, noNaN: true }),
  }),
  { minLength: 1, maxLength: 200 },
);

describe('PPLNS', () => {
  it('rewards sum to the block reward less the fee, exactly', () => {
    fc.assert(
      fc.property(
        shares,
        fc.bigInt({ min: 0n, max: 2_100_000_000_000_000n }),
        fc.integer({ min: 0, max: 10_000 }),
        (list, reward, feeBasisPoints) => {
          const fee = (reward * BigInt(feeBasisPoints)) / 10_000n;
          const parts = splitReward(reward - fee, pplnsWindow(list, Number.MAX_VALUE));
          const sum = [...parts.values()].reduce((a, b) => a + b, 0n);
          expect(sum).toBe(reward > fee ? reward - fee : 0n);
          expect([...parts.values()].every((part) => part >= 0n)).toBe(true);
        },
      ),
    );
  });

  it('pays in proportion to difficulty in the window, within a satoshi', () => {
    fc.assert(
      fc.property(shares, fc.bigInt({ min: 1_000n, max: 625_000_000n }), (list, reward) => {
        const window = pplnsWindow(list, Number.MAX_VALUE);
        const total = [...window.values()].reduce((a, b) => a + b, 0);
        for (const [account, part] of splitReward(reward, window)) {
          const ideal = (Number(reward) * (window.get(account) ?? 0)) / total;
          expect(Math.abs(Number(part) - ideal)).toBeLessThanOrEqual(1 + ideal * 1e-12);
        }
      }),
    );
  });

  it('counts no share twice and no share outside the window', () => {
    fc.assert(
      fc.property(shares, fc.double({ min: 0, max: 1e7, noNaN: true }), (list, windowDifficulty) => {
        const window = pplnsWindow(list, windowDifficulty);
        const counted = [...window.values()].reduce((a, b) => a + b, 0);
        const available = list.reduce((a, share) => a + share.difficulty, 0);
        expect(counted).toBeLessThanOrEqual(Math.min(windowDifficulty, available) * (1 + 1e-12));
        expect(counted).toBeGreaterThanOrEqual(Math.min(windowDifficulty, available) * (1 - 1e-12));
        for (const [account, difficulty] of window) {
          const own = list
            .filter((share) => share.accountId === account)
            .reduce((a, share) => a + share.difficulty, 0);
          expect(difficulty).toBeLessThanOrEqual(own * (1 + 1e-12));
        }
      }),
    );
  });

  it('takes the newest shares first, the oldest one in part', () => {
    const newestFirst: WindowShare[] = [
      { accountId: 'a', difficulty: 4 },
      { accountId: 'b', difficulty: 4 },
      { accountId: 'c', difficulty: 4 },
    ];
    expect(pplnsWindow(newestFirst, 6)).toEqual(
      new Map([
        ['a', 4],
        ['b', 2],
      ]),
    );
    expect(
      splitReward(
        10n,
        new Map([
          ['a', 1],
          ['b', 1],
          ['c', 1],
        ]),
      ),
    ).toEqual(
      new Map([
        ['a', 4n],
        ['b', 3n],
        ['c', 3n],
      ]),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { accountGateKey, delayAfter } from './sign-in-throttle.ts';

describe('the sign-in throttle', () => {
  it.each([
    // failures, free, first (ms), cap (ms) -> wait (ms)
    [0, 5, 1_000, 60_000, 0],
    [4, 5, 1_000, 60_000, 0],
    [5, 5, 1_000, 60_000, 1_000],
    [6, 5, 1_000, 60_000, 2_000],
    [10, 5, 1_000, 60_000, 32_000],
    [11, 5, 1_000, 60_000, 60_000],
    [1_000_000, 5, 1_000, 60_000, 60_000],
    [20, 20, 1_000, 900_000, 1_000],
    [30, 20, 1_000, 900_000, 900_000],
  ])(
    'after %i failures with %i free, first wait %i ms and cap %i ms: waits %i ms',
    (failures, free, first, cap, wait) => {
      expect(delayAfter(failures, free, first, cap)).toBe(wait);
    },
  );

  it('keys the account gate by the email asked for, whatever its case', () => {
    expect(accountGateKey('Admin@Pool.TEST')).toBe(accountGateKey('admin@pool.test'));
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Memo } from './cache.ts';

describe('Memo', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('computes once for concurrent callers and for the time it is fresh', async () => {
    const memo = new Memo<number>(10, 1_000);
    let computed = 0;
    const compute = () => Promise.resolve(++computed);
    expect(await Promise.all([memo.get('k', compute), memo.get('k', compute)])).toEqual([1, 1]);
    // Fresh for 1 s give or take a quarter.
    vi.advanceTimersByTime(740);
    expect(await memo.get('k', compute)).toBe(1);
    expect(computed).toBe(1);
  });

  it('answers the stale value at once while one recomputation runs in the background', async () => {
    const memo = new Memo<string>(10, 1_000);
    let release: (value: string) => void = () => undefined;
    expect(await memo.get('k', () => Promise.resolve('old'))).toBe('old');
    vi.advanceTimersByTime(1_260);
    let calls = 0;
    const slow = () => {
      calls++;
      return new Promise<string>((resolve) => {
        release = resolve;
      });
    };
    expect(await memo.get('k', slow)).toBe('old');
    expect(await memo.get('k', slow)).toBe('old');
    expect(calls).toBe(1);
    release('new');
    await Promise.resolve();
    expect(await memo.get('k', slow)).toBe('new');
  });

  it('keeps no failure: the next caller computes again, and a stale value outlives a failed refresh', async () => {
    const memo = new Memo<number>(10, 1_000);
    await expect(memo.get('k', () => Promise.reject(new Error('database away')))).rejects.toThrow(
      'database away',
    );
    expect(await memo.get('k', () => Promise.resolve(7))).toBe(7);
    vi.advanceTimersByTime(1_260);
    expect(await memo.get('k', () => Promise.reject(new Error('database away')))).toBe(7);
    await Promise.resolve();
    expect(await memo.get('k', () => Promise.resolve(8))).toBe(7);
    await Promise.resolve();
    expect(await memo.get('k', () => Promise.resolve(9))).toBe(8);
  });
});

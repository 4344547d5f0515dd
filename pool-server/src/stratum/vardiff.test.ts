import { describe, expect, it } from 'vitest';
import { DEFAULT_VARDIFF, Vardiff, type VardiffSettings } from './vardiff.ts';
import { seededRandom } from '../../test/helpers/random.ts';

/**
 * A miner of `hashrate` H/s: shares arrive as a Poisson process of rate
 * hashrate / (difficulty * 2^32), with a vardiff tick every 5 s. The wait is drawn
 * again after each tick, which the memoryless process allows. Returns the
 * difficulty after each share.
 */
function simulate(vardiff: Vardiff, hashrate: number, minutes: number, seed = 1): number[] {
  const next = seededRandom(seed);
  const history: number[] = [];
  const end = minutes * 60_000;
  let now = 0;
  let nextTick = 5_000;
  while (now < end) {
    const sharesPerMs = hashrate / (vardiff.difficulty * 2 ** 32) / 1000;
    const wait = -Math.log(1 - next()) / sharesPerMs;
    if (now + wait > nextTick) {
      now = nextTick;
      nextTick += 5_000;
      vardiff.tick(now);
      continue;
    }
    now += wait;
    vardiff.recordShare(now);
    history.push(vardiff.difficulty);
  }
  return history;
}

/** The difficulty a session settled at: the median over the second half of its shares. */
function settled(history: number[]): number {
  const late = history.slice(Math.floor(history.length / 2)).sort((a, b) => a - b);
  return late[Math.floor(late.length / 2)] ?? Number.NaN;
}

const settings: VardiffSettings = { ...DEFAULT_VARDIFF, minDifficulty: 1e-6, maxDifficulty: 2 ** 40 };
const S19 = 100e12; // 100 TH/s
const ideal = (hashrate: number): number => (hashrate * settings.targetShareSeconds) / 2 ** 32;

describe('vardiff', () => {
  it.each([
    ['a too-low start', 1],
    ['a too-high start', 1e9],
  ])('converges from %s to one share per 10 s', (_name, start) => {
    for (const seed of [1, 2, 3]) {
      const vardiff = new Vardiff({ ...settings, startDifficulty: start }, 0);
      const ratio = settled(simulate(vardiff, S19, 60, seed)) / ideal(S19);
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(2);
    }
  });

  it('stays put within the noise band once converged', () => {
    const vardiff = new Vardiff({ ...settings, startDifficulty: ideal(S19) }, 0);
    const history = simulate(vardiff, S19, 60, 7);
    const changes = history.filter((value, index) => index > 0 && value !== history[index - 1]).length;
    expect(changes).toBeLessThanOrEqual(2);
  });

  it('follows a Bitaxe (1.2 TH/s) as well as an S21 (200 TH/s)', () => {
    for (const hashrate of [1.2e12, 200e12]) {
      const vardiff = new Vardiff({ ...settings, startDifficulty: 1024 }, 0);
      const ratio = settled(simulate(vardiff, hashrate, 60, 3)) / ideal(hashrate);
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(2);
    }
  });

  it('keeps a fixed difficulty (d=N)', () => {
    const vardiff = new Vardiff(settings, 0);
    expect(vardiff.fix(50_000, 0)).toBe(50_000);
    simulate(vardiff, S19, 10);
    expect(vardiff.difficulty).toBe(50_000);
    expect(vardiff.suggest(2, 0)).toBe(50_000);
  });

  it('respects the minimum-difficulty floor and the pool limits', () => {
    const vardiff = new Vardiff({ ...settings, startDifficulty: 1 }, 0);
    expect(vardiff.setFloor(4096, 0)).toBe(4096);
    simulate(vardiff, 1e9, 20); // 1 GH/s would want difficulty ~2.3
    expect(vardiff.difficulty).toBe(4096);
    expect(new Vardiff({ ...settings, startDifficulty: 1e-12 }, 0).difficulty).toBe(1e-6);
    expect(new Vardiff({ ...settings, startDifficulty: 2 ** 50 }, 0).difficulty).toBe(
      Number((2 ** 40).toPrecision(4)),
    );
  });

  it('lowers the difficulty of a silent session on ticks alone', () => {
    const vardiff = new Vardiff({ ...settings, startDifficulty: 1e6 }, 0);
    expect(vardiff.tick(60_000)).toBeUndefined();
    // 120 s at one share per 10 s should have brought 12 shares; none came.
    const lowered = vardiff.tick(120_000);
    expect(lowered).toBeDefined();
    expect(lowered).toBeLessThan(1e6);
  });
});

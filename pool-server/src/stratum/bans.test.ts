import { describe, expect, it } from 'vitest';
import { BanList } from './bans.ts';

const settings = { threshold: 30, banSeconds: 600, decaySeconds: 600 };

describe('BanList', () => {
  it('bans when penalties a few milliseconds apart add up to the threshold', () => {
    const bans = new BanList(settings);
    expect(bans.penalize('198.51.100.7', 10, 1_000)).toBe(false);
    expect(bans.penalize('198.51.100.7', 10, 1_004)).toBe(false);
    expect(bans.penalize('198.51.100.7', 10, 1_009)).toBe(true);
    expect(bans.isBanned('198.51.100.7', 1_009)).toBe(true);
    expect(bans.isBanned('198.51.100.7', 1_009 + 600_000)).toBe(false);
    expect(bans.isBanned('198.51.100.8', 1_009)).toBe(false);
  });

  it('forgets one point per decaySeconds / threshold, keeping the time between whole points', () => {
    const bans = new BanList(settings);
    // 600 s over a threshold of 30: one point every 20 s.
    bans.penalize('198.51.100.7', 20, 0);
    // 30 s later one point has faded (19); the spare 10 s count towards the next.
    expect(bans.penalize('198.51.100.7', 10, 30_000)).toBe(false);
    // 10 s more completes the second point: 29 - 1 + 1 = 29, still short.
    expect(bans.penalize('198.51.100.7', 1, 40_000)).toBe(false);
    expect(bans.penalize('198.51.100.7', 1, 40_001)).toBe(true);
  });

  it('keeps what a sweep has not yet forgotten: partial scores and running bans', () => {
    const bans = new BanList(settings);
    bans.penalize('198.51.100.7', 25, 0);
    bans.penalize('198.51.100.8', 30, 0);
    bans.sweep(20_000);
    expect(bans.isBanned('198.51.100.8', 20_000)).toBe(true);
    // One point faded in 20 s: 24 + 6 reaches the threshold.
    expect(bans.penalize('198.51.100.7', 6, 20_000)).toBe(true);
  });
});

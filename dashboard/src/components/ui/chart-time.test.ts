import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readerClockIn } from '../../testing/reader-clock.ts';
import { chartTimeFor } from './chart-time.ts';

describe("a chart's times, on the reader's clock", () => {
  let machineClock: () => void = () => undefined;
  beforeAll(() => {
    // Before the first chartTimeFor: its formats keep the zone they are made in, as a browser's do.
    machineClock = readerClockIn('Asia/Tehran');
  });
  afterAll(() => {
    machineClock();
  });

  it("labels the axis and the legend in Tehran's time, its midnight a day's label", () => {
    const time = chartTimeFor('en');
    const threeHours = 3 * 3_600_000;
    // 15:30Z is 19:00 in Tehran (UTC+3:30), and 20:30Z its midnight.
    expect(time.tick(Date.UTC(2026, 11, 7, 15, 30), threeHours)).toBe('19:00');
    expect(time.tick(Date.UTC(2026, 11, 7, 20, 30), threeHours)).toBe('8 Dec');
    expect(time.tick(Date.UTC(2026, 11, 7, 21, 0), threeHours)).toBe('00:30');
    expect(time.moment(Date.UTC(2026, 11, 7, 15, 30))).toBe('7 Dec 2026, 19:00');
    // In Persian, the same instant on the same clock: Solar Hijri day, Persian digits.
    expect(chartTimeFor('fa').tick(Date.UTC(2026, 11, 7, 15, 30), threeHours)).toBe('۱۹:۰۰');
    expect(chartTimeFor('fa').tick(Date.UTC(2026, 11, 7, 20, 30), threeHours)).toBe('۱۷ آذر');
  });
});

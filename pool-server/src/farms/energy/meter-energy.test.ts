import { describe, expect, it } from 'vitest';
import { energyBy, inWindow, localClock, peakDemand, type MeterReading } from './meter-energy.ts';

const HOUR = 3_600_000;
/** 2026-07-01 00:00 in Tehran (UTC+3:30, no daylight saving since 2022). */
const TEHRAN_MIDNIGHT = Date.UTC(2026, 5, 30, 20, 30);

/** A meter read every `stepMs` for `hours`, the load drawing `watts(atMs)`. */
function meter(
  startMs: number,
  hours: number,
  stepMs: number,
  watts: (atMs: number) => number,
): MeterReading[] {
  const readings: MeterReading[] = [{ atMs: startMs, energyWh: 1_000_000 }];
  for (let at = startMs + stepMs; at <= startMs + hours * HOUR; at += stepMs) {
    const previous = readings.at(-1) as MeterReading;
    readings.push({ atMs: at, energyWh: previous.energyWh + (watts(at - stepMs) * stepMs) / HOUR });
  }
  return readings;
}

describe('windows in local time', () => {
  const tehran = localClock('Asia/Tehran');

  it('reads the local clock and month of an instant', () => {
    expect(tehran(TEHRAN_MIDNIGHT)).toEqual({ minute: 0, month: 7, date: '2026-07-01' });
    expect(tehran(TEHRAN_MIDNIGHT + 19.5 * HOUR)).toEqual({
      minute: 19 * 60 + 30,
      month: 7,
      date: '2026-07-01',
    });
    expect(tehran(TEHRAN_MIDNIGHT - 1)).toMatchObject({ date: '2026-06-30' });
  });

  it('handles windows past midnight and seasons', () => {
    const evening = { from: '19:00', to: '23:00' };
    const night = { from: '23:00', to: '03:00' };
    const summerPeak = { from: '12:00', to: '16:00', months: [6, 7, 8, 9] };
    expect(inWindow(evening, { minute: 19 * 60, month: 1 })).toBe(true);
    expect(inWindow(evening, { minute: 23 * 60, month: 1 })).toBe(false);
    expect(inWindow(night, { minute: 60, month: 1 })).toBe(true);
    expect(inWindow(night, { minute: 4 * 60, month: 1 })).toBe(false);
    expect(inWindow(summerPeak, { minute: 13 * 60, month: 7 })).toBe(true);
    expect(inWindow(summerPeak, { minute: 13 * 60, month: 1 })).toBe(false);
    expect(() => inWindow({ from: '7pm', to: '23:00' }, { minute: 0, month: 1 })).toThrow(/HH:MM/);
  });
});

describe('energy by window', () => {
  const tehran = localClock('Asia/Tehran');
  const peak = { from: '19:00', to: '23:00' };

  it('a day at 4 MW, curtailed to 200 kW in the 19:00–23:00 peak: 80 MWh outside, 0.8 MWh inside', () => {
    const readings = meter(TEHRAN_MIDNIGHT, 24, 30_000, (at) =>
      inWindow(peak, tehran(at)) ? 200_000 : 4_000_000,
    );
    const { byClass, resets } = energyBy(readings, (at) => (inWindow(peak, tehran(at)) ? 'peak' : 'other'));
    expect(resets).toBe(0);
    expect((byClass.get('peak') ?? 0) / 1000).toBeCloseTo(800, 6);
    expect((byClass.get('other') ?? 0) / 1000).toBeCloseTo(80_000, 6);
  });

  it('shares an interval that crosses a window edge pro rata', () => {
    // One reading at 18:30 and the next at 19:30 local: 1,000 Wh, half of it in the window.
    const readings = [
      { atMs: TEHRAN_MIDNIGHT + 18.5 * HOUR, energyWh: 5_000 },
      { atMs: TEHRAN_MIDNIGHT + 19.5 * HOUR, energyWh: 6_000 },
    ];
    const { byClass } = energyBy(readings, (at) => (inWindow(peak, tehran(at)) ? 'peak' : 'other'));
    expect(byClass.get('peak')).toBeCloseTo(500, 9);
    expect(byClass.get('other')).toBeCloseTo(500, 9);
  });

  it('counts a meter that went back instead of inventing negative energy', () => {
    const readings = [
      { atMs: 0, energyWh: 9_000 },
      { atMs: HOUR, energyWh: 10_000 },
      { atMs: 2 * HOUR, energyWh: 50 },
      { atMs: 3 * HOUR, energyWh: 1_050 },
    ];
    const { byClass, resets } = energyBy(readings, () => 'all');
    expect(resets).toBe(1);
    expect(byClass.get('all')).toBeCloseTo(2_000, 9);
  });
});

describe('peak demand', () => {
  it('is the highest whole 15-minute average, not the highest instant', () => {
    // 3 MW all day but 4.2 MW for one 15-minute slot and a 6 MW spike of 30 s.
    const start = Date.UTC(2026, 6, 1);
    const readings = meter(start, 6, 30_000, (at) => {
      const minute = (at - start) / 60_000;
      if (minute >= 120 && minute < 135) {
        return 4_200_000;
      }
      return minute === 200 ? 6_000_000 : 3_000_000;
    });
    expect(peakDemand(readings)).toBeCloseTo(4_200_000, 3);
  });

  it('is unknown when the readings cover no whole 15 minutes, and 0 only when they measured none', () => {
    const start = Date.UTC(2026, 6, 1, 0, 7);
    expect(peakDemand([])).toBeNull();
    expect(peakDemand(meter(start, 0.25, 60_000, () => 1_000))).toBeNull();
    expect(peakDemand(meter(start, 0.5, 60_000, () => 0))).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { assessCompliance, type CurtailmentOrder } from './compliance.ts';
import type { MeterReading } from './energy.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 6, 1, 12, 0);

/** A meter read every 30 s from T0 - 2 h for 5 h, the load in kW by minute after T0. */
function farm(kw: (minuteAfterT0: number) => number): MeterReading[] {
  const readings: MeterReading[] = [];
  let energyWh = 50_000_000;
  for (let at = T0 - 120 * MINUTE; at <= T0 + 180 * MINUTE; at += 30_000) {
    readings.push({ atMs: at, energyWh });
    energyWh += (kw(Math.floor((at - T0) / MINUTE)) * 1000 * 30_000) / 3_600_000;
  }
  return readings;
}

/** Notice at T0, start 30 min later, two hours long, 3 MW off a 4 MW farm. */
const ORDER: CurtailmentOrder = {
  noticeAtMs: T0,
  startsAtMs: T0 + 30 * MINUTE,
  endsAtMs: T0 + 150 * MINUTE,
  reductionKw: 3_000,
};

describe('curtailment compliance from the meter', () => {
  it('passes a farm that ramps down over 10 minutes before the start and stays down', () => {
    const result = assessCompliance(
      ORDER,
      farm((m) => (m < 20 ? 4_000 : m < 30 ? 4_000 - (m - 19) * 310 : 900)),
    );
    expect(result.baselineKw).toBeCloseTo(4_000, 6);
    expect(result.allowedKw).toBeCloseTo(1_000, 6);
    expect(result.secondsLate).toBe(0);
    expect(result.pass).toBe(true);
    expect(result.reason).toBeNull();
    expect(result.peakKw).toBeCloseTo(900, 3);
    expect(result.energyKwh).toBeCloseTo(900 * 2, 1);
  });

  it('fails a farm that gets there 25 minutes late, and says so', () => {
    const result = assessCompliance(
      ORDER,
      farm((m) => (m < 55 ? 4_000 : 800)),
    );
    expect(result.secondsLate).toBe(25 * 60);
    expect(result.pass).toBe(false);
    expect(result.reason).toBe('the load reached 1000 kW 25.0 min after the start');
  });

  it('fails a farm that comes back up during the order, on its 15-minute demand', () => {
    const result = assessCompliance(
      ORDER,
      farm((m) => (m >= 90 && m < 110 ? 3_500 : m >= 25 ? 900 : 4_000)),
    );
    expect(result.secondsLate).toBe(0);
    expect(result.pass).toBe(false);
    expect(result.peakKw).toBeCloseTo(3_500, 3);
    expect(result.reason).toBe('15-minute demand rose again to 3500 kW');
  });

  it('fails, and says why, a farm that never curtailed or whose meter said nothing', () => {
    expect(
      assessCompliance(
        ORDER,
        farm(() => 4_000),
      ),
    ).toMatchObject({
      pass: false,
      reachedAtMs: null,
      // What it drew all along is its peak, not nothing.
      peakKw: expect.closeTo(4_000, 3) as number,
      reason: 'the load never fell to 1000 kW',
    });
    expect(assessCompliance(ORDER, [])).toMatchObject({
      pass: false,
      reason: 'no meter readings in the hour before the notice',
    });
  });
});

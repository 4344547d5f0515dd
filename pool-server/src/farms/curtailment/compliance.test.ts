import { describe, expect, it } from 'vitest';
import {
  assessCompliance,
  type ComplianceEvidence,
  type CurtailmentOrder,
  type DeviceEvidence,
} from './compliance.ts';
import type { MeterReading } from '../energy/meter-energy.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 6, 1, 12, 0);
const TH = 1e12;

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

/** Only the meter: no devices, no commands, no linked workers. */
const meterOnly = (meter: readonly MeterReading[]): ComplianceEvidence => ({
  meter,
  devices: [],
  commands: [],
  pool: { beforeHs: null, duringHs: null },
});

/** A device read every 5 minutes over the whole day, mining until `sleepsAtMinute` (never if null). */
function device(name: string, sleepsAtMinute: number | null): DeviceEvidence {
  const readings = [];
  for (let minute = -120; minute <= 180; minute += 5) {
    const asleep = sleepsAtMinute !== null && minute >= sleepsAtMinute;
    readings.push({
      atMs: T0 + minute * MINUTE,
      state: asleep ? ('sleeping' as const) : ('mining' as const),
      hashrate: asleep ? 0 : 200 * TH,
    });
  }
  return { device: name, readings };
}

const RAMP = (m: number): number => (m < 20 ? 4_000 : m < 30 ? 4_000 - (m - 19) * 310 : 900);

describe('curtailment compliance from the meter', () => {
  it('passes a farm that ramps down over 10 minutes before the start and stays down', () => {
    const result = assessCompliance(ORDER, meterOnly(farm(RAMP)));
    expect(result.baselineKw).toBeCloseTo(4_000, 6);
    expect(result.allowedKw).toBeCloseTo(1_000, 6);
    expect(result.secondsLate).toBe(0);
    expect(result.verdict).toBe('complied');
    expect(result.reasons).toEqual([]);
    expect(result.peakKw).toBeCloseTo(900, 3);
    expect(result.energyKwh).toBeCloseTo(900 * 2, 1);
  });

  it('fails a farm that gets there 25 minutes late, and says so', () => {
    const result = assessCompliance(ORDER, meterOnly(farm((m) => (m < 55 ? 4_000 : 800))));
    expect(result.secondsLate).toBe(25 * 60);
    expect(result.verdict).toBe('violated');
    expect(result.reasons).toEqual(['the load reached 1000 kW 25.0 min after the start']);
  });

  it('fails a farm that comes back up during the order, on its 15-minute demand', () => {
    const result = assessCompliance(
      ORDER,
      meterOnly(farm((m) => (m >= 90 && m < 110 ? 3_500 : m >= 25 ? 900 : 4_000))),
    );
    expect(result.secondsLate).toBe(0);
    expect(result.verdict).toBe('violated');
    expect(result.peakKw).toBeCloseTo(3_500, 3);
    expect(result.reasons).toEqual(['15-minute demand rose again to 3500 kW']);
  });

  it('fails, and says why, a farm that never curtailed', () => {
    expect(assessCompliance(ORDER, meterOnly(farm(() => 4_000)))).toMatchObject({
      verdict: 'violated',
      reachedAtMs: null,
      // What it drew all along is its peak, not nothing.
      peakKw: expect.closeTo(4_000, 3) as number,
      reasons: ['the load never fell to 1000 kW'],
    });
  });

  it('averages a minute over the part its readings cover: a meter read at :45 past is not a quarter of its load', () => {
    // As the farm series keeps it: each minute's last reading, here 45 s into the minute.
    const readings = farm(() => 4_000).filter((reading) => reading.atMs % MINUTE === 0);
    const late = readings.map((reading) => ({ ...reading, atMs: reading.atMs + 45_000 }));
    expect(assessCompliance(ORDER, meterOnly(late))).toMatchObject({
      verdict: 'violated',
      reachedAtMs: null,
      reasons: ['the load never fell to 1000 kW'],
    });
  });
});

describe('curtailment compliance from all the evidence', () => {
  it('judges a meter with no readings undetermined, its figures null rather than 0', () => {
    expect(assessCompliance(ORDER, meterOnly([]))).toEqual({
      verdict: 'undetermined',
      findings: [{ code: 'no-readings-during-order' }],
      reasons: ['no meter readings during the order'],
      failedCommands: [],
      hashingDevices: [],
      meterSuspect: false,
      baselineKw: null,
      allowedKw: null,
      reachedAtMs: null,
      secondsLate: null,
      peakKw: null,
      energyKwh: null,
      poolBeforeHs: null,
      poolDuringHs: null,
    });
  });

  it('judges a meter that went silent for 20 minutes inside the order undetermined, naming the gap', () => {
    const gapped = farm(RAMP).filter(
      (reading) => reading.atMs <= T0 + 60 * MINUTE || reading.atMs >= T0 + 80 * MINUTE,
    );
    const result = assessCompliance(ORDER, meterOnly(gapped));
    expect(result.verdict).toBe('undetermined');
    expect(result.reasons).toEqual([
      'the meter has no readings from 2026-07-01T13:00:00.000Z to 2026-07-01T13:20:00.000Z',
    ]);
    // What it did measure is kept.
    expect(result.baselineKw).toBeCloseTo(4_000, 6);
  });

  it('judges a meter that stopped before the end undetermined (stale)', () => {
    const stale = farm(RAMP).filter((reading) => reading.atMs <= T0 + 100 * MINUTE);
    expect(assessCompliance(ORDER, meterOnly(stale))).toMatchObject({
      verdict: 'undetermined',
      reasons: ['the meter has no readings from 2026-07-01T13:40:00.000Z to 2026-07-01T14:30:00.000Z'],
    });
  });

  it('judges a meter read every 15 minutes, and leaves the order undetermined when it misses one reading', () => {
    const quarterly = farm(RAMP).filter((reading) => (reading.atMs - T0) % (15 * MINUTE) === 0);
    expect(assessCompliance(ORDER, meterOnly(quarterly)).verdict).toBe('complied');
    const missing = quarterly.filter((reading) => reading.atMs !== T0 + 90 * MINUTE);
    expect(assessCompliance(ORDER, meterOnly(missing))).toMatchObject({
      verdict: 'undetermined',
      reasons: ['the meter has no readings from 2026-07-01T13:15:00.000Z to 2026-07-01T13:45:00.000Z'],
    });
  });

  it('does not pass a meter flat at 0 while the devices report hashing: violated, the meter suspect', () => {
    const result = assessCompliance(ORDER, {
      meter: farm((m) => (m < 0 ? 4_000 : 0)),
      devices: [device('10.0.4.17:4028', null), device('10.0.4.18:4028', null)],
      commands: [],
      pool: { beforeHs: null, duringHs: null },
    });
    expect(result.verdict).toBe('violated');
    expect(result.meterSuspect).toBe(true);
    expect(result.hashingDevices).toEqual(['10.0.4.17:4028', '10.0.4.18:4028']);
    expect(result.reasons).toEqual([
      'the meter is suspect: it read 0 kW while devices hashed',
      '10.0.4.17:4028 reported hashing during the order',
      '10.0.4.18:4028 reported hashing during the order',
    ]);
  });

  it('names each failed sleep command, device and error, and with the devices still hashing, violates', () => {
    const failed = (name: string) => ({
      device: name,
      action: 'sleep',
      status: 'failed' as const,
      outcome: 'fetch failed',
    });
    const names = ['10.0.4.17:4028', '10.0.4.18:4028', '10.0.4.19:4028'];
    const result = assessCompliance(ORDER, {
      meter: farm((m) => (m < 0 ? 4_000 : 0)),
      devices: names.map((name) => device(name, null)),
      commands: names.map(failed),
      pool: { beforeHs: 600 * TH, duringHs: 600 * TH },
    });
    expect(result.verdict).toBe('violated');
    expect(result.meterSuspect).toBe(true);
    expect(result.failedCommands).toEqual(
      names.map((name) => ({ device: name, action: 'sleep', status: 'failed', error: 'fetch failed' })),
    );
    expect(result.reasons).toContain('sleep command to 10.0.4.18:4028 failed: fetch failed');
    expect(result.reasons).toContain('10.0.4.19:4028 reported hashing after it was ordered to sleep');
    expect(result.reasons).toContain(
      "the pool measured 600.0 TH/s from the farm's workers during the order against 600.0 TH/s before the notice (at most 165.0 TH/s fits the allowed load)",
    );
  });

  it('leaves a failed command with no sign the device stopped undetermined, and names it', () => {
    const result = assessCompliance(ORDER, {
      meter: farm(RAMP),
      devices: [],
      commands: [{ device: '10.0.4.17:4028', action: 'sleep', status: 'failed', outcome: 'fetch failed' }],
      pool: { beforeHs: null, duringHs: null },
    });
    expect(result.verdict).toBe('undetermined');
    expect(result.reasons).toEqual([
      'sleep command to 10.0.4.17:4028 failed: fetch failed; nothing shows the device stopped',
    ]);
  });

  it('takes a device idle through the order as stopped, and one still starting as not', () => {
    const failed = { action: 'sleep' as const, status: 'failed' as const, outcome: 'fetch failed' };
    const through = (name: string, state: 'idle' | 'starting'): DeviceEvidence => ({
      device: name,
      readings: device(name, 0).readings.map((reading) => ({ ...reading, state })),
    });
    const result = assessCompliance(ORDER, {
      meter: farm(RAMP),
      devices: [through('10.0.4.20:4028', 'idle'), through('10.0.4.21:4028', 'starting')],
      commands: [
        { device: '10.0.4.20:4028', ...failed },
        { device: '10.0.4.21:4028', ...failed },
      ],
      pool: { beforeHs: null, duringHs: null },
    });
    expect(result.verdict).toBe('undetermined');
    expect(result.reasons).toEqual([
      'sleep command to 10.0.4.21:4028 failed: fetch failed; nothing shows the device stopped',
    ]);
  });

  it('violates on the pool alone when its hashrate did not fall, the meter then suspect', () => {
    const result = assessCompliance(ORDER, {
      ...meterOnly(farm(RAMP)),
      pool: { beforeHs: 800 * TH, duringHs: 790 * TH },
    });
    expect(result.verdict).toBe('violated');
    expect(result.meterSuspect).toBe(true);
  });

  it('gives an order too short for a whole 15-minute interval no peak, rather than a peak of 0', () => {
    // Down from before the start; a device nobody told to sleep hashes within the allowed load.
    const order = { ...ORDER, startsAtMs: T0 + 31 * MINUTE, endsAtMs: T0 + 51 * MINUTE };
    const result = assessCompliance(order, {
      ...meterOnly(farm(RAMP)),
      devices: [device('10.0.4.19:4028', null)],
    });
    expect(result).toMatchObject({
      verdict: 'complied',
      peakKw: null,
      meterSuspect: false,
      hashingDevices: ['10.0.4.19:4028'],
      reasons: [],
    });
  });

  it('passes when every source agrees: meter down, devices asleep, commands done, pool hashrate down', () => {
    const names = ['10.0.4.17:4028', '10.0.4.18:4028'];
    const result = assessCompliance(ORDER, {
      meter: farm(RAMP),
      devices: names.map((name) => device(name, 25)),
      commands: [
        { device: names[0] ?? '', action: 'sleep', status: 'done', outcome: null },
        // Failed, then the device went to sleep anyway (a retry by hand): recovered, still named.
        { device: names[1] ?? '', action: 'sleep', status: 'failed', outcome: 'fetch failed' },
      ],
      pool: { beforeHs: 400 * TH, duringHs: 0 },
    });
    expect(result.verdict).toBe('complied');
    expect(result.meterSuspect).toBe(false);
    expect(result.hashingDevices).toEqual([]);
    expect(result.failedCommands).toHaveLength(1);
    expect(result.reasons).toEqual(['sleep command to 10.0.4.18:4028 failed: fetch failed']);
  });
});

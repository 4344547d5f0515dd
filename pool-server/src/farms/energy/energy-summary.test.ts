import { describe, expect, it } from 'vitest';
import type { RestrictedWindow, Tariff } from '@hashwatt/schemas';
import { inWindow, localClock, type MeterReading } from './meter-energy.ts';
import { coverageOf, summarizeEnergy } from './energy-summary.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 24 * HOUR;
const METER = [{ name: 'main', lastSampleAtMs: Date.UTC(2026, 10, 3, 10) }];
const TEHRAN_MIDNIGHT = Date.UTC(2026, 5, 30, 20, 30);

/**
 * Iran's 2021 rule (regulation-economics.md 1.3): 16,574 IRR/kWh, restricted hours x2,
 * normal hours x0.5; here the restricted hours are 19:00-23:00.
 */
const IRAN_2021: Tariff = {
  id: '1',
  currency: 'IRR',
  effectiveFrom: '2021-04-08',
  defaultPricePerKwh: 8_287,
  bands: [{ name: 'restricted', pricePerKwh: 33_148, windows: [{ from: '19:00', to: '23:00' }] }],
  createdBy: 'op@farm.test',
};
const CRITICAL_PEAK: RestrictedWindow = {
  id: '7',
  farmId: null,
  country: 'IR',
  region: null,
  class: 'critical_peak',
  from: '19:00',
  to: '23:00',
  validFrom: '2026-06-21',
  validTo: '2026-09-22',
  noticeRef: 'Tavanir summer 1405',
};

describe('summarizeEnergy', () => {
  it('prices a Tehran day by band and measures the energy inside the critical-peak window', () => {
    const tehran = localClock('Asia/Tehran');
    const readings: MeterReading[] = [];
    let energyWh = 0;
    for (let at = TEHRAN_MIDNIGHT; at <= TEHRAN_MIDNIGHT + 24 * HOUR; at += 60_000) {
      readings.push({ atMs: at, energyWh });
      energyWh += ((inWindow(CRITICAL_PEAK, tehran(at)) ? 200_000 : 4_000_000) * 60_000) / HOUR;
    }
    const summary = summarizeEnergy({
      fromMs: TEHRAN_MIDNIGHT,
      toMs: TEHRAN_MIDNIGHT + 24 * HOUR,
      readings,
      meters: METER,
      timezone: 'Asia/Tehran',
      licensedCapacityKw: 5_000,
      tariffs: [IRAN_2021],
      windows: [CRITICAL_PEAK],
    });
    expect(summary.kwhTotal).toBeCloseTo(80_800, 6);
    expect(summary.byBand.map((band) => [band.band, Math.round(band.kwh), band.pricePerKwh])).toEqual(
      expect.arrayContaining([
        ['default', 80_000, 8_287],
        ['restricted', 800, 33_148],
      ]) as unknown,
    );
    // 80,000 kWh x 8,287 + 800 kWh x 33,148 = 689,478,400 IRR.
    expect(summary.cost).toBeCloseTo(689_478_400, 0);
    expect(summary.currency).toBe('IRR');
    expect(summary.restricted).toEqual([
      { windowId: '7', class: 'critical_peak', kwh: expect.closeTo(800, 6) as number },
    ]);
    expect(summary.peakKw).toBeCloseTo(4_000, 6);
    expect(summary.peakVsLicence).toBeCloseTo(0.8, 9);
    expect(summary.meterResets).toBe(0);
  });

  it('calls the whole day measured, with no reason, when readings cover it', () => {
    const summary = summarizeEnergy({
      fromMs: TEHRAN_MIDNIGHT,
      toMs: TEHRAN_MIDNIGHT + DAY,
      readings: steady(TEHRAN_MIDNIGHT, TEHRAN_MIDNIGHT + DAY, 1_000),
      meters: METER,
      timezone: 'Asia/Tehran',
      licensedCapacityKw: null,
      tariffs: [IRAN_2021],
      windows: [],
    });
    expect(summary).toMatchObject({
      basis: 'measured',
      unknownReason: null,
      costReason: null,
      kwhTotal: expect.closeTo(24, 6) as number,
      peakKw: expect.closeTo(1, 6) as number,
      coverage: {
        firstReadingAt: '2026-06-30T20:30:00.000Z',
        lastReadingAt: '2026-07-01T20:30:00.000Z',
        fraction: 1,
      },
    });
  });

  it('leaves out a window outside its season; energy before any tariff has no price and no cost', () => {
    const readings = [
      { atMs: Date.UTC(2020, 0, 1), energyWh: 0 },
      { atMs: Date.UTC(2020, 0, 1) + HOUR, energyWh: 1_000_000 },
    ];
    const summary = summarizeEnergy({
      fromMs: Date.UTC(2020, 0, 1),
      toMs: Date.UTC(2020, 0, 2),
      readings,
      meters: METER,
      timezone: 'Asia/Tehran',
      licensedCapacityKw: null,
      tariffs: [IRAN_2021],
      windows: [CRITICAL_PEAK],
    });
    expect(summary.byBand).toEqual([
      { band: 'no tariff', kwh: expect.closeTo(1_000, 9) as number, pricePerKwh: null, cost: null },
    ]);
    expect(summary.cost).toBeNull();
    expect(summary.restricted[0]?.kwh).toBe(0);
    expect(summary.peakVsLicence).toBeNull();
    // Two readings an hour apart: the hour between them is a gap, and so is the rest of the day.
    expect(summary.basis).toBe('partial');
    expect(summary.coverage.fraction).toBe(0);
    expect(summary.unknownReason).toBe(
      'readings cover less than a minute of 24 hours (from 2020-01-01T00:00:00Z to 2020-01-01T01:00:00Z)',
    );
    expect(summary.costReason).toBe('no tariff before 2021-04-08');
  });

  it('has no figures, and says so, when the farm has no meter', () => {
    const summary = summarizeEnergy({ ...NOTHING, meters: [] });
    expect(summary).toMatchObject({
      kwhTotal: null,
      peakKw: null,
      peakVsLicence: null,
      cost: null,
      restricted: [{ windowId: '7', class: 'critical_peak', kwh: null }],
      basis: 'unknown',
      unknownReason: 'the farm has no meter',
      // The energy is unknown: that, not the tariff, is why the cost is.
      costReason: null,
      coverage: { firstReadingAt: null, lastReadingAt: null, fraction: 0 },
    });
  });

  it('names when a silent meter last reported', () => {
    const summary = summarizeEnergy(NOTHING);
    expect(summary).toMatchObject({ kwhTotal: null, peakKw: null, cost: null, basis: 'unknown' });
    expect(summary.unknownReason).toBe('no meter reading since 2026-11-03T10:00:00Z');
  });

  it('tells a meter that never reported, one of several that fell silent, and a past period without readings', () => {
    expect(
      summarizeEnergy({ ...NOTHING, meters: [{ name: 'main', lastSampleAtMs: null }] }).unknownReason,
    ).toBe('the meter has never reported');
    expect(
      summarizeEnergy({
        ...NOTHING,
        meters: [
          { name: 'hall A', lastSampleAtMs: Date.UTC(2026, 11, 6) },
          { name: 'hall B', lastSampleAtMs: Date.UTC(2026, 10, 20, 8) },
        ],
      }).unknownReason,
    ).toBe('meter "hall B": no reading since 2026-11-20T08:00:00Z');
    expect(
      summarizeEnergy({ ...NOTHING, meters: [{ name: 'main', lastSampleAtMs: Date.UTC(2026, 11, 6) }] })
        .unknownReason,
    ).toBe('no meter reading between 2026-12-01T00:00:00Z and 2026-12-02T00:00:00Z');
  });

  it('counts a single reading as no measurement', () => {
    const atMs = NOTHING.fromMs + HOUR;
    const summary = summarizeEnergy({ ...NOTHING, readings: [{ atMs, energyWh: 5_000 }] });
    expect(summary).toMatchObject({ kwhTotal: null, basis: 'unknown' });
    expect(summary.unknownReason).toBe('only one meter reading in the period, at 2026-12-01T01:00:00Z');
  });

  it('gives what the readings measured of a month they cover in part, and how much they cover', () => {
    const fromMs = Date.UTC(2026, 10, 1);
    const toMs = fromMs + 30 * DAY;
    const readings = steady(fromMs + 2 * DAY, fromMs + 14.5 * DAY, 2_000);
    const flat = { ...IRAN_2021, bands: [] };
    const summary = summarizeEnergy({ ...NOTHING, fromMs, toMs, readings, tariffs: [flat], windows: [] });
    expect(summary.basis).toBe('partial');
    expect(summary.kwhTotal).toBeCloseTo(12.5 * 24 * 2, 6);
    expect(summary.peakKw).toBeCloseTo(2, 6);
    expect(summary.cost).toBeCloseTo(12.5 * 24 * 2 * 8_287, 3);
    expect(summary.coverage.fraction).toBeCloseTo(12.5 / 30, 9);
    expect(summary.unknownReason).toBe(
      'readings cover 12.5 of 30 days (from 2026-11-03T00:00:00Z to 2026-11-15T12:00:00Z)',
    );
  });

  it('has no peak demand without a whole 15 minutes of readings, and no cost without a tariff', () => {
    const summary = summarizeEnergy({
      ...NOTHING,
      readings: steady(NOTHING.fromMs + HOUR, NOTHING.fromMs + HOUR + 10 * MINUTE, 3_000),
      tariffs: [],
    });
    expect(summary.kwhTotal).toBeCloseTo(0.5, 9);
    expect(summary.peakKw).toBeNull();
    expect(summary.cost).toBeNull();
    expect(summary.unknownReason).toMatch(/^readings cover 10 minutes of 24 hours/);
    expect(summary.costReason).toBe('the farm has no tariff');
  });

  it('leaves the cost unknown when the tariffs are in several currencies', () => {
    const summary = summarizeEnergy({
      ...NOTHING,
      readings: steady(NOTHING.fromMs, NOTHING.toMs, 1_000),
      tariffs: [{ ...IRAN_2021, id: '2', currency: 'USD', effectiveFrom: '2026-01-01' }, IRAN_2021],
    });
    expect(summary.basis).toBe('measured');
    expect(summary.cost).toBeNull();
    expect(summary.currency).toBeNull();
    expect(summary.unknownReason).toBeNull();
    expect(summary.costReason).toBe('the tariffs are in several currencies (USD, IRR)');
  });
});

describe('the reason for a partial period', () => {
  const fromMs = Date.UTC(2026, 11, 1);
  const reason = (coveredMs: number, periodMs: number): string | null =>
    summarizeEnergy({
      ...NOTHING,
      fromMs,
      toMs: fromMs + periodMs,
      readings: steady(fromMs, fromMs + coveredMs, 1_000),
    }).unknownReason;

  it('counts in days from two days on, in hours below, and in minutes under one unit', () => {
    expect(reason(3 * HOUR, DAY)).toBe(
      'readings cover 3 of 24 hours (from 2026-12-01T00:00:00Z to 2026-12-01T03:00:00Z)',
    );
    expect(reason(50 * MINUTE, DAY)).toBe(
      'readings cover 50 minutes of 24 hours (from 2026-12-01T00:00:00Z to 2026-12-01T00:50:00Z)',
    );
    expect(reason(12 * HOUR, 30 * DAY)).toBe(
      'readings cover 12 hours of 30 days (from 2026-12-01T00:00:00Z to 2026-12-01T12:00:00Z)',
    );
  });
});

describe('coverageOf', () => {
  const fromMs = Date.UTC(2026, 11, 1);
  const toMs = fromMs + HOUR;

  it('allows gaps of up to a demand interval between readings and at the edges', () => {
    const readings = [
      { atMs: fromMs + 15 * MINUTE, energyWh: 0 },
      ...steady(fromMs + 30 * MINUTE, toMs - 5 * MINUTE, 1_000),
    ];
    expect(coverageOf(readings, fromMs, toMs)).toEqual({
      basis: 'measured',
      firstMs: fromMs + 15 * MINUTE,
      lastMs: toMs - 5 * MINUTE,
      fraction: 1,
    });
  });

  it('counts a gap longer than that, and an interval in which the meter went back, as uncovered', () => {
    const readings = [
      { atMs: fromMs, energyWh: 0 },
      { atMs: fromMs + MINUTE, energyWh: 10 },
      { atMs: fromMs + 2 * MINUTE, energyWh: 2 },
      { atMs: fromMs + 32 * MINUTE, energyWh: 500 },
      { atMs: toMs, energyWh: 1_000 },
    ];
    const coverage = coverageOf(readings, fromMs, toMs);
    expect(coverage.basis).toBe('partial');
    expect(coverage.fraction).toBeCloseTo(1 / 60, 9);
  });
});

/** A meter's readings each minute from `fromMs` to `toMs` at a steady `watts`. */
function steady(fromMs: number, toMs: number, watts: number): MeterReading[] {
  const readings: MeterReading[] = [];
  for (let at = fromMs; at <= toMs; at += MINUTE) {
    readings.push({ atMs: at, energyWh: ((at - fromMs) * watts) / HOUR });
  }
  return readings;
}

/** A day with a meter that fell silent before it. */
const NOTHING = {
  fromMs: Date.UTC(2026, 11, 1),
  toMs: Date.UTC(2026, 11, 2),
  readings: [],
  meters: METER,
  timezone: 'Asia/Tehran',
  licensedCapacityKw: 5_000,
  tariffs: [IRAN_2021],
  windows: [CRITICAL_PEAK],
} satisfies Parameters<typeof summarizeEnergy>[0];

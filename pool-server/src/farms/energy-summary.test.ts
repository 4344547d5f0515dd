import { describe, expect, it } from 'vitest';
import type { RestrictedWindow, Tariff } from '@hashwatt/schemas';
import { inWindow, localClock, type MeterReading } from './energy.ts';
import { summarizeEnergy } from './energy-summary.ts';

const HOUR = 3_600_000;
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

  it('leaves out a window outside its season, and energy before any tariff goes unpriced', () => {
    const readings = [
      { atMs: Date.UTC(2020, 0, 1), energyWh: 0 },
      { atMs: Date.UTC(2020, 0, 1) + HOUR, energyWh: 1_000_000 },
    ];
    const summary = summarizeEnergy({
      fromMs: Date.UTC(2020, 0, 1),
      toMs: Date.UTC(2020, 0, 2),
      readings,
      timezone: 'Asia/Tehran',
      licensedCapacityKw: null,
      tariffs: [IRAN_2021],
      windows: [CRITICAL_PEAK],
    });
    expect(summary.byBand).toEqual([
      { band: 'no tariff', kwh: expect.closeTo(1_000, 9) as number, pricePerKwh: 0, cost: 0 },
    ]);
    expect(summary.restricted[0]?.kwh).toBe(0);
    expect(summary.peakVsLicence).toBeNull();
  });
});

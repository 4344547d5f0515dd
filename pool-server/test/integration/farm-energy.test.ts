/**
 * Starts: the HTTP API on a real PostgreSQL database. A Tehran farm's day of meter
 * readings (two meters, as its agent sends them), its tariff and a critical-peak
 * window set through the API: the energy summary prices it by band and shows the
 * energy drawn inside the window, to the operator and to Iran's regulator only. Periods
 * the meters cover in part, or not at all, and a farm with no meter, say so: null, never 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnergySummary, MeterSample } from '@hashwatt/schemas';
import { ingestTelemetry } from '../../src/farms/telemetry-ingest.ts';
import {
  farmOfOperator,
  signedInRegulator,
  startTestApi,
  type FarmOfOperator,
  type TestApi,
} from '../helpers/api.ts';

const HOUR = 3_600_000;
/** 2026-07-01 00:00 in Tehran. */
const DAY = Date.UTC(2026, 5, 30, 20, 30);
const period = (fromMs: number, toMs: number): string =>
  `from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}`;
const PERIOD = period(DAY, DAY + 24 * HOUR);

describe('a farm day of energy', () => {
  let api: TestApi;
  let farm: FarmOfOperator;
  const regulators = new Map<string, Record<string, string>>();

  beforeAll(async () => {
    api = await startTestApi();
    farm = await farmOfOperator(api, 'op@tehran.test');
    const as = { headers: farm.operator };
    await api.app.inject({
      method: 'PATCH',
      url: `/api/farms/${farm.farmId}`,
      ...as,
      payload: { country: 'IR', region: 'IR-23', timezone: 'Asia/Tehran', licence: { capacityKw: 5_000 } },
    });
    await api.app.inject({
      method: 'POST',
      url: `/api/farms/${farm.farmId}/tariffs`,
      ...as,
      payload: {
        currency: 'IRR',
        effectiveFrom: '2026-03-21',
        defaultPricePerKwh: 8_287,
        bands: [{ name: 'restricted', pricePerKwh: 33_148, windows: [{ from: '19:00', to: '23:00' }] }],
      },
    });
    await api.app.inject({
      method: 'POST',
      url: `/api/farms/${farm.farmId}/restricted-windows`,
      ...as,
      payload: {
        class: 'critical_peak',
        from: '19:00',
        to: '23:00',
        validFrom: '2026-06-21',
        validTo: '2026-09-22',
      },
    });
    // Two meters of 2 MW each, every minute; each curtails to 100 kW from 19:00 to 23:00 local.
    const meters: MeterSample[] = [];
    for (const name of ['hall-a', 'hall-b']) {
      let energyWh = name === 'hall-a' ? 1_000_000 : 7_000_000;
      for (let at = DAY; at <= DAY + 24 * HOUR; at += 60_000) {
        meters.push({ meter: name, at: new Date(at).toISOString(), energyWh, powerW: 0 });
        const localHour = ((at - DAY) / HOUR) % 24;
        energyWh += ((localHour >= 19 && localHour < 23 ? 100_000 : 2_000_000) * 60_000) / HOUR;
      }
    }
    await ingestTelemetry(api.database.db, farm.farmId, {
      batchId: '00000000-0000-4000-8000-0000000e0e0e',
      agentVersion: 'test',
      miners: [],
      meters,
      dropped: 0,
    });
    regulators.set(
      'iran',
      await signedInRegulator(api, 'iran@regulator.test', { country: 'IR', regions: [] }),
    );
    regulators.set(
      'russia',
      await signedInRegulator(api, 'russia@regulator.test', { country: 'RU', regions: [] }),
    );
  });
  afterAll(async () => {
    await api.close();
  });

  it('sums both meters, prices the day by band, and measures the critical-peak window', async () => {
    const response = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${farm.farmId}/energy?${PERIOD}`,
      headers: farm.operator,
    });
    expect(response.statusCode).toBe(200);
    const summary = response.json<EnergySummary>();
    // 20 h at 4 MW and 4 h at 200 kW.
    expect(summary.kwhTotal).toBeCloseTo(80_800, 3);
    expect(summary.cost).toBeCloseTo(80_000 * 8_287 + 800 * 33_148, 0);
    expect(summary.currency).toBe('IRR');
    expect(summary.restricted).toHaveLength(1);
    expect(summary.restricted[0]?.kwh).toBeCloseTo(800, 3);
    expect(summary.peakKw).toBeCloseTo(4_000, 3);
    expect(summary.peakVsLicence).toBeCloseTo(0.8, 6);
    expect(summary).toMatchObject({
      basis: 'measured',
      unknownReason: null,
      coverage: {
        firstReadingAt: new Date(DAY).toISOString(),
        lastReadingAt: new Date(DAY + 24 * HOUR).toISOString(),
        fraction: 1,
      },
    });
  });

  it('gives what was measured of two days the meters covered one of, and says so', async () => {
    const response = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${farm.farmId}/energy?${period(DAY - 24 * HOUR, DAY + 24 * HOUR)}`,
      headers: farm.operator,
    });
    const summary = response.json<EnergySummary>();
    expect(summary.basis).toBe('partial');
    expect(summary.kwhTotal).toBeCloseTo(80_800, 3);
    expect(summary.coverage.fraction).toBeCloseTo(0.5, 9);
    expect(summary.unknownReason).toBe(
      'readings cover 1 of 2 days (from 2026-06-30T20:30:00Z to 2026-07-01T20:30:00Z)',
    );
  });

  it('has no figures after the meters fell silent, and names when they last reported', async () => {
    const response = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${farm.farmId}/energy?${period(DAY + 48 * HOUR, DAY + 72 * HOUR)}`,
      headers: farm.operator,
    });
    expect(response.json<EnergySummary>()).toMatchObject({
      kwhTotal: null,
      peakKw: null,
      peakVsLicence: null,
      cost: null,
      restricted: [{ kwh: null }],
      basis: 'unknown',
      unknownReason: 'meter "hall-a": no reading since 2026-07-01T20:30:00Z',
      coverage: { firstReadingAt: null, lastReadingAt: null, fraction: 0 },
    });
  });

  it('has no figures for a farm with no meter, and says that', async () => {
    const bare = await farmOfOperator(api, 'op@bare.test', { organisation: 'Bare Co', farm: 'Shed' });
    const response = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${bare.farmId}/energy?${PERIOD}`,
      headers: bare.operator,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json<EnergySummary>()).toMatchObject({
      kwhTotal: null,
      peakKw: null,
      cost: null,
      basis: 'unknown',
      unknownReason: 'the farm has no meter',
    });
  });

  it("shows the same to Iran's regulator, nothing to Russia's, and refuses a backwards period", async () => {
    const iran = await api.app.inject({
      method: 'GET',
      url: `/api/regulator/farms/${farm.farmId}/energy?${PERIOD}`,
      headers: regulators.get('iran') ?? {},
    });
    expect(iran.json<EnergySummary>().kwhTotal).toBeCloseTo(80_800, 3);
    const russia = await api.app.inject({
      method: 'GET',
      url: `/api/regulator/farms/${farm.farmId}/energy?${PERIOD}`,
      headers: regulators.get('russia') ?? {},
    });
    expect(russia.statusCode).toBe(404);
    const backwards = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${farm.farmId}/energy?from=${new Date(DAY).toISOString()}&to=${new Date(DAY - HOUR).toISOString()}`,
      headers: farm.operator,
    });
    expect(backwards.json()).toMatchObject({ error: 'HW_ERR_VALIDATION', field: 'query.to' });
  });
});

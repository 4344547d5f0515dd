/**
 * Starts: the HTTP API on a real PostgreSQL database. A Tehran farm's day of meter
 * readings (two meters, as its agent sends them), its tariff and a critical-peak
 * window set through the API: the energy summary prices it by band and shows the
 * energy drawn inside the window, to the operator and to Iran's regulator only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnergySummary, MeterSample } from '@hashwatt/schemas';
import { ingestTelemetry } from '../../src/farms/telemetry.ts';
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
const PERIOD = `from=${new Date(DAY).toISOString()}&to=${new Date(DAY + 24 * HOUR).toISOString()}`;

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

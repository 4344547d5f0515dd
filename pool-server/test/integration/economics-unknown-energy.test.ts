/**
 * Starts: the HTTP API on a real PostgreSQL database. Two Tehran farms as a new user
 * has them: one with no meter, whose machines report hashrate but not all their power
 * (one has a nameplate power set, one has none), and one whose meter read for half a
 * day. Their economics: energy, cost, profit and efficiency built on energy nothing
 * measured are null with the reason; a machine's nameplate energy is labelled as an
 * estimate; a day before any block template, or a farm with no machine, has no expected
 * coins. Never 0 for missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FarmDevice, FarmDeviceEconomics, FarmEconomics, MinerSample } from '@hashwatt/schemas';
import { recordTemplate } from '../../src/farms/economics/network.ts';
import { addPrice } from '../../src/farms/economics/prices.ts';
import { ingestTelemetry } from '../../src/farms/telemetry-ingest.ts';
import { bareSample } from '../helpers/samples.ts';
import { farmOfOperator, startTestApi, type FarmOfOperator, type TestApi } from '../helpers/api.ts';

const HOUR = 3_600_000;
/** Local midnight of 5 October in Tehran (UTC+3:30). */
const FIRST = Date.UTC(2026, 9, 4, 20, 30);
const DAY = '2026-10-05';

describe('economics on energy nothing measured', () => {
  let api: TestApi;
  let unmetered: FarmOfOperator;
  let halfMetered: FarmOfOperator;
  const get = async <T>(url: string, as: FarmOfOperator): Promise<T> => {
    const response = await api.app.inject({ method: 'GET', url, headers: as.operator });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<T>();
  };
  const economics = (as: FarmOfOperator, from = DAY): Promise<FarmEconomics> =>
    get<FarmEconomics>(
      `/api/farms/${as.farmId}/economics?from=${from}&to=${DAY}&currency=USD&rateType=nima`,
      as,
    );

  beforeAll(async () => {
    api = await startTestApi();
    const { db } = api.database;
    unmetered = await farmOfOperator(api, 'op@unmetered.test', { organisation: 'No Meter Co', farm: 'Shed' });
    halfMetered = await farmOfOperator(api, 'op@half.test', { organisation: 'Half Co', farm: 'Hall' });
    for (const farm of [unmetered, halfMetered]) {
      await api.app.inject({
        method: 'PATCH',
        url: `/api/farms/${farm.farmId}`,
        headers: farm.operator,
        payload: { timezone: 'Asia/Tehran' },
      });
      await api.app.inject({
        method: 'POST',
        url: `/api/farms/${farm.farmId}/tariffs`,
        headers: farm.operator,
        payload: { currency: 'IRR', effectiveFrom: '2026-09-23', defaultPricePerKwh: 8_287 },
      });
    }
    await recordTemplate(db, {
      height: 933_586,
      difficulty: 141_668_107_417_558,
      feesSats: 2_000_000,
      atMs: FIRST + HOUR,
    });
    await addPrice(db, { base: 'BTC', quote: 'USD', value: 100_000 }, 'test', FIRST - HOUR);
    await addPrice(db, { base: 'USD', quote: 'IRR', value: 700_000, rateType: 'nima' }, 'test', FIRST - HOUR);

    const miners: MinerSample[] = [];
    for (let at = FIRST + HOUR / 2; at < FIRST + 24 * HOUR; at += HOUR) {
      const sample = (device: string): MinerSample => ({
        ...bareSample(device, new Date(at).toISOString()),
        hashrate: 100e12,
      });
      miners.push(
        { ...sample('10.0.0.1:4028'), powerW: 3_000 },
        sample('10.0.0.2:4028'),
        sample('10.0.0.3:4028'),
      );
    }
    await ingestTelemetry(db, unmetered.farmId, {
      batchId: '00000000-0000-4000-8000-0000000ee001',
      agentVersion: 'test',
      miners,
      meters: [],
      dropped: 0,
    });
    const devices = await get<FarmDevice[]>(`/api/farms/${unmetered.farmId}/devices`, unmetered);
    const second = devices.find((device) => device.device === '10.0.0.2:4028');
    await api.app.inject({
      method: 'PATCH',
      url: `/api/farms/${unmetered.farmId}/devices/${second?.id ?? ''}`,
      headers: unmetered.operator,
      payload: { nominalPowerW: 3_250 },
    });

    // 10 kW for the first 12 hours of the day, then the meter fell silent.
    const meters = [];
    for (let at = FIRST, energyWh = 0; at <= FIRST + 12 * HOUR; at += HOUR / 4, energyWh += 2_500) {
      meters.push({ meter: 'main', at: new Date(at).toISOString(), energyWh, powerW: 10_000 });
    }
    await ingestTelemetry(db, halfMetered.farmId, {
      batchId: '00000000-0000-4000-8000-0000000ee002',
      agentVersion: 'test',
      miners: [],
      meters,
      dropped: 0,
    });
    api.clock.ms = FIRST + 3 * 24 * HOUR;
  });
  afterAll(async () => {
    await api.close();
  });

  it('has no energy, cost, profit or J/TH for a farm with no meter, and says why', async () => {
    const { days, total } = await economics(unmetered);
    const [day] = days;
    expect(day).toMatchObject({
      energyKwh: null,
      energyBasis: 'unknown',
      joulesPerTh: null,
      powerCost: null,
      profit: null,
      breakEvenPerKwh: null,
      tariffRate: null,
    });
    expect(day?.revenue).toBeGreaterThan(0);
    expect(day?.missing).toEqual(['energy: the farm has no meter']);
    expect(total).toMatchObject({
      energyKwh: null,
      energyBasis: 'unknown',
      revenue: null,
      powerCost: null,
      profit: null,
      daysMissing: 1,
    });
  });

  it("counts a machine's nameplate energy as an estimate, and a machine with neither as unknown", async () => {
    const { devices, pricePerKwh } = await get<FarmDeviceEconomics>(
      `/api/farms/${unmetered.farmId}/device-economics?day=${DAY}&currency=USD&rateType=nima`,
      unmetered,
    );
    expect(pricePerKwh).toBeNull();
    const byName = new Map(devices.map((device) => [device.device, device]));
    expect(byName.get('10.0.0.1:4028')).toMatchObject({
      powerW: 3_000,
      power: { watts: 3_000, basis: 'measured', source: 'miner' },
      energyKwh: 72,
      joulesPerTh: 30,
      powerCost: null,
      profit: null,
    });
    expect(byName.get('10.0.0.2:4028')).toMatchObject({
      powerW: null,
      power: { watts: 3_250, basis: 'estimated', source: 'nameplate' },
      energyKwh: 78,
      joulesPerTh: 32.5,
    });
    expect(byName.get('10.0.0.3:4028')).toMatchObject({
      powerW: null,
      power: {
        watts: null,
        basis: 'unknown',
        reason: 'the device reports no power and has no nameplate power set',
      },
      energyKwh: null,
      joulesPerTh: null,
      powerCost: null,
    });
  });

  it('gives the cost of the half day the meter measured, but no profit, and says how much it covers', async () => {
    const [day] = (await economics(halfMetered)).days;
    expect(day?.energyBasis).toBe('partial');
    expect(day?.energyKwh).toBeCloseTo(120, 6);
    // 120 kWh × 8,287 IRR at 700,000 IRR/USD.
    expect(day?.powerCost).toBeCloseTo((120 * 8_287) / 700_000, 6);
    expect(day).toMatchObject({ profit: null, breakEvenPerKwh: null, joulesPerTh: null });
    // This farm has a meter but no machine: its hashrate, and so its expected coins, are unknown, not 0.
    expect(day).toMatchObject({ hashrate: { reported: null, pool: null }, expectedSats: null });
    expect(day?.missing).toEqual([
      'hashrate: no device reported one, and no device mines as a worker the pool knows',
      'energy: readings cover 12 of 24 hours (from 2026-10-04T20:30:00Z to 2026-10-05T08:30:00Z)',
    ]);
  });

  it('has no expected coins on a day before any block template, rather than none', async () => {
    const { days, total } = await economics(unmetered, '2026-10-04');
    const [before, after] = days;
    expect(before).toMatchObject({ date: '2026-10-04', network: null, expectedSats: null, revenue: null });
    // The total is of the day whose network is known, not of that day and a 0.
    expect(after?.expectedSats).toBeGreaterThan(0);
    expect(total.expectedSats).toBe(after?.expectedSats);
    expect(before?.missing).toContain('no block template seen at or before 2026-10-04T20:30:00.000Z');
  });
});

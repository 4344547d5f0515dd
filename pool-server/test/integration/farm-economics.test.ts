/**
 * Starts: the HTTP API on a real PostgreSQL database. A Tehran farm of two 500 TH/s
 * machines at 10 kW each, mining as pool workers, for two local days, on the network
 * of the worked example in ../shared/domain/regulation-economics.md 4.2 (difficulty
 * 141,668,107,417,558 at height 933,586, fees 0.02 BTC a block), BTC at $100,000 and
 * power at 8,287 IRR/kWh: its economics per day, per device and per organisation in
 * USD, IRR, RUB and BTC, computed by hand below; and each device's hashrate as it
 * reported it against what the pool measured, flagged past the threshold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  FarmDevice,
  FarmDeviceEconomics,
  FarmEconomics,
  MeterSample,
  MinerSample,
  OrganisationEconomics,
} from '@hashwatt/schemas';
import { addPrice } from '../../src/farms/economics/prices.ts';
import { recordTemplate } from '../../src/farms/economics/network.ts';
import { ingestTelemetry } from '../../src/farms/telemetry-ingest.ts';
import { bareSample } from '../helpers/samples.ts';
import { farmOfOperator, startTestApi, type FarmOfOperator, type TestApi } from '../helpers/api.ts';

const HOUR = 3_600_000;
/** Local midnight of 5 October in Tehran (UTC+3:30); the second day ends 48 h later. */
const FIRST = Date.UTC(2026, 9, 4, 20, 30);
const DIFFICULTY = 141_668_107_417_558;
/** Hashes per difficulty unit. */
const TWO_32 = 2 ** 32;

// By hand, per day: hashprice = 1e12·86400 / (D·2^32) × (312,500,000 + 2,000,000) sats
// = 44.6583 sats per TH/s; 1,000 TH/s less the pool's 1 % fee = 44,211.74 sats = $44.2117;
// 20 kW for 24 h = 480 kWh × 8,287 IRR = 3,977,760 IRR = $5.6825 at 700,000 IRR/USD (NIMA).
const HASHPRICE = 44.658_33;
const EXPECTED_SATS = 44_211.74;
const REVENUE_USD = 44.211_74;
const COST_USD = 5.682_514;

describe('farm economics from stored data', () => {
  let api: TestApi;
  let farm: FarmOfOperator;
  const get = async <T>(url: string): Promise<T> => {
    const response = await api.app.inject({ method: 'GET', url, headers: farm.operator });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<T>();
  };

  beforeAll(async () => {
    api = await startTestApi();
    const { db } = api.database;
    farm = await farmOfOperator(api, 'op@economics.test');
    const as = { headers: farm.operator };
    await api.app.inject({
      method: 'PATCH',
      url: `/api/farms/${farm.farmId}`,
      ...as,
      payload: { country: 'IR', region: 'IR-20', timezone: 'Asia/Tehran' },
    });
    const tariff = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${farm.farmId}/tariffs`,
      ...as,
      payload: { currency: 'IRR', effectiveFrom: '2026-09-23', defaultPricePerKwh: 8_287 },
    });
    expect(tariff.statusCode, tariff.body).toBe(201);

    // The network: the two heights in the window average 0.02 BTC of fees; one far older does not count.
    for (const [height, feesSats] of [
      [933_300, 50_000_000],
      [933_585, 1_000_000],
      [933_586, 3_000_000],
    ] as const) {
      await recordTemplate(db, { height, difficulty: DIFFICULTY, feesSats, atMs: FIRST - 2 * HOUR });
    }
    const before = FIRST - HOUR;
    await addPrice(db, { base: 'BTC', quote: 'USD', value: 100_000 }, 'test', before);
    await addPrice(db, { base: 'USD', quote: 'IRR', value: 700_000, rateType: 'nima' }, 'test', before);
    await addPrice(
      db,
      { base: 'USD', quote: 'IRR', value: 1_050_000, rateType: 'free_market' },
      'test',
      before,
    );
    await addPrice(db, { base: 'USD', quote: 'RUB', value: 81.5 }, 'test', before);

    // 20 kW every 15 minutes, over both days and a little more.
    const meters: MeterSample[] = [];
    for (let at = FIRST - HOUR, energyWh = 0; at <= FIRST + 50 * HOUR; at += HOUR / 4, energyWh += 5_000) {
      meters.push({ meter: 'main', at: new Date(at).toISOString(), energyWh, powerW: 20_000 });
    }
    // Two machines, 500 TH/s and 10 kW each, every hour; on 7 October a third that no worker matches.
    const miners: MinerSample[] = [];
    const machine = (device: string, at: number, hashrate: number): MinerSample => ({
      ...bareSample(device, new Date(at).toISOString()),
      hashrate,
      powerW: 10_000,
      pools: [
        { index: 0, url: 'stratum+tcp://pool.test:3333', user: `econ.${device}`, active: true, alive: true },
      ],
    });
    for (let at = FIRST + HOUR / 2; at < FIRST + 48 * HOUR; at += HOUR) {
      miners.push(machine('10.0.0.1:4028', at, 500e12), machine('10.0.0.2:4028', at, 500e12));
    }
    const later = Date.UTC(2026, 9, 7, 10);
    miners.push(
      machine('10.0.0.1:4028', later, 500e12),
      machine('10.0.0.2:4028', later, 500e12),
      machine('10.0.0.3:4028', later, 100e12),
    );
    await ingestTelemetry(db, farm.farmId, {
      batchId: '00000000-0000-4000-8000-00000000ec01',
      agentVersion: 'test',
      miners,
      meters,
      dropped: 0,
    });

    // The pool measured 500 TH/s from each worker every hour of both days; in the last
    // hour before 7 October 10:00:30, 400 TH/s from the first and 490 TH/s from the second.
    const { rows } = await db.query<{ id: string }>(
      "INSERT INTO accounts (name) VALUES ('econ') RETURNING id::text",
    );
    const account = rows[0]?.id ?? '';
    const workers = await db.query<{ id: string }>(
      "INSERT INTO workers (account_id, name) VALUES ($1, 'econ.10.0.0.1:4028'), ($1, 'econ.10.0.0.2:4028') RETURNING id::text",
      [account],
    );
    const [first = '', second = ''] = workers.rows.map((row) => row.id);
    await db.query(
      `INSERT INTO share_rollups_worker_hour (bucket, worker_id, account_id, accepted_difficulty, accepted)
       SELECT hour, worker, $3, $4, 1
         FROM generate_series(to_timestamp($1::double precision / 1000), to_timestamp($2::double precision / 1000), '1 hour') AS hour,
              unnest($5::bigint[]) AS worker`,
      [FIRST + HOUR / 2, FIRST + 48 * HOUR - HOUR / 2, account, (500e12 * 3_600) / TWO_32, [first, second]],
    );
    await db.query(
      `INSERT INTO share_rollups_minute (bucket, worker_id, account_id, accepted_difficulty, accepted)
       SELECT minute, w.worker, $3, w.difficulty, 1
         FROM generate_series(to_timestamp($1::double precision / 1000), to_timestamp($2::double precision / 1000), '1 minute') AS minute,
              unnest($4::bigint[], $5::double precision[]) AS w (worker, difficulty)`,
      [
        later - 59 * 60_000,
        later,
        account,
        [first, second],
        [(400e12 * 60) / TWO_32, (490e12 * 60) / TWO_32],
      ],
    );
    api.clock.ms = later + 30_000;
  });

  afterAll(async () => {
    await api.close();
  });

  it('values each local day in USD at the NIMA rate, as worked by hand', async () => {
    const economics = await get<FarmEconomics>(
      `/api/farms/${farm.farmId}/economics?from=2026-10-05&to=2026-10-06&currency=USD&rateType=nima`,
    );
    expect(economics.days.map((day) => [day.date, day.from])).toEqual([
      ['2026-10-05', '2026-10-04T20:30:00.000Z'],
      ['2026-10-06', '2026-10-05T20:30:00.000Z'],
    ]);
    for (const day of economics.days) {
      expect(day.hashrate.reported).toBeCloseTo(1_000e12, -6);
      expect(day.hashrate.pool).toBeCloseTo(1_000e12, -6);
      expect(day.energyKwh).toBeCloseTo(480, 6);
      expect(day.energyBasis).toBe('measured');
      expect(day.joulesPerTh).toBeCloseTo(20, 6);
      expect(day.network).toMatchObject({ height: 933_586, averageFeesSats: 2_000_000 });
      expect(day.network?.hashpriceSatsPerThDay).toBeCloseTo(HASHPRICE, 4);
      expect(day.expectedSats).toBeCloseTo(EXPECTED_SATS, 1);
      expect(day.revenue).toBeCloseTo(REVENUE_USD, 4);
      expect(day.powerCost).toBeCloseTo(COST_USD, 5);
      expect(day.profit).toBeCloseTo(REVENUE_USD - COST_USD, 4);
      expect(day.breakEvenPerKwh).toBeCloseTo(REVENUE_USD / 480, 6);
      expect(day.tariffRate?.origin).toBe('1 / USD/IRR test');
      expect(day.missing).toEqual([]);
    }
    expect(economics.total).toMatchObject({ daysMissing: 0, energyBasis: 'measured' });
    expect(economics.total.revenue).toBeCloseTo(2 * REVENUE_USD, 4);
    expect(economics.total.energyKwh).toBeCloseTo(960, 6);
  });

  it('values the same days in IRR, RUB and BTC, and at the free-market rate when asked', async () => {
    const url = (currency: string, rateType = 'nima'): string =>
      `/api/farms/${farm.farmId}/economics?from=2026-10-05&to=2026-10-05&currency=${currency}&rateType=${rateType}`;
    const [irr] = (await get<FarmEconomics>(url('IRR'))).days;
    expect(irr?.revenue).toBeCloseTo(REVENUE_USD * 700_000, -1);
    expect(irr?.powerCost).toBeCloseTo(3_977_760, 3);
    const [free] = (await get<FarmEconomics>(url('IRR', 'free_market'))).days;
    expect(free?.revenue).toBeCloseTo(REVENUE_USD * 1_050_000, -1);
    // The tariff is in rials: it costs the same rials whatever the dollar's rate.
    expect(free?.powerCost).toBeCloseTo(3_977_760, 3);
    const [rub] = (await get<FarmEconomics>(url('RUB'))).days;
    expect(rub?.revenue).toBeCloseTo(REVENUE_USD * 81.5, 3);
    expect(rub?.powerCost).toBeCloseTo(COST_USD * 81.5, 4);
    const [btc] = (await get<FarmEconomics>(url('BTC'))).days;
    expect(btc?.revenue).toBeCloseTo(EXPECTED_SATS / 1e8, 10);
    expect(btc?.powerCost).toBeCloseTo(COST_USD / 100_000, 10);
  });

  it('leaves money figures empty and says why when a price is missing, never guessing one', async () => {
    const economics = await get<FarmEconomics>(
      `/api/farms/${farm.farmId}/economics?from=2026-10-05&to=2026-10-05&currency=EUR`,
    );
    const [day] = economics.days;
    expect(day).toMatchObject({ revenue: null, powerCost: null, profit: null });
    expect(day?.expectedSats).toBeCloseTo(EXPECTED_SATS, 1);
    expect(day?.missing.join('; ')).toMatch(/no BTC\/EUR \(market\) price/);
    expect(economics.total).toMatchObject({ revenue: null, daysMissing: 1 });
  });

  it('values each device on its own: its hashrate, its power at the farm’s cost per kWh', async () => {
    const economics = await get<FarmDeviceEconomics>(
      `/api/farms/${farm.farmId}/device-economics?day=2026-10-05&currency=USD&rateType=nima`,
    );
    expect(economics.pricePerKwh).toBeCloseTo(COST_USD / 480, 8);
    const [first] = economics.devices;
    expect(first).toMatchObject({
      device: '10.0.0.1:4028',
      powerW: 10_000,
      power: { watts: 10_000, basis: 'measured', source: 'miner', reason: null },
      energyKwh: 240,
      joulesPerTh: 20,
    });
    expect(first?.hashrate.pool).toBeCloseTo(500e12, -6);
    expect(first?.expectedSats).toBeCloseTo(EXPECTED_SATS / 2, 1);
    expect(first?.powerCost).toBeCloseTo(COST_USD / 2, 6);
    expect(first?.revenue).toBeCloseTo(REVENUE_USD / 2, 4);
  });

  it('adds up an organisation’s farms', async () => {
    const economics = await get<OrganisationEconomics>(
      `/api/organisations/${farm.organisationId}/economics?from=2026-10-05&to=2026-10-06&currency=USD&rateType=nima`,
    );
    expect(economics.farms).toHaveLength(1);
    expect(economics.total.revenue).toBeCloseTo(2 * REVENUE_USD, 4);
    expect(economics.total.powerCost).toBeCloseTo(2 * COST_USD, 5);
  });

  it('shows each device’s hashrate as reported and as the pool measured it, flagged past 10 %', async () => {
    const devices = await get<FarmDevice[]>(`/api/farms/${farm.farmId}/devices`);
    const byName = new Map(devices.map((device) => [device.device, device]));
    const first = byName.get('10.0.0.1:4028');
    expect(first?.poolUser).toBe('econ.10.0.0.1:4028');
    expect(first?.ip).toBe('10.0.0.1');
    expect(first?.hour.reportedHashrate).toBe(500e12);
    expect(first?.hour.poolHashrate).toBeCloseTo(400e12, -6);
    expect(first?.hour.gapPercent).toBeCloseTo(20, 6);
    expect(first?.hour.alert).toBe(true);
    expect(byName.get('10.0.0.2:4028')?.hour).toMatchObject({
      alert: false,
      gapPercent: expect.closeTo(2, 6) as number,
    });
    // No worker mines under the third machine's user: nothing to compare, nothing to flag.
    expect(byName.get('10.0.0.3:4028')?.hour).toEqual({
      reportedHashrate: 100e12,
      poolHashrate: null,
      gapPercent: null,
      alert: false,
    });
  });

  it('records where a device stands and its rating, and refuses a bad value naming it', async () => {
    const [device] = await get<FarmDevice[]>(`/api/farms/${farm.farmId}/devices`);
    const url = `/api/farms/${farm.farmId}/devices/${device?.id ?? ''}`;
    const patched = await api.app.inject({
      method: 'PATCH',
      url,
      headers: farm.operator,
      payload: { rack: 'B4', shelf: '2', slot: '07', nominalHashrate: 500e12, nominalPowerW: 10_250 },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json<FarmDevice>()).toMatchObject({
      location: { rack: 'B4', shelf: '2', slot: '07' },
      nominalHashrate: 500e12,
      nominalPowerW: 10_250,
    });
    const cleared = await api.app.inject({
      method: 'PATCH',
      url,
      headers: farm.operator,
      payload: { rack: null },
    });
    expect(cleared.json<FarmDevice>().location).toEqual({ rack: null, shelf: '2', slot: '07' });
    const bad = await api.app.inject({
      method: 'PATCH',
      url,
      headers: farm.operator,
      payload: { nominalPowerW: -5 },
    });
    expect(bad.json()).toMatchObject({ error: 'HW_ERR_VALIDATION', field: 'body.nominalPowerW' });
    const absent = await api.app.inject({
      method: 'PATCH',
      url: `/api/farms/${farm.farmId}/devices/999999`,
      headers: farm.operator,
      payload: { rack: 'A1' },
    });
    expect(absent.json()).toMatchObject({ error: 'HW_ERR_DEVICE_NOT_FOUND' });
  });

  it('refuses a reversed or too long span, naming the field', async () => {
    for (const [query, field] of [
      ['from=2026-10-06&to=2026-10-05&currency=USD', 'query.to'],
      ['from=2026-01-01&to=2026-06-30&currency=USD', 'query.to'],
      ['from=2026-10-05&to=2026-10-05&currency=usd', 'query.currency'],
    ] as const) {
      const response = await api.app.inject({
        method: 'GET',
        url: `/api/farms/${farm.farmId}/economics?${query}`,
        headers: farm.operator,
      });
      expect(response.json(), query).toMatchObject({ error: 'HW_ERR_VALIDATION', field });
    }
  });
});

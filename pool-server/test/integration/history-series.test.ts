/**
 * Starts: the HTTP API on a real PostgreSQL database. A farm in Tehran with a SHA-256
 * miner (two boards, two fans) that reports for three hours, goes silent for an hour and
 * comes back with a slowing fan; a scrypt miner beside it; a meter with a half-hour gap;
 * the miner's pool worker sending shares and rejects; a restricted window that runs past
 * midnight and a curtailment order. The history routes must give each bucket's figures,
 * gaps as null, at most 300 points whatever the range, and refuse bad ranges and
 * strangers as the other farm routes do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceSeries, FarmDevice, FarmSeries, MinerSample, WorkerSeries } from '@hashwatt/schemas';
import { updateFarm } from '../../src/farms/farms.ts';
import { ingestTelemetry } from '../../src/farms/telemetry-ingest.ts';
import { foldRollups } from '../../src/ledger/rollups.ts';
import { ShareStore, type ShareRecord } from '../../src/ledger/share-store.ts';
import { farmOfOperator, startTestApi, type FarmOfOperator, type TestApi } from '../helpers/api.ts';
import { bareSample } from '../helpers/samples.ts';
import { ORDINARY_SHARE } from '../helpers/share-writer.ts';

/** Not on a bucket's edge: the last bucket of each range has run 2.5 minutes. */
const NOW = Date.UTC(2026, 11, 6, 12, 2, 30);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const FIVE_MINUTES = 5 * MINUTE;
const POOL_USER = 'hall.rig1';
const SHARE_DIFFICULTY = 1_000_000;

const bucketOf = (atMs: number, bucketMs: number): number => atMs - (atMs % bucketMs);

function sha256Miner(atMs: number, fanRpm: number): MinerSample {
  const late = atMs >= NOW - 2 * HOUR;
  return {
    ...bareSample('10.0.0.1:4028', new Date(atMs).toISOString()),
    hashrate: late ? 90e12 : 100e12,
    powerW: 3_000,
    powerSource: 'miner',
    boards: [
      { slot: 0, hashrate: 50e12, chipTempC: 70, boardTempC: 60 },
      { slot: 1, hashrate: late ? 40e12 : 50e12, chipTempC: 80, boardTempC: 65 },
    ],
    fans: [
      { id: 0, rpm: 6_000 },
      { id: 1, rpm: fanRpm },
    ],
    pools: [{ index: 0, url: 'stratum+tcp://pool.test:3333', user: POOL_USER, active: true, alive: true }],
  };
}

function scryptMiner(atMs: number): MinerSample {
  const sample = bareSample('10.0.0.2:4028', new Date(atMs).toISOString());
  return {
    ...sample,
    identity: { ...sample.identity, model: 'L7', algorithm: 'scrypt' },
    hashrate: 9e9,
    powerW: 3_400,
    powerSource: 'miner',
  };
}

describe('history series of a device, a farm and a worker', () => {
  let api: TestApi;
  let farm: FarmOfOperator;
  let stranger: FarmOfOperator;
  let deviceId = '';
  let scryptId = '';

  const call = (url: string, as: Record<string, string> = farm.operator) =>
    api.app.inject({ method: 'GET', url, headers: as });
  const get = async <T>(url: string, as?: Record<string, string>): Promise<T> => {
    const response = await call(url, as);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<T>();
  };
  const pointAt = <P extends { time: string }>(points: readonly P[], atMs: number): P | undefined =>
    points.find((point) => point.time === new Date(atMs).toISOString());

  beforeAll(async () => {
    api = await startTestApi();
    api.clock.ms = NOW;
    const { db } = api.database;
    farm = await farmOfOperator(api, 'op@history.test');
    stranger = await farmOfOperator(api, 'op@elsewhere.test', { organisation: 'Other Co', farm: 'Far' });
    await updateFarm(db, farm.farmId, { country: 'IR', region: 'IR-08', timezone: 'Asia/Tehran' });
    // Every minute from 6 hours ago to 3 hours ago, then nothing for an hour, then to now.
    const minutes = Array.from({ length: 6 * 60 }, (_, index) => NOW - 6 * HOUR + index * MINUTE).filter(
      (atMs) => atMs < NOW - 3 * HOUR || atMs >= NOW - 2 * HOUR,
    );
    await ingestTelemetry(db, farm.farmId, {
      batchId: '00000000-0000-4000-8000-0000000b0001',
      agentVersion: 'test',
      miners: [
        ...minutes.map((atMs) => sha256Miner(atMs, atMs >= NOW - 2 * HOUR ? 3_100 : 5_800)),
        ...minutes.map(scryptMiner),
      ],
      // 6 kW, counted every minute, but for half an hour four hours ago.
      meters: Array.from({ length: 6 * 60 + 1 }, (_, index) => NOW - 6 * HOUR + index * MINUTE)
        .filter((atMs) => atMs <= NOW - 4 * HOUR || atMs >= NOW - 3.5 * HOUR)
        .map((atMs) => ({
          meter: 'main',
          at: new Date(atMs).toISOString(),
          energyWh: ((atMs - (NOW - 6 * HOUR)) / HOUR) * 6_000,
          powerW: 6_000,
        })),
      dropped: 0,
    });
    const { rows } = await db.query<{ id: string; device: string }>('SELECT id::text, device FROM devices');
    deviceId = rows.find((row) => row.device === '10.0.0.1:4028')?.id ?? '';
    scryptId = rows.find((row) => row.device === '10.0.0.2:4028')?.id ?? '';
    // The pool's side: five shares in the bucket five hours ago, one a minute ago.
    const share = (timeMs: number): ShareRecord => ({
      timeMs,
      account: 'hall',
      worker: POOL_USER,
      payoutAddress: null,
      difficulty: SHARE_DIFFICULTY,
      achieved: SHARE_DIFFICULTY * 2,
      ...ORDINARY_SHARE,
    });
    const fiveHoursAgo = bucketOf(NOW - 5 * HOUR, FIVE_MINUTES);
    await new ShareStore(db).store({
      id: '00000000-0000-4000-8000-0000000b5a7e',
      nodeId: 0,
      shares: [...[0, 1, 2, 3, 4].map((index) => share(fiveHoursAgo + index * 10_000)), share(NOW - MINUTE)],
      rejects: [
        { timeMs: fiveHoursAgo + 1_000, account: 'hall', worker: POOL_USER, stale: false },
        { timeMs: fiveHoursAgo + 2_000, account: 'hall', worker: POOL_USER, stale: false },
        { timeMs: fiveHoursAgo + 3_000, account: 'hall', worker: POOL_USER, stale: true },
      ],
    });
    // 22:00–01:00 in Tehran (UTC+3:30): 18:30Z to 21:30Z the evening before now.
    const window = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${farm.farmId}/restricted-windows`,
      headers: farm.operator,
      payload: { class: 'critical_peak', from: '22:00', to: '01:00', validFrom: '2026-01-01' },
    });
    expect(window.statusCode, window.body).toBe(201);
    const order = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${farm.farmId}/curtailment-orders`,
      headers: farm.operator,
      payload: {
        noticeAt: new Date(NOW - 3 * HOUR).toISOString(),
        startsAt: new Date(NOW - 2 * HOUR).toISOString(),
        endsAt: new Date(NOW - HOUR).toISOString(),
        reductionKw: 3,
      },
    });
    expect(order.statusCode, order.body).toBe(201);
  });
  afterAll(async () => {
    await api.close();
  });

  it('answers one device as the farm list shows it, and no other', async () => {
    const list = await get<FarmDevice[]>(`/api/farms/${farm.farmId}/devices`);
    const one = await get<FarmDevice>(`/api/farms/${farm.farmId}/devices/${deviceId}`);
    expect(one).toEqual(list.find((device) => device.id === deviceId));
    const missing = await call(`/api/farms/${farm.farmId}/devices/999999`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'HW_ERR_DEVICE_NOT_FOUND', field: 'params.deviceId' });
    // The device of a farm the operator does not own, through its own farm's id or the other's.
    expect(
      (await call(`/api/farms/${stranger.farmId}/devices/${deviceId}`, stranger.operator)).statusCode,
    ).toBe(404);
    const intruder = await call(`/api/farms/${farm.farmId}/devices/${deviceId}`, stranger.operator);
    expect(intruder.statusCode).toBe(404);
    expect(intruder.json()).toMatchObject({ error: 'HW_ERR_FARM_NOT_FOUND' });
  });

  it("gives a device's last 24 hours in 5-minute buckets: means, hottest, slowest fan, each board", async () => {
    const series = await get<DeviceSeries>(`/api/farms/${farm.farmId}/devices/${deviceId}/series?range=24h`);
    expect(series).toMatchObject({
      deviceId,
      range: '24h',
      bucketSeconds: 300,
      from: new Date(bucketOf(NOW - 24 * HOUR, FIVE_MINUTES)).toISOString(),
      to: new Date(NOW).toISOString(),
    });
    expect(series.points).toHaveLength(289);
    expect(pointAt(series.points, bucketOf(NOW - 5 * HOUR, FIVE_MINUTES))).toEqual({
      time: new Date(bucketOf(NOW - 5 * HOUR, FIVE_MINUTES)).toISOString(),
      hashrate: 100e12,
      powerW: 3_000,
      chipTempC: 80,
      boardTempC: 65,
      fanRpmMin: 5_800,
      fanRpmMax: 6_000,
      boards: [
        { slot: 0, chipTempC: 70, boardTempC: 60, hashrate: 50e12 },
        { slot: 1, chipTempC: 80, boardTempC: 65, hashrate: 50e12 },
      ],
    });
    // The failing fan shows in the slowest once the device is back.
    expect(pointAt(series.points, bucketOf(NOW - HOUR, FIVE_MINUTES))).toMatchObject({
      hashrate: 90e12,
      fanRpmMin: 3_100,
      boards: [{ slot: 0 }, { slot: 1, hashrate: 40e12 }],
    });
    // The silent hour and the time before the first reading are gaps: null, never 0.
    const gap = {
      hashrate: null,
      powerW: null,
      chipTempC: null,
      boardTempC: null,
      fanRpmMin: null,
      fanRpmMax: null,
      boards: [],
    };
    expect(pointAt(series.points, bucketOf(NOW - 2.5 * HOUR, FIVE_MINUTES))).toMatchObject(gap);
    expect(series.points[0]).toMatchObject(gap);
    // Read in 06:00–09:00 and 10:00–12:00, bucket starts included: 37 and 25 buckets.
    expect(series.points.filter((point) => point.hashrate !== null)).toHaveLength(62);
  });

  it('keeps every range within 300 points, in hours for 7 days and 3 hours for 30', async () => {
    const base = `/api/farms/${farm.farmId}/devices/${deviceId}/series`;
    const week = await get<DeviceSeries>(`${base}?range=7d`);
    expect(week).toMatchObject({
      bucketSeconds: 3_600,
      from: new Date(bucketOf(NOW - 168 * HOUR, HOUR)).toISOString(),
    });
    expect(week.points).toHaveLength(169);
    expect(pointAt(week.points, bucketOf(NOW - 5 * HOUR, HOUR))?.hashrate).toBe(100e12);
    const month = await get<DeviceSeries>(`${base}?range=30d`);
    expect(month.bucketSeconds).toBe(10_800);
    expect(month.points).toHaveLength(241);
    // 3-hour buckets aligned to the epoch: 09:00–12:00Z holds 2 readings at 100 TH/s, a silent hour, 118 at 90.
    expect(pointAt(month.points, Date.UTC(2026, 11, 6, 6))).toMatchObject({
      hashrate: 100e12,
      chipTempC: 80,
    });
    expect(pointAt(month.points, Date.UTC(2026, 11, 6, 9))?.hashrate).toBeCloseTo(
      (2 * 100e12 + 118 * 90e12) / 120,
      -3,
    );
    // Without a range: the last 24 hours.
    expect((await get<DeviceSeries>(base)).range).toBe('24h');
    for (const series of [week, month]) {
      expect(series.points.length).toBeLessThanOrEqual(300);
    }
  });

  it('refuses a range it does not know, naming the field, and strangers as the other farm routes do', async () => {
    for (const url of [
      `/api/farms/${farm.farmId}/devices/${deviceId}/series?range=1y`,
      `/api/farms/${farm.farmId}/series?range=24`,
      `/api/farms/${farm.farmId}/series?range=24h&from=2026-01-01`,
      '/api/miners/hall/workers/hall.rig1/series?range=week',
    ]) {
      const response = await call(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json<{ error: string; field: string }>(), url).toMatchObject({
        error: 'HW_ERR_VALIDATION',
        field: url.includes('from=') ? 'query.from' : 'query.range',
      });
    }
    expect((await call(`/api/farms/${farm.farmId}/devices/999999/series`)).statusCode).toBe(404);
    expect(
      (await call(`/api/farms/${stranger.farmId}/devices/${deviceId}/series`, stranger.operator)).statusCode,
    ).toBe(404);
    for (const url of [
      `/api/farms/${farm.farmId}/series`,
      `/api/farms/${farm.farmId}/devices/${deviceId}/series`,
    ]) {
      const intruder = await call(url, stranger.operator);
      expect(intruder.statusCode).toBe(404);
      expect(intruder.json()).toMatchObject({ error: 'HW_ERR_FARM_NOT_FOUND' });
      expect((await call(url, {})).statusCode).toBe(401);
    }
  });

  it("sets a farm's reported hashrate against the pool's, with power and energy from the meter", async () => {
    const series = await get<FarmSeries>(`/api/farms/${farm.farmId}/series?range=24h`);
    expect(series.points).toHaveLength(289);
    const fiveHoursAgo = bucketOf(NOW - 5 * HOUR, FIVE_MINUTES);
    const point = pointAt(series.points, fiveHoursAgo);
    // The scrypt miner's 9 GH/s is not SHA-256 work; its power is the farm's all the same.
    expect(point).toMatchObject({
      reportedHashrate: 100e12,
      reportingDevices: 1,
      devicePowerW: 6_400,
      meterPowerW: expect.closeTo(6_000, 6) as number,
      energyKwh: expect.closeTo(0.5, 6) as number,
    });
    expect(point?.poolHashrate).toBeCloseTo((5 * SHARE_DIFFICULTY * 2 ** 32) / 300, 0);
    // The last bucket has run 150 s: its one share is measured over those, not over 300.
    expect(series.points.at(-1)?.poolHashrate).toBeCloseTo((SHARE_DIFFICULTY * 2 ** 32) / 150, 0);
    // No share while the miner, mining as the worker, said it hashed: a measured 0. The
    // meter's gap there is unknown.
    const inMeterGap = pointAt(series.points, bucketOf(NOW - 3.75 * HOUR, FIVE_MINUTES));
    expect(inMeterGap).toMatchObject({
      poolHashrate: 0,
      meterPowerW: null,
      energyKwh: null,
      reportedHashrate: 100e12,
    });
    // No share while no device of the worker reported (nothing was connected): unknown, not 0.
    expect(pointAt(series.points, bucketOf(NOW - 2.5 * HOUR, FIVE_MINUTES))).toMatchObject({
      reportedHashrate: null,
      reportingDevices: 0,
      devicePowerW: null,
      poolHashrate: null,
    });
    // The miner hashed from six hours ago, its worker's first share came five hours ago:
    // before it, the worker was not on the pool, and the pool measured nothing.
    expect(pointAt(series.points, bucketOf(NOW - 5.5 * HOUR, FIVE_MINUTES))).toMatchObject({
      reportedHashrate: 100e12,
      poolHashrate: null,
    });
    expect(pointAt(series.points, bucketOf(NOW - 12 * HOUR, FIVE_MINUTES))?.poolHashrate).toBeNull();
    // A farm none of whose devices mines as a worker the pool knows: not measured, not 0.
    const other = await get<FarmSeries>(`/api/farms/${stranger.farmId}/series`, stranger.operator);
    expect(new Set(other.points.map((each) => each.poolHashrate))).toEqual(new Set([null]));
    expect(other.spans).toEqual([]);
  });

  it('returns the restricted window that runs past midnight and the curtailment order, to shade', async () => {
    const series = await get<FarmSeries>(`/api/farms/${farm.farmId}/series?range=24h`);
    const windowId = series.spans.find((span) => span.kind === 'restricted-window')?.id ?? '';
    const orderId = series.spans.find((span) => span.kind === 'curtailment-order')?.id ?? '';
    expect(series.spans).toEqual([
      {
        kind: 'restricted-window',
        id: windowId,
        from: '2026-12-05T18:30:00.000Z',
        to: '2026-12-05T21:30:00.000Z',
        class: 'critical_peak',
      },
      {
        kind: 'curtailment-order',
        id: orderId,
        from: new Date(NOW - 2 * HOUR).toISOString(),
        to: new Date(NOW - HOUR).toISOString(),
        class: null,
      },
    ]);
    // Over 7 days the window falls on each of the seven evenings the range holds.
    const week = await get<FarmSeries>(`/api/farms/${farm.farmId}/series?range=7d`);
    const windows = week.spans.filter((span) => span.kind === 'restricted-window');
    expect(windows).toHaveLength(7);
    expect(windows.at(-1)).toMatchObject({
      from: '2026-12-05T18:30:00.000Z',
      to: '2026-12-05T21:30:00.000Z',
    });
    expect(week.points.length).toBeLessThanOrEqual(300);
  });

  it("gives a worker's pool-measured hashrate and its shares by outcome, folded or not", async () => {
    const base = '/api/miners/hall/workers/hall.rig1/series';
    const day = await get<WorkerSeries>(`${base}?range=24h`, {});
    expect(day).toMatchObject({ account: 'hall', worker: POOL_USER, range: '24h', bucketSeconds: 300 });
    expect(day.points).toHaveLength(289);
    const fiveHoursAgo = bucketOf(NOW - 5 * HOUR, FIVE_MINUTES);
    expect(pointAt(day.points, fiveHoursAgo)).toEqual({
      time: new Date(fiveHoursAgo).toISOString(),
      hashrate: (5 * SHARE_DIFFICULTY * 2 ** 32) / 300,
      accepted: 5,
      rejected: 2,
      stale: 1,
    });
    expect(day.points.at(-1)?.hashrate).toBeCloseTo((SHARE_DIFFICULTY * 2 ** 32) / 150, 0);
    // Nothing measured is null, as in the farm's series: before the first share (its miner
    // already hashed), and while the miner mining as the worker was silent.
    for (const hoursAgo of [24, 5.5, 2.5]) {
      expect(
        pointAt(day.points, bucketOf(NOW - hoursAgo * HOUR, FIVE_MINUTES)),
        `${String(hoursAgo)} h ago`,
      ).toEqual({
        time: new Date(bucketOf(NOW - hoursAgo * HOUR, FIVE_MINUTES)).toISOString(),
        hashrate: null,
        accepted: 0,
        rejected: 0,
        stale: 0,
      });
    }
    // No share while the miner said it hashed as the worker: connected, a measured 0.
    expect(pointAt(day.points, bucketOf(NOW - 3.75 * HOUR, FIVE_MINUTES))?.hashrate).toBe(0);
    await foldRollups(api.database.db);
    const month = await get<WorkerSeries>(`${base}?range=30d`, {});
    expect(month.points).toHaveLength(241);
    expect(pointAt(month.points, Date.UTC(2026, 11, 6, 6))).toMatchObject({
      accepted: 5,
      rejected: 2,
      stale: 1,
    });
    expect(month.points.reduce((sum, point) => sum + point.accepted, 0)).toBe(6);
    expect(pointAt(month.points, Date.UTC(2026, 11, 5, 12))?.hashrate).toBeNull();
    const unknown = await call('/api/miners/hall/workers/hall.rig9/series', {});
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'HW_ERR_WORKER_NOT_FOUND', field: 'params.worker' });
  });

  it('measures a worker no device mines as only where its shares came: never a 0 it cannot know', async () => {
    const oneHourAgo = bucketOf(NOW - HOUR, FIVE_MINUTES);
    await new ShareStore(api.database.db).store({
      id: '00000000-0000-4000-8000-0000000b5a7f',
      nodeId: 0,
      shares: [
        {
          timeMs: oneHourAgo + 1_000,
          account: 'hall',
          worker: 'hall.rig2',
          payoutAddress: null,
          difficulty: SHARE_DIFFICULTY,
          achieved: SHARE_DIFFICULTY * 2,
          ...ORDINARY_SHARE,
        },
      ],
      rejects: [],
    });
    const day = await get<WorkerSeries>('/api/miners/hall/workers/hall.rig2/series', {});
    const measured = day.points.filter((point) => point.hashrate !== null);
    expect(measured.map((point) => point.time)).toEqual([new Date(oneHourAgo).toISOString()]);
    expect(measured[0]?.hashrate).toBe((SHARE_DIFFICULTY * 2 ** 32) / 300);
  });

  it('counts a retried batch once in the rollups, and merges a late batch into the same 5 minutes', async () => {
    const bucket = bucketOf(NOW - 5 * HOUR, FIVE_MINUTES);
    const reading = (offsetMs: number, hashrate: number, chipTempC: number, rpm: number): MinerSample => ({
      ...bareSample('10.0.0.3:4028', new Date(bucket + offsetMs).toISOString()),
      hashrate,
      boards: [{ slot: 0, chipTempC }],
      fans: [{ id: 0, rpm }],
    });
    const batch = (batchId: string, miners: MinerSample[]) =>
      ingestTelemetry(api.database.db, farm.farmId, {
        batchId,
        agentVersion: 'test',
        miners,
        meters: [],
        dropped: 0,
      });
    const first = [reading(10_000, 90e12, 70, 6_000), reading(70_000, 100e12, 72, 6_100)];
    expect((await batch('00000000-0000-4000-8000-0000000b0003', first)).stored).toBe(true);
    expect((await batch('00000000-0000-4000-8000-0000000b0003', first)).stored).toBe(false);
    await batch('00000000-0000-4000-8000-0000000b0004', [reading(190_000, 110e12, 95, 1_000)]);
    const { rows } = await api.database.db.query<{ id: string; readings: number }>(
      "SELECT d.id::text, r.readings FROM miner_rollups_5m r JOIN devices d ON d.id = r.device_id WHERE d.device = '10.0.0.3:4028'",
    );
    expect(rows.map((row) => row.readings)).toEqual([3]);
    const series = await get<DeviceSeries>(`/api/farms/${farm.farmId}/devices/${rows[0]?.id ?? ''}/series`);
    expect(pointAt(series.points, bucket)).toMatchObject({
      hashrate: 100e12,
      chipTempC: 95,
      fanRpmMin: 1_000,
      fanRpmMax: 6_100,
      boards: [{ slot: 0, chipTempC: 95 }],
    });
  });

  it('keeps at most 16 boards a point and rolls up no slot a real machine cannot have', async () => {
    const bucket = bucketOf(NOW - 5 * HOUR, FIVE_MINUTES);
    const slots = [...Array.from({ length: 20 }, (_, slot) => slot), 500];
    await ingestTelemetry(api.database.db, farm.farmId, {
      batchId: '00000000-0000-4000-8000-0000000b0005',
      agentVersion: 'test',
      miners: [
        {
          ...bareSample('10.0.0.4:4028', new Date(bucket + 1_000).toISOString()),
          boards: slots.map((slot) => ({ slot, chipTempC: 60 + (slot % 10) })),
        },
      ],
      meters: [],
      dropped: 0,
    });
    const { rows } = await api.database.db.query<{ id: string; slots: number[] }>(
      `SELECT d.id::text, array_agg(r.slot ORDER BY r.slot) AS slots
         FROM miner_board_rollups_5m r JOIN devices d ON d.id = r.device_id
        WHERE d.device = '10.0.0.4:4028' GROUP BY d.id`,
    );
    expect(rows[0]?.slots).toEqual(slots.slice(0, 20));
    const series = await get<DeviceSeries>(`/api/farms/${farm.farmId}/devices/${rows[0]?.id ?? ''}/series`);
    expect(pointAt(series.points, bucket)?.boards.map((board) => board.slot)).toEqual(slots.slice(0, 16));
  });

  it('leaves a device with no board temperatures or fans as gaps, not zeros', async () => {
    const series = await get<DeviceSeries>(`/api/farms/${farm.farmId}/devices/${scryptId}/series`);
    const point = pointAt(series.points, bucketOf(NOW - 5 * HOUR, FIVE_MINUTES));
    expect(point).toMatchObject({
      hashrate: 9e9,
      chipTempC: null,
      boardTempC: null,
      fanRpmMin: null,
      fanRpmMax: null,
      boards: [],
    });
  });
});

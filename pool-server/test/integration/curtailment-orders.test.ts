/**
 * Starts: the HTTP API on a real PostgreSQL database. A farm's meter readings arrive
 * as its agent sends them; a grid operator's orders are recorded, one sets the farm's
 * devices to sleep before its start, and each ended order is judged from the meter,
 * the devices' telemetry, the outcome of its commands and the pool's hashrate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CurtailmentOrder,
  CurtailmentOrderRecorded,
  DeviceCommand,
  MeterSample,
} from '@hashwatt/schemas';
import { recordOutcome, takeDueCommands } from '../../src/farms/curtailment/device-commands.ts';
import { ingestTelemetry } from '../../src/farms/telemetry-ingest.ts';
import { farmOfOperator, startTestApi, type FarmOfOperator, type TestApi } from '../helpers/api.ts';
import { bareSample } from '../helpers/samples.ts';

const MINUTE = 60_000;

describe('curtailment orders', () => {
  let api: TestApi;
  let farm: FarmOfOperator;
  /** Noon, yesterday: the day the meter readings describe. */
  const t0 = Date.UTC(2026, 10, 24, 12, 0);

  beforeAll(async () => {
    api = await startTestApi();
    api.clock.ms = Date.UTC(2026, 10, 25, 12, 0);
    farm = await farmOfOperator(api, 'op@farm.test');
    // A 4 MW farm that took 25 minutes too long to cut to 800 kW for the order of 12:30–14:30.
    const meters: MeterSample[] = [];
    let energyWh = 10_000_000;
    for (let at = t0 - 120 * MINUTE; at <= t0 + 180 * MINUTE; at += MINUTE) {
      meters.push({ meter: 'substation', at: new Date(at).toISOString(), energyWh, powerW: 0 });
      const minute = (at - t0) / MINUTE;
      energyWh += ((minute < 55 ? 4_000 : 800) * 1000) / 60;
    }
    await ingestTelemetry(api.database.db, farm.farmId, {
      batchId: '00000000-0000-4000-8000-00000000c0de',
      agentVersion: 'test',
      miners: [bareSample('10.0.4.17:4028', new Date(t0).toISOString())],
      meters,
      dropped: 0,
    });
  });
  afterAll(async () => {
    await api.close();
  });

  const post = (payload: object) =>
    api.app.inject({
      method: 'POST',
      url: `/api/farms/${farm.farmId}/curtailment-orders`,
      headers: farm.operator,
      payload,
    });

  it('judges an ended order from the meter: 25 minutes late is a failure, with the reason', async () => {
    const created = await post({
      noticeAt: new Date(t0).toISOString(),
      startsAt: new Date(t0 + 30 * MINUTE).toISOString(),
      endsAt: new Date(t0 + 150 * MINUTE).toISOString(),
      reductionKw: 3_000,
      noticeRef: 'Tavanir 1405/0912',
    });
    expect(created.statusCode).toBe(201);
    const order = created.json<CurtailmentOrder>();
    expect(order).toMatchObject({
      reductionKw: 3_000,
      noticeRef: 'Tavanir 1405/0912',
      orderedBy: 'op@farm.test',
      curtailment: null,
    });
    expect(order.compliance).toMatchObject({ verdict: 'violated', secondsLate: 25 * 60 });
    expect(order.compliance?.baselineKw).toBeCloseTo(4_000, 3);
    expect(order.compliance?.allowedKw).toBeCloseTo(1_000, 3);
    expect(order.compliance?.reasons).toEqual(['the load reached 1000 kW 25.0 min after the start']);
  });

  it('passes the same farm for an order it met, and lists newest first', async () => {
    await post({
      noticeAt: new Date(t0 + 60 * MINUTE).toISOString(),
      startsAt: new Date(t0 + 90 * MINUTE).toISOString(),
      endsAt: new Date(t0 + 150 * MINUTE).toISOString(),
      reductionKw: 100,
    });
    const listed = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${farm.farmId}/curtailment-orders`,
      headers: farm.operator,
    });
    const orders = listed.json<CurtailmentOrder[]>();
    expect(orders.map((order) => order.compliance?.verdict)).toEqual(['complied', 'violated']);
  });

  it('puts the farm to sleep for a coming order, the stagger ending at its start; nothing judged before it ends', async () => {
    const startsAt = api.clock.ms + 60 * MINUTE;
    const created = await post({
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(startsAt + 120 * MINUTE).toISOString(),
      reductionKw: 3_000,
      staggerMinutes: 20,
    });
    const order = created.json<CurtailmentOrderRecorded>();
    expect(order.compliance).toBeNull();
    expect(order.curtailment).toMatch(/^[0-9a-f-]{36}$/);
    expect(order.unable).toEqual([]);
    const commands = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${farm.farmId}/commands`,
      headers: farm.operator,
    });
    const [sleep] = commands.json<DeviceCommand[]>();
    expect(sleep).toMatchObject({ action: 'sleep', curtailment: order.curtailment });
    // One device: its command is due when the stagger begins, twenty minutes before the start.
    expect(Date.parse(sleep?.notBefore ?? '')).toBe(startsAt - 20 * MINUTE);
  });

  it('refuses an order that ends before it starts, or starts before its notice', async () => {
    const at = (minutes: number): string => new Date(api.clock.ms + minutes * MINUTE).toISOString();
    expect((await post({ startsAt: at(60), endsAt: at(30), reductionKw: 1 })).json()).toMatchObject({
      field: 'body.endsAt',
    });
    expect(
      (await post({ noticeAt: at(10), startsAt: at(5), endsAt: at(30), reductionKw: 1 })).json(),
    ).toMatchObject({
      field: 'body.startsAt',
    });
    expect((await post({ startsAt: at(5), endsAt: at(30), reductionKw: 0 })).statusCode).toBe(400);
  });

  /** A 4 MW farm's meter every minute over a day around `t`, the load in kW by minute after `t`. */
  const meterAround = (
    t: number,
    kw: (minute: number) => number,
    skip: (minute: number) => boolean = () => false,
  ) => {
    const meters: MeterSample[] = [];
    let energyWh = 10_000_000;
    for (let at = t - 120 * MINUTE; at <= t + 180 * MINUTE; at += MINUTE) {
      const minute = (at - t) / MINUTE;
      if (!skip(minute)) {
        meters.push({ meter: 'substation', at: new Date(at).toISOString(), energyWh, powerW: 0 });
      }
      energyWh += (kw(minute) * 1000) / 60;
    }
    return meters;
  };

  it('violates an order whose sleep commands failed while the devices hashed, though the meter read 0: names each command, calls the meter suspect', async () => {
    const other = await farmOfOperator(api, 'op2@farm.test', { organisation: 'Farm Two', farm: 'Hall B' });
    const t = Date.UTC(2026, 10, 27, 12, 0);
    const devices = ['10.0.5.1:80', '10.0.5.2:80', '10.0.5.3:80'];
    const miners = devices.flatMap((device) =>
      Array.from({ length: 61 }, (_, index) => ({
        ...bareSample(device, new Date(t - 120 * MINUTE + index * 5 * MINUTE).toISOString()),
        hashrate: 200e12,
        pools: [
          { index: 0, url: 'stratum+tcp://pool.test:3333', user: `two.${device}`, active: true, alive: true },
        ],
      })),
    );
    // The pool's side: each device's worker sent 200 TH/s worth of shares every minute, order or not.
    const { db } = api.database;
    const account = (
      await db.query<{ id: string }>("INSERT INTO accounts (name) VALUES ('two') RETURNING id::text")
    ).rows[0]?.id;
    await db.query(
      `WITH w AS (INSERT INTO workers (account_id, name) SELECT $1, 'two.' || d FROM unnest($2::text[]) d RETURNING id)
       INSERT INTO share_rollups_minute (bucket, worker_id, account_id, accepted_difficulty, accepted)
       SELECT m, w.id, $1, 200e12 * 60 / 4294967296.0, 1
         FROM w, generate_series(to_timestamp($3::double precision / 1000), to_timestamp($4::double precision / 1000), interval '1 minute') m`,
      [account, devices, t - 120 * MINUTE, t + 180 * MINUTE],
    );
    await ingestTelemetry(api.database.db, other.farmId, {
      batchId: '00000000-0000-4000-8000-00000000c0d2',
      agentVersion: 'test',
      miners,
      // The meter falls to nothing at the notice and stays there.
      meters: meterAround(t, (minute) => (minute < 0 ? 4_000 : 0)),
      dropped: 0,
    });
    api.clock.ms = t;
    const created = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${other.farmId}/curtailment-orders`,
      headers: other.operator,
      payload: {
        startsAt: new Date(t + 30 * MINUTE).toISOString(),
        endsAt: new Date(t + 150 * MINUTE).toISOString(),
        reductionKw: 3_000,
        staggerMinutes: 10,
      },
    });
    expect(created.statusCode).toBe(201);
    // The agent takes the three sleep commands at the start, and each fails on the miner's web interface.
    const sent = await takeDueCommands(api.database.db, other.farmId, t + 30 * MINUTE, 60);
    expect(sent).toHaveLength(3);
    for (const command of sent) {
      await recordOutcome(
        api.database.db,
        other.farmId,
        command.id,
        { status: 'failed', message: 'fetch failed' },
        t + 31 * MINUTE,
      );
    }
    api.clock.ms = t + 200 * MINUTE;
    const listed = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${other.farmId}/curtailment-orders`,
      headers: other.operator,
    });
    const [order] = listed.json<CurtailmentOrder[]>();
    expect(order?.compliance).toMatchObject({
      verdict: 'violated',
      meterSuspect: true,
      hashingDevices: devices,
      failedCommands: devices.map((device) => ({
        device,
        action: 'sleep',
        status: 'failed',
        error: 'fetch failed',
      })),
      poolHashrateBefore: expect.closeTo(600e12, -6) as number,
      poolHashrateDuring: expect.closeTo(600e12, -6) as number,
    });
    expect(order?.compliance?.reasons).toEqual([
      'the meter is suspect: it read 0 kW while devices hashed',
      ...devices.map((device) => `${device} reported hashing after it was ordered to sleep`),
      "the pool measured 600.0 TH/s from the farm's workers during the order against 600.0 TH/s before the notice (at most 165.0 TH/s fits the allowed load)",
      ...devices.map((device) => `sleep command to ${device} failed: fetch failed`),
    ]);
  });

  it('leaves an order undetermined when the meter went silent inside it, saying when', async () => {
    const other = await farmOfOperator(api, 'op3@farm.test', { organisation: 'Farm Three', farm: 'Hall C' });
    const t = Date.UTC(2026, 10, 20, 12, 0);
    await ingestTelemetry(api.database.db, other.farmId, {
      batchId: '00000000-0000-4000-8000-00000000c0d3',
      agentVersion: 'test',
      miners: [],
      meters: meterAround(
        t,
        (minute) => (minute < 20 ? 4_000 : 800),
        (minute) => minute > 60 && minute < 90,
      ),
      dropped: 0,
    });
    const created = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${other.farmId}/curtailment-orders`,
      headers: other.operator,
      payload: {
        noticeAt: new Date(t).toISOString(),
        startsAt: new Date(t + 30 * MINUTE).toISOString(),
        endsAt: new Date(t + 150 * MINUTE).toISOString(),
        reductionKw: 3_000,
      },
    });
    const order = created.json<CurtailmentOrder>();
    expect(order.compliance).toMatchObject({
      verdict: 'undetermined',
      reasons: ['the meter has no readings from 2026-11-20T13:00:00.000Z to 2026-11-20T13:30:00.000Z'],
      peakKw: expect.closeTo(800, 3) as number,
      // No device is linked to a pool worker: the pool measured nothing, which is not 0.
      poolHashrateBefore: null,
      poolHashrateDuring: null,
    });
    expect(order.compliance?.baselineKw).toBeCloseTo(4_000, 3);
  });

  it('names the devices its sleep left out because they cannot sleep, and queues the rest', async () => {
    const other = await farmOfOperator(api, 'op4@farm.test', { organisation: 'Farm Four', farm: 'Hall D' });
    const at = new Date(api.clock.ms).toISOString();
    const note = 'stock Antminer firmware has no sleep over its cgminer API';
    await ingestTelemetry(api.database.db, other.farmId, {
      batchId: '00000000-0000-4000-8000-00000000c0d4',
      agentVersion: 'test',
      miners: [
        { ...bareSample('10.0.6.1:4028', at), commands: [{ action: 'sleep', supported: true }] },
        {
          ...bareSample('10.0.6.2:4028', at),
          commands: [{ action: 'sleep', supported: false, reason: 'api', note }],
        },
      ],
      meters: [],
      dropped: 0,
    });
    const startsAt = api.clock.ms + 30 * MINUTE;
    const created = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${other.farmId}/curtailment-orders`,
      headers: other.operator,
      payload: {
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(startsAt + 60 * MINUTE).toISOString(),
        reductionKw: 100,
        staggerMinutes: 10,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json<CurtailmentOrderRecorded>().unable).toEqual([
      { deviceId: expect.any(String) as unknown, device: '10.0.6.2:4028', why: note },
    ]);
    const commands = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${other.farmId}/commands`,
      headers: other.operator,
    });
    expect(commands.json<DeviceCommand[]>().map((command) => command.device)).toEqual(['10.0.6.1:4028']);
  });
});

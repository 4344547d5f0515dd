/**
 * Starts: the HTTP API on a real PostgreSQL database. A farm's meter readings arrive
 * as its agent sends them; a grid operator's orders are recorded, one sets the farm's
 * devices to sleep before its start, and each ended order is judged from the meter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CurtailmentOrder, DeviceCommand, MeterSample } from '@hashwatt/schemas';
import { ingestTelemetry } from '../../src/farms/telemetry.ts';
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
    expect(order.compliance).toMatchObject({ pass: false, secondsLate: 25 * 60 });
    expect(order.compliance?.baselineKw).toBeCloseTo(4_000, 3);
    expect(order.compliance?.allowedKw).toBeCloseTo(1_000, 3);
    expect(order.compliance?.reason).toBe('the load reached 1000 kW 25.0 min after the start');
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
    expect(orders.map((order) => order.compliance?.pass)).toEqual([true, false]);
  });

  it('puts the farm to sleep for a coming order, the stagger ending at its start; nothing judged before it ends', async () => {
    const startsAt = api.clock.ms + 60 * MINUTE;
    const created = await post({
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(startsAt + 120 * MINUTE).toISOString(),
      reductionKw: 3_000,
      staggerMinutes: 20,
    });
    const order = created.json<CurtailmentOrder>();
    expect(order.compliance).toBeNull();
    expect(order.curtailment).toMatch(/^[0-9a-f-]{36}$/);
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
});

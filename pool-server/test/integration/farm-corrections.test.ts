/**
 * Starts: the HTTP API on a real PostgreSQL database. An order puts only the devices it
 * names to sleep. What an operator entered wrong is
 * corrected through the API, never by hand in the database: a tariff replaced whole or
 * removed, a restricted window of the farm removed (a country's stays), and a
 * curtailment order withdrawn before its start with the sleep commands the agent has
 * not taken; an order that has started stays on record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CurtailmentOrder,
  CurtailmentOrderWithdrawn,
  DeviceCommand,
  RestrictedWindow,
  Tariff,
} from '@hashwatt/schemas';
import { takeDueCommands } from '../../src/farms/curtailment/device-commands.ts';
import { ingestTelemetry } from '../../src/farms/telemetry-ingest.ts';
import { farmOfOperator, startTestApi, type FarmOfOperator, type TestApi } from '../helpers/api.ts';
import { bareSample } from '../helpers/samples.ts';

const HOUR = 3_600_000;
const RESTRICTED_BAND = {
  name: 'restricted',
  pricePerKwh: 33_148,
  windows: [{ from: '19:00', to: '23:00' }],
};

describe('correcting what a farm was told', () => {
  let api: TestApi;
  let farm: FarmOfOperator;

  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH',
    path: string,
    payload?: Record<string, unknown>,
  ) =>
    api.app.inject({
      method,
      url: `/api/farms/${farm.farmId}${path}`,
      headers: farm.operator,
      ...(payload && { payload }),
    });

  beforeAll(async () => {
    api = await startTestApi();
    farm = await farmOfOperator(api, 'op@tehran.test');
    await call('PATCH', '', { country: 'IR', region: 'IR-23', timezone: 'Asia/Tehran' });
    const at = new Date(api.clock.ms).toISOString();
    await ingestTelemetry(api.database.db, farm.farmId, {
      batchId: '00000000-0000-4000-8000-0000000000c1',
      agentVersion: 'test',
      miners: ['10.0.4.17:4028', '10.0.4.18:4028', '10.0.4.19:4028'].map((device) => bareSample(device, at)),
      meters: [],
      dropped: 0,
    });
  });
  afterAll(async () => {
    await api.close();
  });

  it("replaces a tariff whole, refuses another tariff's day by field, and removes it", async () => {
    const first = await call('POST', '/tariffs', {
      currency: 'IRR',
      effectiveFrom: '2026-03-21',
      defaultPricePerKwh: 8_287,
    });
    const second = await call('POST', '/tariffs', {
      currency: 'IRR',
      effectiveFrom: '2026-06-22',
      defaultPricePerKwh: 8_287,
    });
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);

    const corrected = await call('PUT', `/tariffs/${first.json<Tariff>().id}`, {
      currency: 'IRR',
      effectiveFrom: '2026-03-21',
      defaultPricePerKwh: 9_000,
      bands: [RESTRICTED_BAND],
    });
    expect(corrected.statusCode).toBe(200);
    expect(corrected.json<Tariff>()).toMatchObject({
      id: first.json<Tariff>().id,
      defaultPricePerKwh: 9_000,
      bands: [RESTRICTED_BAND],
    });

    const clash = await call('PUT', `/tariffs/${first.json<Tariff>().id}`, {
      currency: 'IRR',
      effectiveFrom: '2026-06-22',
      defaultPricePerKwh: 9_000,
    });
    expect(clash.statusCode).toBe(409);
    expect(clash.json<{ error: string; field: string }>()).toMatchObject({
      error: 'HW_ERR_NAME_TAKEN',
      field: 'body.effectiveFrom',
    });

    const badBand = await call('PUT', `/tariffs/${first.json<Tariff>().id}`, {
      currency: 'IRR',
      effectiveFrom: '2026-03-21',
      defaultPricePerKwh: 9_000,
      bands: [{ ...RESTRICTED_BAND, pricePerKwh: -1 }],
    });
    expect(badBand.statusCode).toBe(400);
    expect(badBand.json<{ error: string; field: string }>()).toMatchObject({
      error: 'HW_ERR_VALIDATION',
      field: 'body.bands.0.pricePerKwh',
    });

    const removed = await call('DELETE', `/tariffs/${second.json<Tariff>().id}`);
    expect(removed.statusCode).toBe(204);
    const left = await call('GET', '/tariffs');
    expect(left.json<Tariff[]>().map((tariff) => [tariff.id, tariff.defaultPricePerKwh])).toEqual([
      [first.json<Tariff>().id, 9_000],
    ]);
    const again = await call('DELETE', `/tariffs/${second.json<Tariff>().id}`);
    expect([again.statusCode, again.json<{ error: string }>().error]).toEqual([
      404,
      'HW_ERR_TARIFF_NOT_FOUND',
    ]);
    const missing = await call('PUT', `/tariffs/${second.json<Tariff>().id}`, {
      currency: 'IRR',
      effectiveFrom: '2026-09-23',
      defaultPricePerKwh: 1,
    });
    expect([missing.statusCode, missing.json<{ error: string }>().error]).toEqual([
      404,
      'HW_ERR_TARIFF_NOT_FOUND',
    ]);
  });

  it("removes the farm's own window, never its country's", async () => {
    const own = await call('POST', '/restricted-windows', {
      class: 'critical_peak',
      from: '19:00',
      to: '23:00',
      validFrom: '2026-06-21',
    });
    expect(own.statusCode).toBe(201);
    // Tavanir's window for every farm in Iran, as the grid operator's import would set it.
    const { rows } = await api.database.db.query<{ id: string }>(
      `INSERT INTO restricted_windows (country, class, daily_from, daily_to, valid_from, created_by)
       VALUES ('IR', 'seasonal_ban', '00:00', '24:00', '2026-07-01', $1) RETURNING id::text`,
      [farm.operatorId],
    );
    const national = rows[0]?.id ?? '';
    const listed = async (): Promise<string[]> =>
      (await call('GET', '/restricted-windows')).json<RestrictedWindow[]>().map((window) => window.id);
    expect(await listed()).toEqual([own.json<RestrictedWindow>().id, national]);

    const refused = await call('DELETE', `/restricted-windows/${national}`);
    expect(refused.statusCode).toBe(404);
    expect(refused.json<{ error: string }>()).toMatchObject({
      error: 'HW_ERR_RESTRICTED_WINDOW_NOT_FOUND',
      field: 'params.windowId',
    });
    expect((await call('DELETE', `/restricted-windows/${own.json<RestrictedWindow>().id}`)).statusCode).toBe(
      204,
    );
    expect(await listed()).toEqual([national]);
  });

  it('withdraws an order before its start with the sleep commands not yet taken', async () => {
    const order = await call('POST', '/curtailment-orders', {
      startsAt: new Date(api.clock.ms + HOUR).toISOString(),
      endsAt: new Date(api.clock.ms + 2 * HOUR).toISOString(),
      reductionKw: 300,
      staggerMinutes: 90,
    });
    expect(order.statusCode).toBe(201);
    // The stagger ends at the start, so it began at once: the agent takes the first command now.
    const taken = await takeDueCommands(api.database.db, farm.farmId, api.clock.ms, 600);
    expect(taken).toHaveLength(1);

    const withdrawn = await call('DELETE', `/curtailment-orders/${order.json<CurtailmentOrder>().id}`);
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json<CurtailmentOrderWithdrawn>()).toMatchObject({
      order: { id: order.json<CurtailmentOrder>().id, reductionKw: 300 },
      commandsWithdrawn: 2,
      commandsSent: 1,
    });
    const orders = await call('GET', '/curtailment-orders');
    expect(orders.json<CurtailmentOrder[]>().map((kept) => kept.id)).not.toContain(
      order.json<CurtailmentOrder>().id,
    );
    const commands = await call('GET', '/commands');
    expect(commands.json<DeviceCommand[]>().map((command) => command.status)).toEqual(['sent']);
    const again = await call('DELETE', `/curtailment-orders/${order.json<CurtailmentOrder>().id}`);
    expect([again.statusCode, again.json<{ error: string }>().error]).toEqual([
      404,
      'HW_ERR_CURTAILMENT_ORDER_NOT_FOUND',
    ]);
  });

  it('puts only the devices named to sleep for an order, and wants a stagger with them', async () => {
    const { rows } = await api.database.db.query<{ id: string; device: string }>(
      'SELECT id::text, device FROM devices WHERE farm_id = $1 ORDER BY device',
      [farm.farmId],
    );
    const [first, , third] = rows;
    const order = {
      startsAt: new Date(api.clock.ms + 3 * HOUR).toISOString(),
      endsAt: new Date(api.clock.ms + 4 * HOUR).toISOString(),
      reductionKw: 200,
      deviceIds: [first?.id, third?.id],
    };
    const unstaggered = await call('POST', '/curtailment-orders', order);
    expect(unstaggered.statusCode).toBe(400);
    expect(unstaggered.json()).toMatchObject({ error: 'HW_ERR_VALIDATION', field: 'body.staggerMinutes' });

    const created = await call('POST', '/curtailment-orders', { ...order, staggerMinutes: 10 });
    expect(created.statusCode).toBe(201);
    const { curtailment } = created.json<CurtailmentOrder>();
    const commands = (await call('GET', '/commands')).json<DeviceCommand[]>();
    expect(
      commands
        .filter((command) => command.curtailment === curtailment)
        .map((command) => [command.device, command.action])
        .sort(),
    ).toEqual([
      [first?.device, 'sleep'],
      [third?.device, 'sleep'],
    ]);
  });

  it('keeps an order that has started: it is judged when it ends', async () => {
    const order = await call('POST', '/curtailment-orders', {
      noticeAt: new Date(api.clock.ms - 2 * HOUR).toISOString(),
      startsAt: new Date(api.clock.ms - HOUR).toISOString(),
      endsAt: new Date(api.clock.ms + HOUR).toISOString(),
      reductionKw: 300,
    });
    expect(order.statusCode).toBe(201);
    const refused = await call('DELETE', `/curtailment-orders/${order.json<CurtailmentOrder>().id}`);
    expect([refused.statusCode, refused.json<{ error: string }>().error]).toEqual([
      409,
      'HW_ERR_CURTAILMENT_ORDER_STARTED',
    ]);
    const orders = await call('GET', '/curtailment-orders');
    expect(orders.json<CurtailmentOrder[]>().map((kept) => kept.id)).toContain(
      order.json<CurtailmentOrder>().id,
    );
  });
});

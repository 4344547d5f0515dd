/**
 * Starts: the HTTP API on a real PostgreSQL database, and posts an agent's batch through
 * it. The actions each device's driver declared are stored with the device and listed
 * with it; an action declared unsupported is refused with the agent's reason before it
 * is queued (nothing reaches the agent); one never declared is queued as before. A
 * farm-wide sleep leaves out, and names, the devices that declared they cannot sleep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandSupport, Curtailment, DeviceCommand, FarmDevice, MinerSample } from '@hashwatt/schemas';
import { bareSample } from '../helpers/samples.ts';
import { farmOfOperator, startTestApi, type FarmOfOperator, type TestApi } from '../helpers/api.ts';

const NOW = Date.UTC(2026, 11, 7, 12);
const MINUTE = 60_000;

/** A Whatsminer on API v2 as the agent declares it: every write but the fans. */
const WHATSMINER_V2: CommandSupport[] = [
  { action: 'sleep', supported: true },
  { action: 'resume', supported: true },
  { action: 'reboot', supported: true },
  { action: 'set-power-target', supported: true },
  {
    action: 'set-fan',
    supported: false,
    reason: 'firmware',
    note: 'Whatsminer API v2 has no fan command: btminer drives its fans itself',
  },
  { action: 'switch-pool', supported: true },
];

describe('what a device can carry out, from its agent to the API', () => {
  let api: TestApi;
  let farm: FarmOfOperator;
  const post = async (batchId: string, miners: MinerSample[]): Promise<void> => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/api/agent/telemetry',
      headers: { authorization: `Bearer ${farm.agentKey}` },
      payload: { batchId, agentVersion: '0.1.0', miners, meters: [], dropped: 0 },
    });
    expect(response.statusCode, response.body).toBe(200);
  };
  const devices = async (): Promise<Map<string, FarmDevice>> => {
    const response = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${farm.farmId}/devices`,
      headers: farm.operator,
    });
    expect(response.statusCode, response.body).toBe(200);
    return new Map(response.json<FarmDevice[]>().map((device) => [device.device, device]));
  };
  const order = async (device: FarmDevice, action: string, params: Record<string, unknown> = {}) =>
    api.app.inject({
      method: 'POST',
      url: `/api/farms/${farm.farmId}/devices/${device.id}/commands`,
      headers: farm.operator,
      payload: { action, params },
    });
  const queued = async (): Promise<number> => {
    const { rows } = await api.database.db.query<{ count: string }>(
      'SELECT count(*)::text AS count FROM device_commands WHERE farm_id = $1',
      [farm.farmId],
    );
    return Number(rows[0]?.count);
  };

  beforeAll(async () => {
    api = await startTestApi();
    api.clock.ms = NOW;
    farm = await farmOfOperator(api, 'op@capabilities.test');
    const at = new Date(NOW - 2 * MINUTE).toISOString();
    await post('00000000-0000-4000-8000-0000000c0a01', [
      { ...bareSample('10.0.5.1:4028', at), commands: WHATSMINER_V2 },
      // An agent older than the declarations.
      bareSample('10.0.5.2:4028', at),
    ]);
  });
  afterAll(async () => {
    await api.close();
  });

  it('lists what each device declared, and nothing for one whose agent declared nothing', async () => {
    const listed = await devices();
    expect(listed.get('10.0.5.1:4028')?.commands).toEqual(WHATSMINER_V2);
    expect(listed.get('10.0.5.2:4028')?.commands).toBeNull();
  });

  it('refuses an action declared unsupported with the reason, and queues nothing', async () => {
    const whatsminer = (await devices()).get('10.0.5.1:4028');
    if (whatsminer === undefined) {
      throw new Error('the Whatsminer is not listed');
    }
    const before = await queued();
    const refused = await order(whatsminer, 'set-fan', { fanMode: 'auto' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      error: 'HW_ERR_ACTION_UNSUPPORTED',
      message:
        'This device cannot set-fan: Whatsminer API v2 has no fan command: btminer drives its fans itself.',
      field: 'body.action',
    });
    expect(await queued()).toBe(before);
    const accepted = await order(whatsminer, 'set-power-target', { powerTargetW: 3_000 });
    expect(accepted.statusCode, accepted.body).toBe(201);
    expect(accepted.json<DeviceCommand>()).toMatchObject({ action: 'set-power-target', status: 'queued' });
  });

  it('queues an action never declared: the agent says how it went', async () => {
    const older = (await devices()).get('10.0.5.2:4028');
    if (older === undefined) {
      throw new Error('the device is not listed');
    }
    const response = await order(older, 'set-fan', { fanMode: 'auto' });
    expect(response.statusCode, response.body).toBe(201);
  });

  it('keeps the declarations through a reading that declares none (unreachable), and takes new ones', async () => {
    await post('00000000-0000-4000-8000-0000000c0a02', [
      { ...bareSample('10.0.5.1:4028', new Date(NOW - MINUTE).toISOString()), state: 'unreachable' },
    ]);
    expect((await devices()).get('10.0.5.1:4028')?.commands).toEqual(WHATSMINER_V2);
    const fewer = WHATSMINER_V2.slice(0, 3);
    await post('00000000-0000-4000-8000-0000000c0a03', [
      { ...bareSample('10.0.5.1:4028', new Date(NOW).toISOString()), commands: fewer },
    ]);
    expect((await devices()).get('10.0.5.1:4028')?.commands).toEqual(fewer);
  });

  it('leaves out of a farm-wide sleep a device that cannot sleep, and names it with the reason', async () => {
    const note = 'stock Antminer firmware has no sleep over its cgminer API';
    await post('00000000-0000-4000-8000-0000000c0a04', [
      {
        ...bareSample('10.0.5.3:4028', new Date(NOW).toISOString()),
        commands: [{ action: 'sleep', supported: false, reason: 'api', note }],
      },
    ]);
    const antminer = (await devices()).get('10.0.5.3:4028');
    const before = await queued();
    const response = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${farm.farmId}/curtailment`,
      headers: farm.operator,
      payload: { action: 'sleep', staggerMinutes: 5 },
    });
    expect(response.statusCode, response.body).toBe(201);
    const curtailment = response.json<Curtailment>();
    expect(curtailment.commands).toBe(2);
    expect(curtailment.unable).toEqual([{ deviceId: antminer?.id, device: '10.0.5.3:4028', why: note }]);
    expect(await queued()).toBe(before + 2);
    // The two it reached are spread over the whole stagger, the device left out taking no turn.
    expect(Date.parse(curtailment.lastAt) - Date.parse(curtailment.firstAt)).toBe(5 * MINUTE);
    // Waking is another action: the same device is queued for it, since it declared nothing about it.
    const wake = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${farm.farmId}/curtailment`,
      headers: farm.operator,
      payload: { action: 'resume', staggerMinutes: 0 },
    });
    expect(wake.json<Curtailment>()).toMatchObject({ commands: 3, unable: [] });
  });
});

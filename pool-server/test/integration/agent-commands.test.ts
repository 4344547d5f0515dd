/**
 * Starts: the HTTP API on a real PostgreSQL database, listening on a real port; an
 * emulated Avalon (cgminer API, captured ascset replies) and a cgminer device no probe
 * recognised, on loopback; the agent's command executor (@hashwatt/agent). An operator curtails the
 * farm, staggered; the agent carries out what is due; the audit says who and how.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Curtailment, DeviceCommand, MinerSample } from '@hashwatt/schemas';
import type { UploaderLog } from '@hashwatt/agent';
import { startCgminerEmulator, type RunningEmulator } from '@hashwatt/agent/emulators';
import { executeDueCommands, genericCgminer, avalon } from '@hashwatt/agent/testing';
import { queueCommand, takeDueCommands } from '../../src/farms/curtailment/device-commands.ts';
import { ingestTelemetry } from '../../src/farms/telemetry-ingest.ts';
import { farmOfOperator, startTestApi, type TestApi } from '../helpers/api.ts';
import { capturedReply } from '../helpers/miner-captures.ts';

const silent: UploaderLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

function seen(device: string, make: string, at: string): MinerSample {
  return {
    device,
    at,
    identity: { make, firmware: make === 'Avalon' ? 'avalon' : 'stock', algorithm: 'sha256d' },
    state: 'mining',
    boards: [],
    fans: [],
    pools: [],
    messages: [],
    collection: { latencyMs: 1, sources: [], warnings: [] },
  };
}

describe('device commands, from an operator to the miners', () => {
  let api: TestApi;
  let apiUrl: string;
  let key: string;
  let operator: Record<string, string>;
  let farmId: string;
  let avalonMiner: RunningEmulator;
  let antminerMiner: RunningEmulator;

  beforeAll(async () => {
    api = await startTestApi();
    const { db } = api.database;
    const farm = await farmOfOperator(api, 'op@farm.test');
    farmId = farm.farmId;
    key = farm.agentKey;
    operator = farm.operator;
    avalonMiner = await startCgminerEmulator(
      (request) =>
        request.command === 'ascset' && request.parameter?.startsWith('0,softoff,')
          ? capturedReply('avalon__cgminer_rpc4028__ascset_softoff')
          : undefined,
      { host: '127.0.14.2' },
    );
    antminerMiner = await startCgminerEmulator(() => undefined, { host: '127.0.14.3' });
    const at = new Date(api.clock.ms).toISOString();
    await ingestTelemetry(db, farmId, {
      batchId: '00000000-0000-4000-8000-0000000000e1',
      agentVersion: 'test',
      miners: [
        seen(`127.0.14.2:${String(avalonMiner.port)}`, 'Avalon', at),
        seen(`127.0.14.3:${String(antminerMiner.port)}`, 'Antminer', at),
      ],
      meters: [],
      dropped: 0,
    });
    apiUrl = await api.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await avalonMiner.close();
    await antminerMiner.close();
    await api.close();
  });

  const agentDevices = () =>
    new Map([
      [
        `127.0.14.2:${String(avalonMiner.port)}`,
        { address: { host: '127.0.14.2', port: avalonMiner.port }, driver: avalon },
      ],
      [
        `127.0.14.3:${String(antminerMiner.port)}`,
        { address: { host: '127.0.14.3', port: antminerMiner.port }, driver: genericCgminer },
      ],
    ]);
  const context = {
    now: () => new Date(api.clock.ms),
    limits: { connectTimeoutMs: 1_000, totalTimeoutMs: 2_000, maxBytes: 1 << 20 },
  };

  it('staggers a farm-wide sleep, carries out what is due, and keeps who ordered it and how it ended', async () => {
    const ordered = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${farmId}/curtailment`,
      headers: operator,
      payload: { action: 'sleep', staggerMinutes: 10 },
    });
    expect(ordered.statusCode).toBe(201);
    const curtailment = ordered.json<Curtailment>();
    expect(curtailment.commands).toBe(2);
    // Two devices over ten minutes: the first now, the last ten minutes on.
    expect(Date.parse(curtailment.lastAt) - Date.parse(curtailment.firstAt)).toBe(600_000);

    const server = { url: apiUrl, apiKey: key, timeoutMs: 5_000 };
    expect(await executeDueCommands(server, agentDevices(), context, silent)).toBe(1);
    expect(avalonMiner.requests.map((request) => request.command)).toEqual(['ascset']);
    expect(avalonMiner.requests[0]?.parameter).toBe(`0,softoff,1:${String(Math.floor(api.clock.ms / 1000))}`);
    // Nothing more is due until the clock reaches the second device's moment.
    expect(await executeDueCommands(server, agentDevices(), context, silent)).toBe(0);
    api.clock.ms += 600_000;
    expect(await executeDueCommands(server, agentDevices(), context, silent)).toBe(1);

    const audit = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${farmId}/commands`,
      headers: operator,
    });
    const commands = audit.json<DeviceCommand[]>();
    expect(
      commands.map((command) => [command.action, command.status, command.orderedBy, command.outcome]),
    ).toEqual([
      ['sleep', 'unsupported', 'op@farm.test', 'the cgminer driver carries out no commands'],
      [
        'sleep',
        'done',
        'op@farm.test',
        expect.stringMatching(/^ASC 0 set info: success softoff:/) as unknown,
      ],
    ]);
    expect(commands.every((command) => command.curtailment === curtailment.curtailment)).toBe(true);
  });

  it('refuses a command without what it needs, and one for a device of no farm of yours', async () => {
    const devices = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${farmId}/devices`,
      headers: operator,
    });
    const [first] = devices.json<{ id: string }[]>();
    const power = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${farmId}/devices/${first?.id ?? ''}/commands`,
      headers: operator,
      payload: { action: 'set-power-target' },
    });
    expect(power.statusCode).toBe(400);
    expect(power.json()).toMatchObject({ error: 'HW_ERR_ACTION_PARAMS', field: 'body.params.powerTargetW' });
    const fans = async (params: Record<string, unknown>) =>
      api.app.inject({
        method: 'POST',
        url: `/api/farms/${farmId}/devices/${first?.id ?? ''}/commands`,
        headers: operator,
        payload: { action: 'set-fan', params },
      });
    expect((await fans({})).json()).toMatchObject({
      error: 'HW_ERR_ACTION_PARAMS',
      field: 'body.params.fanMode',
    });
    expect((await fans({ fanMode: 'manual' })).json()).toMatchObject({ field: 'body.params.fanPercent' });
    expect((await fans({ fanMode: 'manual', fanPercent: 101 })).statusCode).toBe(400);
    const missing = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${farmId}/devices/999999/commands`,
      headers: operator,
      payload: { action: 'reboot' },
    });
    expect(missing.json()).toMatchObject({ error: 'HW_ERR_DEVICE_NOT_FOUND' });
  });

  it('hands a command out once, and again only when it went unanswered for ten minutes', async () => {
    const { db } = api.database;
    const { rows } = await db.query<{ id: string; user_id: string }>(
      "SELECT d.id::text, (SELECT id::text FROM users WHERE email = 'op@farm.test') AS user_id FROM devices d LIMIT 1",
    );
    const [device] = rows;
    await queueCommand(db, farmId, device?.id ?? '', {
      action: 'reboot',
      params: {},
      userId: device?.user_id ?? '',
      nowMs: api.clock.ms,
    });
    const taken = await takeDueCommands(db, farmId, api.clock.ms, 600);
    expect(taken.map((command) => command.action)).toEqual(['reboot']);
    expect(await takeDueCommands(db, farmId, api.clock.ms + 599_000, 600)).toEqual([]);
    expect(
      (await takeDueCommands(db, farmId, api.clock.ms + 601_000, 600)).map((command) => command.id),
    ).toEqual(taken.map((command) => command.id));
  });
});

/**
 * Starts: the HTTP API on a real PostgreSQL database, listening on a real port; an
 * emulated stock S19 Pro (cgminer API with its captured replies, and its web CGI), an
 * emulated SDM630 meter on Modbus TCP; and the agent as `hashwatt-agent run` runs it
 * (@hashwatt/agent runAgent). Readings reach the database; an operator's reboot reaches
 * the miner; stopping the agent leaves nothing queued.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgent, type RunningAgent, loadAgentConfig, type UploaderLog } from '@hashwatt/agent';
import {
  startCgminerEmulator,
  type RunningEmulator,
  startHttpEmulator,
  type RunningHttpEmulator,
  startMeterEmulator,
  type MeterEmulator,
  REGISTER_MAPS,
} from '@hashwatt/agent/emulators';
import { farmOfOperator, startTestApi, type FarmOfOperator, type TestApi } from '../helpers/api.ts';
import { eventually } from '../helpers/eventually.ts';
import { capturedReply } from '../helpers/miner-captures.ts';

const silent: UploaderLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

const until = (check: () => Promise<boolean>, what: string): Promise<true> =>
  eventually(async () => ((await check()) ? true : undefined), what);

describe('hashwatt-agent run, against the pool', () => {
  let api: TestApi;
  let farm: FarmOfOperator;
  let miner: RunningEmulator;
  let web: RunningHttpEmulator;
  let meter: MeterEmulator;
  let agent: RunningAgent;
  let dir: string;

  beforeAll(async () => {
    api = await startTestApi();
    farm = await farmOfOperator(api, 'op@farm.test');
    const url = await api.app.listen({ host: '127.0.0.1', port: 0 });
    miner = await startCgminerEmulator(
      (request) =>
        ['version', 'summary', 'stats', 'pools'].includes(request.command)
          ? capturedReply(`antminer__stock_bmminer_rpc4028__${request.command}`)
          : undefined,
      { host: '127.0.15.7' },
    );
    web = await startHttpEmulator(
      (request) => (request.url === '/cgi-bin/reboot.cgi' ? { body: '' } : undefined),
      {
        host: '127.0.15.7',
      },
    );
    meter = await startMeterEmulator({
      registers: REGISTER_MAPS.sdm630,
      unitId: 1,
      host: '127.0.15.9',
      port: 15502,
      powerW: 3_250,
      energyWh: 1_000_000,
    });
    dir = await mkdtemp(join(tmpdir(), 'hashwatt-agent-run-'));
    const config = loadAgentConfig(
      { HASHWATT_AGENT_SERVER_URL: url, HASHWATT_AGENT_API_KEY: farm.agentKey },
      undefined,
      {
        devices: [{ host: '127.0.15.7', port: miner.port, driver: 'antminer' }],
        meters: [{ name: 'hall-a', host: '127.0.15.9', port: 15502, model: 'sdm630' }],
        poll: { intervalSeconds: 5, commandSeconds: 1 },
        scan: { httpPort: web.port },
        queue: { dir },
      },
    );
    agent = await runAgent(config, silent);
  });
  afterAll(async () => {
    await agent.stop();
    await Promise.all([miner.close(), web.close(), meter.close()]);
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("reports the farm's miner and meter, and carries out an operator's reboot", async () => {
    const { db } = api.database;
    await until(async () => {
      const { rows } = await db.query<{ n: string }>(
        'SELECT (SELECT count(*) FROM miner_samples) + (SELECT count(*) FROM meter_samples) AS n',
      );
      return Number(rows[0]?.n) >= 2;
    }, 'the first readings');
    const devices = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${farm.farmId}/devices`,
      headers: farm.operator,
    });
    const [device] = devices.json<{ id: string; device: string; model: string; state: string }[]>();
    expect(device).toMatchObject({
      device: `127.0.15.7:${String(miner.port)}`,
      model: 'S19 Pro',
      state: 'mining',
    });
    const { rows: meters } = await db.query<{ energy_wh: number; power_w: number }>(
      'SELECT energy_wh, power_w FROM meter_samples',
    );
    expect(meters[0]?.power_w).toBe(3_250);

    const ordered = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${farm.farmId}/devices/${device?.id ?? ''}/commands`,
      headers: farm.operator,
      payload: { action: 'reboot' },
    });
    expect(ordered.statusCode).toBe(201);
    await until(
      () => Promise.resolve(web.requests.some((request) => request.path === '/cgi-bin/reboot.cgi')),
      'the reboot',
    );
    await until(async () => {
      const { rows } = await db.query<{ status: string }>('SELECT status FROM device_commands');
      return rows[0]?.status === 'done';
    }, 'the outcome');
  });
});

/**
 * Starts: the HTTP API on a real PostgreSQL database, and posts an agent's batch through
 * it. Each reading's state is stored with the evidence the agent read it from, the device
 * shows its latest, an older reading arriving late does not replace it, and the farm's
 * hashrate (now and in its 5-minute rollups) counts mining devices only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FarmDevice, FarmPower, MinerSample, MinerState } from '@hashwatt/schemas';
import { bareSample } from '../helpers/samples.ts';
import { farmOfOperator, startTestApi, type FarmOfOperator, type TestApi } from '../helpers/api.ts';

const NOW = Date.UTC(2026, 11, 7, 12);
const MINUTE = 60_000;

/** A reading as an agent sends it: the state and evidence its driver read, and a figure its API showed. */
function reading(
  device: string,
  atMs: number,
  state: MinerState,
  evidence: string,
  hashrate: number,
): MinerSample {
  return { ...bareSample(device, new Date(atMs).toISOString()), state, stateEvidence: evidence, hashrate };
}

describe('device states and their evidence', () => {
  let api: TestApi;
  let farm: FarmOfOperator;
  /** Posts a batch as the farm's agent; `miners` may hold what no agent sends. */
  const send = (batchId: string, miners: unknown[]) =>
    api.app.inject({
      method: 'POST',
      url: '/api/agent/telemetry',
      headers: { authorization: `Bearer ${farm.agentKey}` },
      payload: { batchId, agentVersion: '0.1.0', miners, meters: [], dropped: 0 },
    });
  const post = async (batchId: string, miners: MinerSample[]): Promise<void> => {
    const response = await send(batchId, miners);
    expect(response.statusCode, response.body).toBe(200);
  };
  const get = async <T>(url: string): Promise<T> => {
    const response = await api.app.inject({ method: 'GET', url, headers: farm.operator });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<T>();
  };

  beforeAll(async () => {
    api = await startTestApi();
    api.clock.ms = NOW;
    farm = await farmOfOperator(api, 'op@states.test');
    const at = NOW - MINUTE;
    await post('00000000-0000-4000-8000-0000000051a1', [
      reading('10.0.4.1:4028', at, 'mining', 'rpc:status mineroff=false', 100e12),
      reading('10.0.4.2:4028', at, 'sleeping', 'rpc:status btmineroff=true', 0),
      // An idle or starting miner's agent sets 0; a figure sent anyway is not counted.
      reading('10.0.4.3:4028', at, 'starting', 'rpc:stats SYSTEMSTATU Work: In Init, SoftOFF=0', 40e12),
      reading('10.0.4.4:4028', at, 'idle', 'rpc:config CurtailMode=Idle', 0),
    ]);
  });
  afterAll(async () => {
    await api.close();
  });

  it('stores each reading with its evidence, and shows each device its latest', async () => {
    const { rows } = await api.database.db.query<{ state: string; state_evidence: string; hashrate: number }>(
      'SELECT state, state_evidence, hashrate FROM miner_samples WHERE farm_id = $1 ORDER BY state',
      [farm.farmId],
    );
    expect(rows).toEqual([
      { state: 'idle', state_evidence: 'rpc:config CurtailMode=Idle', hashrate: 0 },
      { state: 'mining', state_evidence: 'rpc:status mineroff=false', hashrate: 100e12 },
      { state: 'sleeping', state_evidence: 'rpc:status btmineroff=true', hashrate: 0 },
      { state: 'starting', state_evidence: 'rpc:stats SYSTEMSTATU Work: In Init, SoftOFF=0', hashrate: 0 },
    ]);
    const devices = await get<FarmDevice[]>(`/api/farms/${farm.farmId}/devices`);
    expect(devices.map(({ device, state, stateEvidence }) => ({ device, state, stateEvidence }))).toEqual([
      { device: '10.0.4.1:4028', state: 'mining', stateEvidence: 'rpc:status mineroff=false' },
      { device: '10.0.4.2:4028', state: 'sleeping', stateEvidence: 'rpc:status btmineroff=true' },
      {
        device: '10.0.4.3:4028',
        state: 'starting',
        stateEvidence: 'rpc:stats SYSTEMSTATU Work: In Init, SoftOFF=0',
      },
      { device: '10.0.4.4:4028', state: 'idle', stateEvidence: 'rpc:config CurtailMode=Idle' },
    ]);
  });

  it("counts only mining devices in the farm's hashrate, now and in its rollups", async () => {
    expect((await get<FarmPower>(`/api/farms/${farm.farmId}/power`)).hashrate).toBe(100e12);
    const { rows } = await api.database.db.query<{ hashrate: number }>(
      'SELECT sum(hashrate_sum)::float8 AS hashrate FROM miner_rollups_5m WHERE farm_id = $1',
      [farm.farmId],
    );
    expect(rows[0]?.hashrate).toBe(100e12);
  });

  it('keeps the newest state and evidence when an older reading arrives late', async () => {
    await post('00000000-0000-4000-8000-0000000051a2', [
      reading('10.0.4.2:4028', NOW - 10 * MINUTE, 'mining', 'rpc:status btmineroff=false', 90e12),
    ]);
    const sleeper = (await get<FarmDevice[]>(`/api/farms/${farm.farmId}/devices`)).find(
      (device) => device.device === '10.0.4.2:4028',
    );
    expect(sleeper).toMatchObject({ state: 'sleeping', stateEvidence: 'rpc:status btmineroff=true' });
  });

  it('stores the evidence as a code with its figures and the firmware words, for any language to say', async () => {
    const stateReason = {
      code: 'starting',
      quote: 'rpc:status mineroff=false',
      hashrate: 'zero',
      uptimeSeconds: 95,
    } as const;
    await post('00000000-0000-4000-8000-0000000051b1', [
      {
        ...reading(
          '10.0.4.5:4028',
          NOW - MINUTE,
          'starting',
          'rpc:status mineroff=false; up 95 s, hashrate 0 yet',
          0,
        ),
        stateReason,
      },
    ]);
    const { rows } = await api.database.db.query<{ device: string; state_reason: unknown }>(
      `SELECT d.device, s.state_reason FROM miner_samples s JOIN devices d ON d.id = s.device_id
        WHERE s.farm_id = $1 AND d.device IN ('10.0.4.1:4028', '10.0.4.5:4028') ORDER BY d.device`,
      [farm.farmId],
    );
    expect(rows).toEqual([
      { device: '10.0.4.1:4028', state_reason: null },
      { device: '10.0.4.5:4028', state_reason: stateReason },
    ]);
    const devices = await get<FarmDevice[]>(`/api/farms/${farm.farmId}/devices`);
    expect(devices.find((device) => device.device === '10.0.4.5:4028')).toMatchObject({
      stateEvidence: 'rpc:status mineroff=false; up 95 s, hashrate 0 yet',
      stateReason,
    });
    // A reading stored with text only keeps its text, and no code.
    const textOnly = devices.find((device) => device.device === '10.0.4.1:4028');
    expect(textOnly?.stateEvidence).toBe('rpc:status mineroff=false');
    expect(textOnly?.stateReason).toBeNull();
  });

  it('refuses evidence with a code no agent speaks of', async () => {
    const response = await send('00000000-0000-4000-8000-0000000051b2', [
      { ...reading('10.0.4.6:4028', NOW, 'idle', 'x', 0), stateReason: { code: 'guessed' } },
    ]);
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/stateReason/);
  });

  it("queues a fan setting for a device, kept as ordered until the farm's agent takes it", async () => {
    const [device] = await get<FarmDevice[]>(`/api/farms/${farm.farmId}/devices`);
    const queued = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${farm.farmId}/devices/${device?.id ?? ''}/commands`,
      headers: farm.operator,
      payload: { action: 'set-fan', params: { fanMode: 'manual', fanPercent: 70 } },
    });
    expect(queued.statusCode, queued.body).toBe(201);
    expect(queued.json()).toMatchObject({
      action: 'set-fan',
      params: { fanMode: 'manual', fanPercent: 70 },
      status: 'queued',
    });
  });

  it('refuses a state no agent speaks of, naming the field, and stores nothing of the batch', async () => {
    const response = await send('00000000-0000-4000-8000-0000000051a3', [
      { ...reading('10.0.4.9:4028', NOW, 'mining', 'x', 1), state: 'napping' },
    ]);
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/state/);
    const { rows } = await api.database.db.query(
      "SELECT 1 FROM devices WHERE farm_id = $1 AND device = '10.0.4.9:4028'",
      [farm.farmId],
    );
    expect(rows).toEqual([]);
  });
});

/**
 * Starts: the HTTP API on a real PostgreSQL database. A farm agent's batches, made of
 * samples the agent's drivers read from captured miner replies, stored once however
 * often they are sent, and listed back to the farm's operator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MinerSample, TelemetryBatch } from '@hashwatt/schemas';
import { farmOfOperator, startTestApi, type TestApi } from '../helpers/api.ts';

const BATCH_ID = '6f1c2b9e-3f43-4c1e-9a57-0d6c0f0e7a11';

/** What the agent's Antminer driver reads from the captured stock S19 Pro replies (agent/test/integration/antminer.test.ts). */
const s19: MinerSample = {
  device: '10.0.4.17:4028',
  at: '2026-11-25T12:00:00.000Z',
  identity: {
    make: 'Antminer',
    model: 'S19 Pro',
    firmware: 'stock',
    firmwareVersion: '49.0.1.3',
    algorithm: 'sha256d',
  },
  state: 'mining',
  hashrate: 110566.89e9,
  rawHashrate: { value: 110566.89, unit: 'GH/s', field: 'GHS 5s' },
  expectedHashrate: 110000e9,
  boards: [
    { slot: 0, hashrate: 37603.3e9, chips: 114, boardTempC: 73, chipTempC: 78, frequencyMhz: 525 },
    { slot: 1, hashrate: 35536.22e9, chips: 114, boardTempC: 66, chipTempC: 71, frequencyMhz: 525 },
    { slot: 2, hashrate: 37427.38e9, chips: 114, boardTempC: 64, chipTempC: 69, frequencyMhz: 525 },
  ],
  fans: [
    { id: 0, rpm: 6000 },
    { id: 1, rpm: 5880 },
  ],
  pools: [
    {
      index: 0,
      url: 'stratum+tcp://btc.global.luxor.tech:700',
      user: 'satokierepair.H04YK',
      active: true,
      alive: true,
    },
  ],
  shares: { accepted: 4057, rejected: 11, stale: 1, hardwareErrors: 562 },
  messages: [],
  uptimeSeconds: 50474,
  collection: {
    latencyMs: 12,
    sources: ['rpc:version', 'rpc:summary', 'rpc:stats', 'rpc:pools'],
    warnings: [],
  },
};

function batch(id: string, miners: MinerSample[]): TelemetryBatch {
  return {
    batchId: id,
    agentVersion: '0.1.0',
    miners,
    meters: [{ meter: 'hall-a', at: s19.at, energyWh: 4_000_000, powerW: 312_500 }],
    dropped: 3,
  };
}

describe('telemetry ingest', () => {
  let api: TestApi;
  let agent: Record<string, string>;
  let operator: Record<string, string>;
  let other: Record<string, string>;
  let farmId: string;

  beforeAll(async () => {
    api = await startTestApi();
    const farm = await farmOfOperator(api, 'op@farm.test');
    farmId = farm.farmId;
    agent = { authorization: `Bearer ${farm.agentKey}` };
    operator = farm.operator;
    other = (await farmOfOperator(api, 'op@other.test', { organisation: 'Other Co', farm: 'Hall B' }))
      .operator;
  });
  afterAll(async () => {
    await api.close();
  });

  it('stores a batch once, however many times a retrying agent sends it', async () => {
    const later = {
      ...s19,
      at: new Date(Date.parse(s19.at) + 30_000).toISOString(),
      state: 'sleeping' as const,
    };
    const sent = batch(BATCH_ID, [s19, later]);
    const first = await api.app.inject({
      method: 'POST',
      url: '/api/agent/telemetry',
      headers: agent,
      payload: sent,
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ batchId: BATCH_ID, stored: true, miners: 2, meters: 1 });
    const retries = await Promise.all(
      [1, 2, 3].map(() =>
        api.app.inject({ method: 'POST', url: '/api/agent/telemetry', headers: agent, payload: sent }),
      ),
    );
    expect(retries.map((retry) => retry.json<{ stored: boolean }>().stored)).toEqual([false, false, false]);
    const { rows } = await api.database.db.query<{
      samples: string;
      meters: string;
      batches: string;
      dropped: string;
    }>(
      `SELECT (SELECT count(*) FROM miner_samples)::text AS samples, (SELECT count(*) FROM meter_samples)::text AS meters,
              (SELECT count(*) FROM telemetry_batches)::text AS batches, (SELECT max(dropped) FROM telemetry_batches)::text AS dropped`,
    );
    expect(rows[0]).toEqual({ samples: '2', meters: '1', batches: '1', dropped: '3' });
  });

  it("keeps a meter's nameplate serial, and keeps it when a reading comes without one", async () => {
    const serialOf = async (): Promise<string | null | undefined> => {
      const { rows } = await api.database.db.query<{ serial: string | null }>(
        "SELECT serial FROM meters WHERE farm_id = $1 AND name = 'hall-a'",
        [farmId],
      );
      return rows[0]?.serial;
    };
    const send = async (id: string, serial?: string): Promise<void> => {
      const sent = batch(id, []);
      const response = await api.app.inject({
        method: 'POST',
        url: '/api/agent/telemetry',
        headers: agent,
        payload: {
          ...sent,
          meters: sent.meters.map((meter) => ({ ...meter, ...(serial ? { serial } : {}) })),
        },
      });
      expect(response.statusCode, response.body).toBe(200);
    };
    await send('00000000-0000-4000-8000-00000000e001', 'SDM630-22117');
    expect(await serialOf()).toBe('SDM630-22117');
    await send('00000000-0000-4000-8000-00000000e002');
    expect(await serialOf()).toBe('SDM630-22117');
    const tooLong = batch('00000000-0000-4000-8000-00000000e003', []);
    const refused = await api.app.inject({
      method: 'POST',
      url: '/api/agent/telemetry',
      headers: agent,
      payload: { ...tooLong, meters: tooLong.meters.map((meter) => ({ ...meter, serial: 'x'.repeat(65) })) },
    });
    expect(refused.json()).toMatchObject({ error: 'HW_ERR_VALIDATION', field: 'body.meters.0.serial' });
  });

  it("lists the farm's devices with their latest reading to its operator, and to no one else", async () => {
    const listed = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${farmId}/devices`,
      headers: operator,
    });
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual([
      {
        id: expect.any(String) as string,
        device: s19.device,
        make: 'Antminer',
        model: 'S19 Pro',
        firmware: 'stock',
        firmwareVersion: '49.0.1.3',
        serial: null,
        mac: null,
        algorithm: 'sha256d',
        firstSeen: s19.at,
        lastSeen: new Date(Date.parse(s19.at) + 30_000).toISOString(),
        state: 'sleeping',
        // The reading gave no evidence; asleep, its figure counts as no work.
        stateEvidence: null,
        stateReason: null,
        hashrate: 0,
        expectedHashrate: s19.expectedHashrate,
        powerW: null,
        // Its last reading is days old: its power now is unknown, not 0.
        power: {
          watts: null,
          basis: 'unknown',
          source: null,
          reason: 'no reading from the device since 2026-11-25T12:00:30Z',
        },
        efficiency: {
          joulesPerTh: null,
          basis: 'unknown',
          reason: 'its power is unknown: no reading from the device since 2026-11-25T12:00:30Z',
        },
        chipTempC: 78,
        ip: '10.0.4.17',
        location: { rack: null, shelf: null, slot: null },
        nominalHashrate: null,
        nominalPowerW: null,
        // The device's active pool user, as its pools list says: its link to a pool worker.
        poolUser: 'satokierepair.H04YK',
        // No worker has that name: no protocol either.
        poolProtocol: null,
        // Its agent declared no actions.
        commands: null,
        // Its readings are older than the API's hour, and no worker has that name.
        hour: { reportedHashrate: null, poolHashrate: null, gapPercent: null, alert: false },
      },
    ]);
    const refused = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${farmId}/devices`,
      headers: other,
    });
    expect(refused.statusCode).toBe(404);
  });

  it('refuses a bad batch whole, naming the field, and stores nothing of it', async () => {
    const broken = batch('7f1c2b9e-3f43-4c1e-9a57-0d6c0f0e7a12', [{ ...s19, hashrate: -5 }]);
    const response = await api.app.inject({
      method: 'POST',
      url: '/api/agent/telemetry',
      headers: agent,
      payload: broken,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'HW_ERR_VALIDATION', field: 'body.miners.0.hashrate' });
    const noId = await api.app.inject({
      method: 'POST',
      url: '/api/agent/telemetry',
      headers: agent,
      payload: { ...batch('not-a-uuid', []) },
    });
    expect(noId.json()).toMatchObject({ error: 'HW_ERR_VALIDATION', field: 'body.batchId' });
    const { rows } = await api.database.db.query<{ batches: string }>(
      `SELECT count(*)::text AS batches FROM telemetry_batches WHERE batch_id = '7f1c2b9e-3f43-4c1e-9a57-0d6c0f0e7a12'`,
    );
    expect(rows[0]?.batches).toBe('0');
  });

  it('refuses a batch without a farm key, or with a key it never issued', async () => {
    const sent = batch('8f1c2b9e-3f43-4c1e-9a57-0d6c0f0e7a13', [s19]);
    expect(
      (await api.app.inject({ method: 'POST', url: '/api/agent/telemetry', payload: sent })).statusCode,
    ).toBe(401);
    const wrong = { authorization: 'Bearer hwk_notakey' };
    expect(
      (await api.app.inject({ method: 'POST', url: '/api/agent/telemetry', headers: wrong, payload: sent }))
        .statusCode,
    ).toBe(401);
  });
});

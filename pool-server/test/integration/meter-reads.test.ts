/**
 * Starts: the HTTP API on a real PostgreSQL database, listening on a real port, and the
 * agent's disk queue and uploader (@hashwatt/agent) in a temporary folder. A meter's
 * tariff registers travel from the agent's queue to storage and to the farm's power view;
 * a failed meter read is stored with its reason and makes the meter's figure unknown,
 * saying why, until a good reading comes after it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FarmPower, FarmSeries } from '@hashwatt/schemas';
import type { UploaderLog } from '@hashwatt/agent';
import { DiskQueue, Uploader, type Reading } from '@hashwatt/agent/testing';
import { bareSample } from '../helpers/samples.ts';
import { farmOfOperator, startTestApi, type FarmOfOperator, type TestApi } from '../helpers/api.ts';

const NOW = Date.UTC(2026, 11, 7, 12);
const MINUTE = 60_000;
const at = (minutesAgo: number): string => new Date(NOW - minutesAgo * MINUTE).toISOString();
const silent: UploaderLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
const WRONG_PASSWORD =
  '10.0.9.7:4059 (dlms): the association: the meter refused the association (permanently): authentication failure: wrong password';

describe('meter tariffs and failed reads, agent to farm view', () => {
  let api: TestApi;
  let farm: FarmOfOperator;
  let apiUrl: string;
  let dir: string;

  const upload = async (readings: Reading[]): Promise<void> => {
    const queue = await DiskQueue.open(join(dir, `queue-${String(Math.random()).slice(2)}`), {
      maxBytes: 1 << 20,
      segmentBytes: 1 << 16,
    });
    const uploader = new Uploader(queue, {
      serverUrl: apiUrl,
      apiKey: farm.agentKey,
      agentVersion: 'test',
      batchSize: 100,
      maxBodyBytes: 4 << 20,
      timeoutMs: 5_000,
      backoff: { initialMs: 10, maxMs: 100 },
      rejectedDir: join(dir, 'rejected'),
      log: silent,
    });
    await queue.append(readings);
    expect(await uploader.drain()).toBe(0);
  };
  const power = async (): Promise<FarmPower> => {
    const response = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${farm.farmId}/power`,
      headers: farm.operator,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<FarmPower>();
  };

  beforeAll(async () => {
    api = await startTestApi();
    api.clock.ms = NOW;
    farm = await farmOfOperator(api, 'op@meters.test');
    apiUrl = await api.app.listen({ host: '127.0.0.1', port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'hashwatt-meter-reads-'));
  });
  afterAll(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores tariff totals and a failed read, and the farm view says the meter is unknown and why', async () => {
    await upload([
      {
        kind: 'miner',
        sample: { ...bareSample('10.0.0.1:4028', at(1)), powerW: 3_000, powerSource: 'miner' },
      },
      {
        kind: 'meter',
        sample: {
          meter: 'tp-1',
          serial: '14250012',
          at: at(3),
          energyWh: 16_667_420,
          powerW: 3_100,
          tariffEnergyWh: { peak: 12_345_670, normal: 4_321_500 },
        },
      },
      { kind: 'meter', sample: { meter: 'hall-c', at: at(1), energyWh: 5_000, powerW: 200 } },
      {
        kind: 'meter-failure',
        failure: { meter: 'tp-1', serial: '14250012', at: at(1), reason: WRONG_PASSWORD },
      },
    ]);
    const { rows } = await api.database.db.query<{ tariffs: unknown; reason: string }>(
      `SELECT s.tariff_energy_wh AS tariffs, f.reason
         FROM meters m JOIN meter_samples s ON s.meter_id = m.id JOIN meter_read_failures f ON f.meter_id = m.id
        WHERE m.name = 'tp-1'`,
    );
    expect(rows).toEqual([{ tariffs: { peak: 12_345_670, normal: 4_321_500 }, reason: WRONG_PASSWORD }]);
    const now = await power();
    expect(now.meter).toEqual({
      watts: null,
      at: at(3),
      fresh: false,
      meters: [
        {
          name: 'hall-c',
          serial: null,
          at: at(1).replace('.000Z', 'Z'),
          watts: 200,
          energyWh: 5_000,
          tariffEnergyWh: {},
          failure: null,
        },
        {
          name: 'tp-1',
          serial: '14250012',
          at: at(3).replace('.000Z', 'Z'),
          watts: 3_100,
          energyWh: 16_667_420,
          tariffEnergyWh: { peak: 12_345_670, normal: 4_321_500 },
          failure: { at: at(1).replace('.000Z', 'Z'), reason: WRONG_PASSWORD },
        },
      ],
    });
    // The meters' figure is unknown; the farm's power comes from its device, saying why.
    expect(now.power).toMatchObject({ watts: 3_000, basis: 'measured', source: 'miner' });
    expect(now.power.reason).toBe(
      `meter "tp-1" is unknown: its read failed at ${at(1).replace('.000Z', 'Z')} (${WRONG_PASSWORD})`,
    );
  });

  it('a good reading after the failure makes the meter count again', async () => {
    await upload([
      { kind: 'meter', sample: { meter: 'tp-1', at: at(0.5), energyWh: 16_667_500, powerW: 2_800 } },
    ]);
    const now = await power();
    expect(now.meter?.meters?.find((meter) => meter.name === 'tp-1')?.failure).toBeNull();
    expect(now.power).toEqual({ watts: 3_000, basis: 'measured', source: 'meter', reason: null });
  });

  it("shades the farm's history where a meter's reads failed: until its next good reading, or now", async () => {
    await upload([
      {
        kind: 'meter-failure',
        failure: { meter: 'hall-c', at: at(0.4), reason: 'no whole reply within 5000 ms' },
      },
      { kind: 'meter-failure', failure: { meter: 'hall-c', at: at(0.2), reason: 'ECONNREFUSED' } },
    ]);
    const response = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${farm.farmId}/series?range=24h`,
      headers: farm.operator,
    });
    expect(response.statusCode, response.body).toBe(200);
    const failed = response.json<FarmSeries>().spans.filter((span) => span.kind === 'meter-read-failed');
    expect(failed).toEqual([
      expect.objectContaining({
        meter: 'tp-1',
        from: at(1),
        to: at(0.5),
        reason: WRONG_PASSWORD,
        class: null,
      }),
      // Still failing: unknown up to now, for the latest reason.
      expect.objectContaining({ meter: 'hall-c', from: at(0.4), to: at(0), reason: 'ECONNREFUSED' }),
    ]);
  });

  it('refuses a failed read without a reason or with tariffs below zero, storing nothing of the batch', async () => {
    const post = (body: Record<string, unknown>) =>
      api.app.inject({
        method: 'POST',
        url: '/api/agent/telemetry',
        headers: { authorization: `Bearer ${farm.agentKey}` },
        payload: body,
      });
    const batch = (meters: unknown[], meterFailures: unknown[]) => ({
      batchId: crypto.randomUUID(),
      agentVersion: 'test',
      miners: [],
      meters,
      meterFailures,
      dropped: 0,
    });
    const noReason = await post(batch([], [{ meter: 'tp-1', at: at(0), reason: '' }]));
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toMatch(/body\.meterFailures\.0\.reason must NOT have fewer than 1 characters/);
    const negative = await post(
      batch([{ meter: 'tp-1', at: at(0), energyWh: 1, powerW: 1, tariffEnergyWh: { peak: -5 } }], []),
    );
    expect(negative.statusCode).toBe(400);
    expect(negative.body).toMatch(/body\.meters\.0\.tariffEnergyWh\.peak/);
    const { rows } = await api.database.db.query<{ count: string }>(
      'SELECT count(*) FROM meter_read_failures',
    );
    expect(rows[0]?.count).toBe('3');
  });
});

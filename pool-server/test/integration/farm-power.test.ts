/**
 * Starts: the HTTP API on a real PostgreSQL database. Farms as a new user meets them:
 * devices that report their power, one that does not (estimated from its nameplate once
 * the operator sets it), one that does not and has no nameplate, a meter that reports
 * and then falls silent, and a farm with nothing at all. Each device's power and
 * efficiency, and the farm's, are measured, estimated or unknown with the reason:
 * never 0 for what nothing measured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FarmDevice, FarmPower, MinerSample } from '@hashwatt/schemas';
import { ingestTelemetry } from '../../src/farms/telemetry-ingest.ts';
import { bareSample } from '../helpers/samples.ts';
import { farmOfOperator, startTestApi, type FarmOfOperator, type TestApi } from '../helpers/api.ts';

const NOW = Date.UTC(2026, 11, 6, 12);
const MINUTE = 60_000;

describe('farm power and efficiency now', () => {
  let api: TestApi;
  let farm: FarmOfOperator;
  const get = async <T>(url: string, as = farm): Promise<T> => {
    const response = await api.app.inject({ method: 'GET', url, headers: as.operator });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<T>();
  };
  const byName = async (): Promise<Map<string, FarmDevice>> =>
    new Map(
      (await get<FarmDevice[]>(`/api/farms/${farm.farmId}/devices`)).map((device) => [device.device, device]),
    );

  beforeAll(async () => {
    api = await startTestApi();
    api.clock.ms = NOW;
    farm = await farmOfOperator(api, 'op@power.test');
    const at = new Date(NOW - MINUTE).toISOString();
    const miner = (device: string, sample: Partial<MinerSample>): MinerSample => ({
      ...bareSample(device, at),
      hashrate: 100e12,
      ...sample,
    });
    await ingestTelemetry(api.database.db, farm.farmId, {
      batchId: '00000000-0000-4000-8000-00000000a001',
      agentVersion: 'test',
      miners: [miner('10.0.0.1:4028', { powerW: 3_000, powerSource: 'miner' }), miner('10.0.0.2:4028', {})],
      meters: [
        { meter: 'main', at: new Date(NOW - 30 * MINUTE).toISOString(), energyWh: 1_000, powerW: 6_500 },
      ],
      dropped: 0,
    });
  });
  afterAll(async () => {
    await api.close();
  });

  it('names a device that reports no power and has no nameplate, and the farm power unknown', async () => {
    const devices = await byName();
    expect(devices.get('10.0.0.1:4028')).toMatchObject({
      powerW: 3_000,
      power: { watts: 3_000, basis: 'measured', source: 'miner', reason: null },
      efficiency: { joulesPerTh: 30, basis: 'measured', reason: null },
    });
    expect(devices.get('10.0.0.2:4028')).toMatchObject({
      powerW: null,
      power: {
        watts: null,
        basis: 'unknown',
        reason: 'the device does not report its power and has no nameplate power set',
      },
      efficiency: { joulesPerTh: null, basis: 'unknown' },
    });
    const power = await get<FarmPower>(`/api/farms/${farm.farmId}/power`);
    expect(power).toMatchObject({
      power: { watts: null, basis: 'unknown', source: null },
      hashrate: 200e12,
      efficiency: { joulesPerTh: null, basis: 'unknown' },
      devices: { total: 2, measured: 1, estimated: 0, unknown: 1 },
      meter: { watts: 6_500, at: new Date(NOW - 30 * MINUTE).toISOString(), fresh: false },
    });
    expect(power.power.reason).toBe(
      'the meter has been silent since 2026-12-06T11:30:00Z; 1 of 2 devices have no power figure: ' +
        '10.0.0.2:4028 (the device does not report its power and has no nameplate power set)',
    );
  });

  it('estimates from the nameplate power once it is set, and labels the estimate', async () => {
    const second = await byName().then((devices) => devices.get('10.0.0.2:4028'));
    const patched = await api.app.inject({
      method: 'PATCH',
      url: `/api/farms/${farm.farmId}/devices/${second?.id ?? ''}`,
      headers: farm.operator,
      payload: { nominalPowerW: 3_250 },
    });
    expect(patched.json<FarmDevice>()).toMatchObject({
      powerW: null,
      power: { watts: 3_250, basis: 'estimated', source: 'nameplate' },
      efficiency: { joulesPerTh: 32.5, basis: 'estimated' },
    });
    const power = await get<FarmPower>(`/api/farms/${farm.farmId}/power`);
    expect(power).toMatchObject({
      power: { watts: 6_250, basis: 'estimated', source: 'nameplate' },
      efficiency: { joulesPerTh: 31.25, basis: 'estimated' },
      devices: { total: 2, measured: 1, estimated: 1, unknown: 0 },
    });
    expect(power.power.reason).toBe(
      'the meter has been silent since 2026-12-06T11:30:00Z; 1 of 2 devices estimated from nameplate power',
    );
  });

  it("takes the meter's power while it is fresh", async () => {
    await ingestTelemetry(api.database.db, farm.farmId, {
      batchId: '00000000-0000-4000-8000-00000000a002',
      agentVersion: 'test',
      miners: [],
      meters: [{ meter: 'main', at: new Date(NOW - MINUTE).toISOString(), energyWh: 4_000, powerW: 6_600 }],
      dropped: 0,
    });
    expect(await get<FarmPower>(`/api/farms/${farm.farmId}/power`)).toMatchObject({
      power: { watts: 6_600, basis: 'measured', source: 'meter', reason: null },
      efficiency: { joulesPerTh: 33, basis: 'measured', reason: null },
      meter: { watts: 6_600, fresh: true },
    });
  });

  it('has nothing to show for a farm with no meter and no devices, and says so', async () => {
    const bare = await farmOfOperator(api, 'op@bare-power.test', { organisation: 'Bare Co', farm: 'Shed' });
    expect(await get<FarmPower>(`/api/farms/${bare.farmId}/power`, bare)).toEqual({
      farmId: bare.farmId,
      power: {
        watts: null,
        basis: 'unknown',
        source: null,
        reason: 'the farm has no meter; the farm has no devices',
      },
      hashrate: null,
      otherAlgorithms: [],
      efficiency: {
        joulesPerTh: null,
        basis: 'unknown',
        reason: expect.stringMatching(/^its power is unknown/) as string,
      },
      devices: { total: 0, measured: 0, estimated: 0, unknown: 0 },
      meter: null,
    });
  });

  it("refuses another organisation's farm", async () => {
    const other = await farmOfOperator(api, 'op@other-power.test', {
      organisation: 'Other Co',
      farm: 'Hall',
    });
    const response = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${farm.farmId}/power`,
      headers: other.operator,
    });
    expect(response.statusCode).toBe(404);
  });
});

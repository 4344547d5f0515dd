/**
 * Starts: the HTTP API on a real PostgreSQL database, and a farm whose agent reports an
 * S19 (SHA-256), an Antminer D3 (X11, 16.3 GH/s), a Z11 (Equihash, kSol/s) and a device
 * from an agent that names no algorithm. Only the S19's hashrate is Bitcoin hashrate:
 * in the farm's total, its J/TH, its reported hashrate over a period and its device
 * economics; the others are shown apart, each in its own unit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Value from 'typebox/value';
import { MinerSample, type FarmDevice, type FarmPower } from '@hashwatt/schemas';
import { farmHashrate } from '../../src/farms/production.ts';
import { ingestTelemetry } from '../../src/farms/telemetry-ingest.ts';
import { bareSample } from '../helpers/samples.ts';
import { farmOfOperator, startTestApi, type FarmOfOperator, type TestApi } from '../helpers/api.ts';

const NOW = Date.UTC(2026, 11, 7, 12);
const MINUTE = 60_000;

describe('a farm that mines more than Bitcoin', () => {
  let api: TestApi;
  let farm: FarmOfOperator;
  const get = async <T>(url: string): Promise<T> => {
    const response = await api.app.inject({ method: 'GET', url, headers: farm.operator });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<T>();
  };

  beforeAll(async () => {
    api = await startTestApi();
    api.clock.ms = NOW;
    farm = await farmOfOperator(api, 'op@algorithms.test');
    const at = new Date(NOW - MINUTE).toISOString();
    const sample = (
      device: string,
      identity: MinerSample['identity'],
      rest: Partial<MinerSample>,
    ): MinerSample => ({
      ...bareSample(device, at),
      identity,
      ...rest,
    });
    // An agent from before the field was optional always sent it; one that does not is still stored.
    const unnamed = sample(
      '10.0.0.4:4028',
      { make: 'unknown', firmware: 'cgminer' },
      {
        hashrate: 5e12,
        powerW: 900,
        powerSource: 'miner',
      },
    );
    expect(Value.Check(MinerSample, unnamed)).toBe(true);
    await ingestTelemetry(api.database.db, farm.farmId, {
      batchId: '00000000-0000-4000-8000-0000000a1601',
      agentVersion: 'test',
      miners: [
        sample(
          '10.0.0.1:4028',
          { make: 'Antminer', model: 'S19', firmware: 'stock', algorithm: 'sha256d' },
          { hashrate: 100e12, powerW: 3_000, powerSource: 'miner' },
        ),
        sample(
          '10.0.0.2:4028',
          {
            make: 'Antminer',
            model: 'D3',
            firmware: 'stock',
            algorithm: 'x11',
            nominalHashrate: 19.3e9,
            nominalPowerW: 1_350,
          },
          { hashrate: 16.35e9 },
        ),
        sample(
          '10.0.0.3:4028',
          { make: 'Antminer', model: 'Z11', firmware: 'stock', algorithm: 'equihash' },
          { hashrate: 135e3, powerW: 1_418, powerSource: 'miner' },
        ),
        unnamed,
      ],
      meters: [{ meter: 'main', at, energyWh: 1_000, powerW: 6_700 }],
      dropped: 0,
    });
  });
  afterAll(async () => {
    await api.close();
  });

  it("counts only SHA-256 in the farm's hashrate and J/TH, and shows the others apart", async () => {
    const power = await get<FarmPower>(`/api/farms/${farm.farmId}/power`);
    expect(power.hashrate).toBe(100e12);
    expect(power.otherAlgorithms).toEqual([
      { algorithm: 'equihash', hashrate: 135e3, unit: 'Sol/s', devices: 1 },
      { algorithm: 'unknown', hashrate: 5e12, unit: 'H/s', devices: 1 },
      { algorithm: 'x11', hashrate: 16.35e9, unit: 'H/s', devices: 1 },
    ]);
    // The meter's 6.7 kW is every machine's: J/TH from the S19's own 3 kW.
    expect(power.power).toMatchObject({ watts: 6_700, basis: 'measured', source: 'meter' });
    expect(power.efficiency).toEqual({ joulesPerTh: 30, basis: 'measured', reason: null });
  });

  it('gives a device of another algorithm its nameplate from the agent, and no J/TH nor pool comparison', async () => {
    const devices = new Map(
      (await get<FarmDevice[]>(`/api/farms/${farm.farmId}/devices`)).map((device) => [device.device, device]),
    );
    expect(devices.get('10.0.0.4:4028')?.algorithm).toBe('unknown');
    expect(devices.get('10.0.0.2:4028')).toMatchObject({
      algorithm: 'x11',
      hashrate: 16.35e9,
      nominalHashrate: 19.3e9,
      nominalPowerW: 1_350,
      power: { watts: 1_350, basis: 'estimated', source: 'nameplate' },
      efficiency: { joulesPerTh: null, basis: 'unknown', reason: 'the device hashes x11, not SHA-256' },
      hour: { reportedHashrate: 16.35e9, poolHashrate: null, gapPercent: null, alert: false },
    });
    expect(devices.get('10.0.0.1:4028')?.efficiency).toMatchObject({ joulesPerTh: 30, basis: 'measured' });
  });

  it("reports the farm's hashrate over a period as its SHA-256 devices'", async () => {
    const hashrate = await farmHashrate(api.database.db, farm.farmId, NOW - 3_600_000, NOW);
    expect(hashrate.reportedAverage).toBe(100e12);
    expect(hashrate.reportedPeak).toBe(100e12);
    // The day's metered energy fed the D3 and the Z11 too: the economics give no J/TH from it.
    expect(hashrate.otherAlgorithmsHashed).toBe(true);
  });
});

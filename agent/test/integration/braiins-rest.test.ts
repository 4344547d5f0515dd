// Starts an emulated Braiins OS REST API (login, then the token on every call) on a
// real port, answering with the captured 25.07, 25.11 and 26.04 replies.
import { afterEach, describe, expect, it } from 'vitest';
import Value from 'typebox/value';
import { MinerSample } from '@hashwatt/schemas';
import { braiinsRest } from '../../src/drivers/braiins-rest.ts';
import { startHttpEmulator, type RunningHttpEmulator } from '../../src/emulators/http-emulator.ts';
import { context } from '../emulate.ts';
import { fixture } from '../fixtures.ts';

const TOKEN = 'Xq3gTq9fdwVd5bKX';
const running: RunningHttpEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

/** The API of one BOS version: captured replies behind a login, and 200 for the writes. */
async function bos(version: string): Promise<RunningHttpEmulator> {
  const emulator = await startHttpEmulator((request) => {
    const path = (request.url ?? '').replace(/^\/api\/v1\//, '').replace(/\/$/, '');
    if (path === 'auth/login') {
      return { body: JSON.stringify({ token: TOKEN, timeout_s: 3600 }) };
    }
    if (request.headers.authorization !== TOKEN) {
      return { status: 401, body: '{"message":"Unauthorized"}' };
    }
    if (request.method === 'PUT') {
      return { body: '{}' };
    }
    const name = `braiins__bos_${version}_rest_api__${path.replaceAll('/', '_').replace('-', '_')}`;
    return { body: fixture(name).raw };
  });
  running.push(emulator);
  return emulator;
}

describe('Braiins OS REST API', () => {
  it('reads an S21 Pro on 26.04: nominal and real hashrate, power and its target, boards, fans, pools, errors', async () => {
    const sample = await braiinsRest.read(await bos('v26_04'), context);
    expect(sample.identity).toEqual({
      make: 'Antminer',
      model: 'S21 Pro',
      firmware: 'braiins',
      firmwareVersion: '2026-04-14-0-912d084c-26.04-plus',
      serial: 'THQGFKUBDJIAH0E9G',
      mac: '02:8f:77:ec:e7:e0',
      hostname: 'Antminer',
      algorithm: 'sha256d',
    });
    expect(sample.hashrate).toBeCloseTo(248186.6772e9, -6);
    expect(sample.expectedHashrate).toBeCloseTo(252597.5831472e9, -6);
    expect(sample.powerW).toBe(3480);
    expect(sample.powerLimitW).toBe(3500);
    expect(sample.boards[0]).toMatchObject({
      slot: 0,
      chips: 65,
      boardTempC: 50.375,
      chipTempC: 65.375,
      serial: 'THQGYSCBDJIAH11S3',
    });
    expect(sample.boards[0]?.frequencyMhz).toBeCloseTo(625.865, 3);
    expect(sample.fans[0]).toEqual({ id: 0, rpm: 5943, percent: 92 });
    expect(sample.pools.map((pool) => [pool.url, pool.active, pool.accepted])).toEqual([
      ['stratum+tcp://example.pool.com:3333', true, 848],
      ['stratum+tcp://example.pool2.com:3333', false, 0],
    ]);
    expect(sample.shares).toEqual({ accepted: 848, rejected: 0, stale: 0 });
    expect(sample.messages[0]).toEqual({
      severity: 'warning',
      message: 'Sensor hb2.1[TMP451]: Too many sensor errors, disabling sensor',
    });
    expect(sample.collection.warnings).toEqual([]);
  });

  it.each(['v25_07', 'v25_11'])('reads %s into a sample the server accepts', async (version) => {
    const sample = await braiinsRest.read(await bos(version), context);
    expect([...Value.Errors(MinerSample, sample)]).toEqual([]);
    expect(sample.collection.sources).toHaveLength(7);
  });

  it('sets a power target and pauses through the tuner and the actions, logged in', async () => {
    const emulator = await bos('v26_04');
    expect(
      await braiinsRest.act?.(
        emulator,
        { action: 'set-power-target', params: { powerTargetW: 2800 } },
        context,
      ),
    ).toEqual({
      status: 'done',
      message: 'PUT /api/v1/performance/power-target: HTTP 200',
    });
    expect(await braiinsRest.act?.(emulator, { action: 'sleep', params: {} }, context)).toMatchObject({
      status: 'done',
    });
    const writes = emulator.requests.filter((request) => request.method === 'PUT');
    expect(writes.map((request) => [request.path, request.body])).toEqual([
      ['/api/v1/performance/power-target', '{"watt":2800}'],
      ['/api/v1/actions/pause', ''],
    ]);
  });

  it('sets the fans to a fixed ratio or back to automatic with PUT /cooling/mode', async () => {
    const emulator = await bos('v26_04');
    const fans = (params: Record<string, unknown>) =>
      braiinsRest.act?.(emulator, { action: 'set-fan', params }, context);
    expect(await fans({ fanMode: 'manual', fanPercent: 60 })).toEqual({
      status: 'done',
      message: 'PUT /api/v1/cooling/mode: HTTP 200',
    });
    expect((await fans({ fanMode: 'auto' }))?.status).toBe('done');
    expect((await fans({ fanMode: 'manual' }))?.status).toBe('failed');
    const writes = emulator.requests.filter((request) => request.method === 'PUT');
    expect(writes.map((request) => [request.path, request.body])).toEqual([
      ['/api/v1/cooling/mode', '{"manual":{"fan_speed_ratio":0.6}}'],
      ['/api/v1/cooling/mode', '{"auto":{}}'],
    ]);
  });
});

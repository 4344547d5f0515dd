// Starts the emulated Braiins OS REST API (src/emulators/braiins-rest-emulator.ts: login,
// then the token on every call) on a real port, answering with the captured 25.07, 25.11
// and 26.04 replies, and taking pool-group writes as the firmware does.
import { afterEach, describe, expect, it } from 'vitest';
import Value from 'typebox/value';
import { MinerSample } from '@hashwatt/schemas';
import { braiinsRest } from '../../src/drivers/braiins-rest.ts';
import { braiinsRpc } from '../../src/drivers/braiins.ts';
import { startBraiinsRest, type RunningBraiinsRest } from '../../src/emulators/braiins-rest-emulator.ts';
import { context } from '../emulate.ts';
import { fixture, fixtureNames } from '../fixtures.ts';

const running: RunningBraiinsRest[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

/** The API of one BOS version: its captured replies behind a login. */
async function bos(version: string, bosminerRunning = true): Promise<RunningBraiinsRest> {
  const emulator = await startBraiinsRest({
    replies: (path) => {
      const name = `braiins__bos_${version}_rest_api__${path.replaceAll('/', '_').replace('-', '_')}`;
      return fixtureNames().includes(name) ? fixture(name).raw : undefined;
    },
    bosminerRunning,
  });
  running.push(emulator);
  return emulator;
}

/** PUTs straight to the emulator, logged in as root, as another tool on the farm would. */
async function putAs(emulator: RunningBraiinsRest) {
  const base = `http://${emulator.host}:${String(emulator.port)}`;
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    body: JSON.stringify({ username: 'root', password: '' }),
  });
  const { token } = (await login.json()) as { token: string };
  return async (path: string, body: unknown): Promise<[number, string]> => {
    const response = await fetch(`${base}${path}`, {
      method: 'PUT',
      headers: { authorization: token, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return [response.status, await response.text()];
  };
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

  const pool = {
    poolUrl: 'stratum+tcp://pool.hashwatt.example:3333',
    poolUser: 'farm7.s21',
    poolPassword: 'x',
  };

  it('switches pools by rewriting its pool group: the new pool first, the old ones kept behind it', async () => {
    const emulator = await bos('v26_04');
    expect(await braiinsRest.act?.(emulator, { action: 'switch-pool', params: pool }, context)).toEqual({
      status: 'done',
      message: `PUT /api/v1/pools/batch: HTTP 200, ${pool.poolUrl} first in group "Default" with 2 backup(s)`,
    });
    const write = emulator.requests.find((request) => request.method === 'PUT');
    expect(write?.path).toBe('/api/v1/pools/batch');
    expect(JSON.parse(write?.body ?? '')).toEqual([
      {
        name: 'Default',
        pools: [
          { url: pool.poolUrl, user: pool.poolUser, password: 'x', enabled: true },
          { url: 'stratum+tcp://example.pool.com:3333', user: 'asic_rs.test', enabled: true },
          { url: 'stratum+tcp://example.pool2.com:3333', user: 'asic_rs.test', enabled: true },
        ],
        load_balance_strategy: { quota: { value: 1 } },
      },
    ]);
    // The next read sees the miner's new configuration, the new pool first.
    const sample = await braiinsRest.read(emulator, context);
    expect(sample.pools.map((each) => each.url)).toEqual([
      pool.poolUrl,
      'stratum+tcp://example.pool.com:3333',
      'stratum+tcp://example.pool2.com:3333',
    ]);
  });

  it('does not list the new pool twice when it is already one of the group', async () => {
    const emulator = await bos('v25_07');
    const existing = { poolUrl: 'stratum+tcp://example.pool2.com:3333', poolUser: 'asic_rs.test' };
    expect(
      (await braiinsRest.act?.(emulator, { action: 'switch-pool', params: existing }, context))?.message,
    ).toMatch(/with 1 backup\(s\)$/);
    const sample = await braiinsRest.read(emulator, context);
    expect(sample.pools.map((each) => each.url)).toEqual([
      'stratum+tcp://example.pool2.com:3333',
      'stratum+tcp://example.pool.com:3333',
    ]);
  });

  it('reports the refusal the firmware gives, and writes nothing without a pool', async () => {
    const stopped = await bos('v26_04', false);
    expect(await braiinsRest.act?.(stopped, { action: 'switch-pool', params: pool }, context)).toEqual({
      status: 'failed',
      message: 'PUT /api/v1/pools/batch: HTTP 412 BOSminer is not running',
    });
    const emulator = await bos('v26_04');
    expect(
      await braiinsRest.act?.(
        emulator,
        { action: 'switch-pool', params: { poolUrl: pool.poolUrl } },
        context,
      ),
    ).toEqual({ status: 'failed', message: 'switch-pool needs poolUrl and poolUser' });
    expect(emulator.requests.filter((request) => request.method === 'PUT')).toEqual([]);
  });

  it('the emulator refuses a malformed group as the firmware does', async () => {
    const emulator = await bos('v26_04');
    const put = await putAs(emulator);
    const group = { name: 'Default', pools: [{ url: pool.poolUrl, user: pool.poolUser }] };
    expect(await put('/api/v1/pools/batch', [{ ...group, name: '' }])).toEqual([
      400,
      "group name '' length (0) is out-of-range (min: Some(1), max: None)",
    ]);
    expect((await put('/api/v1/pools/batch', [{ name: 'Default', pools: [{ url: pool.poolUrl }] }]))[0]).toBe(
      400,
    );
    expect((await put('/api/v1/pools/batch', [{ pools: [] }]))[0]).toBe(400);
    expect((await put('/api/v1/pools/batch', group))[0]).toBe(400);
    // None of those changed the miner's pools.
    const sample = await braiinsRest.read(emulator, context);
    expect(sample.pools.map((each) => each.url)).toEqual([
      'stratum+tcp://example.pool.com:3333',
      'stratum+tcp://example.pool2.com:3333',
    ]);
  });

  it('refuses to switch a miner whose work several pool groups share, or that has none', async () => {
    const emulator = await bos('v26_04');
    const put = await putAs(emulator);
    const group = (name: string) => ({
      name,
      pools: [{ url: 'stratum+tcp://example.pool.com:3333', user: 'a' }],
    });
    expect((await put('/api/v1/pools/batch', [group('Default'), group('Rented')]))[0]).toBe(200);
    expect(await braiinsRest.act?.(emulator, { action: 'switch-pool', params: pool }, context)).toEqual({
      status: 'failed',
      message:
        'Braiins OS shares the work among 2 pool groups (Default, Rented): rewriting one would move only its share; set the pools in its web interface',
    });
    expect((await put('/api/v1/pools/batch', []))[0]).toBe(200);
    expect(await braiinsRest.act?.(emulator, { action: 'switch-pool', params: pool }, context)).toEqual({
      status: 'failed',
      message: 'Braiins OS lists no pool group to put the pool in',
    });
    // Only the two PUTs made here reached the miner.
    expect(emulator.requests.filter((request) => request.method === 'PUT')).toHaveLength(2);
  });

  it('refuses a switch on port 4028, whose pool commands do not last, saying why', async () => {
    const outcome = await braiinsRpc.act?.(
      { host: '127.0.0.1', port: 1 },
      { action: 'switch-pool', params: pool },
      context,
    );
    expect(outcome?.status).toBe('unsupported');
    expect(outcome?.message).toMatch(/braiins-rest/);
  });
});

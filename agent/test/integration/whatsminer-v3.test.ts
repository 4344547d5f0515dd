// Starts a Whatsminer API v3 emulator (length-prefixed JSON on a real TCP port)
// answering with the captured get.device.info and get.miner.status replies.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { whatsminerV3 } from '../../src/drivers/whatsminer-v3.ts';
import { startFramedEmulator } from '../../src/emulators/framed-emulator.ts';
import { context } from '../emulate.ts';
import { fixture } from '../fixtures.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function emulate(info: string): Promise<{ host: string; port: number }> {
  const name = (suffix: string): string => `whatsminer__btminer_api_v3_tcp4433__${suffix}`;
  const emulator = await startFramedEmulator((request) => {
    const param = typeof request.param === 'string' ? request.param : '';
    const file =
      request.cmd === 'get.device.info'
        ? info
        : request.cmd === 'get.miner.status'
          ? `get_miner_status_${param}`
          : undefined;
    return file === undefined ? undefined : fixture(name(file)).response;
  });
  closers.push(() => emulator.close());
  return emulator;
}

describe('Whatsminer API v3', () => {
  it('reads an M60S: TH/s, power and limit, boards with serials and temperatures, fans, pools', async () => {
    const sample = await whatsminerV3.read(await emulate('get_device_info'), context);
    expect(sample.identity).toEqual({
      make: 'Whatsminer',
      model: 'M60S_VK40',
      firmware: 'whatsminer',
      firmwareVersion: '20251209.16.Rel2',
      serial: 'BTM3CS40HD24083100000000000000000',
      mac: 'CE:02:01:00:8C:36',
      hostname: 'WhatsMiner',
      algorithm: 'sha256d',
      // The model table's M60S.
      nominalHashrate: 186e12,
      nominalPowerW: 3441,
    });
    expect(sample.rawHashrate).toEqual({ value: 171.259, unit: 'TH/s', field: 'hash-realtime' });
    expect(sample.hashrate).toBeCloseTo(171.259e12, -6);
    expect(sample.expectedHashrate).toBeCloseTo(181.051e12, -6);
    expect(sample.powerW).toBe(3156);
    expect(sample.powerLimitW).toBe(3600);
    expect(sample.boards[0]).toEqual({
      slot: 0,
      hashrate: 57.2e12,
      expectedHashrate: 60.35e12,
      chips: 75,
      boardTempC: 41.1,
      chipTempC: 80,
      frequencyMhz: 625,
      serial: 'BKM3CSE1404807K42757',
    });
    expect(sample.fans).toEqual([
      { id: 0, rpm: 5400 },
      { id: 1, rpm: 5280 },
    ]);
    expect(sample.pools.map((pool) => [pool.url, pool.user, pool.active, pool.alive])).toEqual([
      ['stratum+tcp://btc.example.pool:3333', 'asic-rs.test', true, true],
      ['stratum+tcp://btc2.example.pool:3333', 'asic-rs.test', false, true],
      ['stratum+tcp://btc3.example.pool:3333', 'asic-rs.test', false, true],
    ]);
    expect(sample.uptimeSeconds).toBe(50000);
    expect(sample.messages).toEqual([]);
    expect(sample.collection.sources).toEqual([
      'v3:get.device.info',
      'v3:get.miner.status:summary',
      'v3:get.miner.status:edevs',
      'v3:get.miner.status:pools',
    ]);
  });

  it('carries the power supply errors the miner lists, with their reasons', async () => {
    const sample = await whatsminerV3.read(await emulate('get_device_info_with_errors'), context);
    expect(sample.messages.map((message) => message.code)).toEqual(['264', '265', '266', '267', '270']);
    expect(sample.messages[0]?.message).toBe(
      'Whatsminer error 264: Power xfer error. code: 0xffffffffc0000000 (since 2026-05-23 09:19:10)',
    );
  });
});

describe('Whatsminer API v3 commands', () => {
  it('signs a power limit with the salt and password, and tries the next login when refused', async () => {
    const received: Record<string, unknown>[] = [];
    const emulator = await startFramedEmulator((request) => {
      if (request.cmd === 'get.device.info') {
        return fixture('whatsminer__btminer_api_v3_tcp4433__get_device_info').response;
      }
      const body = request as unknown as { ts: number; token: string };
      received.push({ ...request });
      const expected = createHash('sha256')
        .update(`${request.cmd}farm-secretuhCiDyVj${String(body.ts)}`)
        .digest('base64')
        .slice(0, 8);
      return body.token === expected ? { code: 0, msg: 'ok' } : { code: -2, msg: 'invalid token' };
    });
    closers.push(() => emulator.close());
    const logins = {
      whatsminer: [
        { username: 'super', password: 'super' },
        { username: 'super', password: 'farm-secret' },
      ],
    };
    const outcome = await whatsminerV3.act?.(
      emulator,
      { action: 'set-power-target', params: { powerTargetW: 3000 } },
      { ...context, credentials: logins },
    );
    expect(outcome).toEqual({ status: 'done', message: 'set.miner.power_limit: ok' });
    expect(received.map((request) => [request.cmd, request.param, request.account])).toEqual([
      ['set.miner.power_limit', 3000, 'super'],
      ['set.miner.power_limit', 3000, 'super'],
    ]);
    const refused = await whatsminerV3.act?.(emulator, { action: 'sleep', params: {} }, context);
    expect(refused).toEqual({ status: 'failed', message: 'set.miner.service: code -2 invalid token' });
    expect((await whatsminerV3.act?.(emulator, { action: 'switch-pool', params: {} }, context))?.status).toBe(
      'unsupported',
    );
  });
});

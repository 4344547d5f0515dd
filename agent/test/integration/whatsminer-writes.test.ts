// Whatsminer API v2 writes: the token scheme checked byte for byte against a published
// exchange, then every command sent over TCP to an emulator that checks the token as
// MicroBT's "WhatsMiner API V2.0.5" describes.
import { afterEach, describe, expect, it } from 'vitest';
import { whatsminer } from '../../src/drivers/whatsminer.ts';
import { startCgminerEmulator } from '../../src/emulators/cgminer-emulator.ts';
import { whatsminerV2Writes, type WhatsminerV2Options } from '../../src/emulators/whatsminer-v2-writes.ts';
import { md5CryptHash } from '../../src/protocol/md5-crypt.ts';
import { decryptPayload, encryptCommand, writeToken } from '../../src/protocol/whatsminer-token.ts';
import { context } from '../emulate.ts';
import { fixture } from '../fixtures.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/**
 * The exchange in foreman-apps' WhatsminerBlinkITest (fixtures
 * whatsminer__btminer_api_v2_rpc4028__get_token and __privileged_encrypted_exchange):
 * the password is the one its AbstractBlinkActionITest passes, "my-auth-password"
 * (github.com/delawr0190/foreman-apps foreman-util/src/test/java/mn/foreman/util/AbstractBlinkActionITest.java).
 */
const FOREMAN_PASSWORD = 'my-auth-password';

describe('the token scheme', () => {
  const grant = (
    fixture('whatsminer__btminer_api_v2_rpc4028__get_token').response as { Msg: Record<string, string> }
  ).Msg as { time: string; salt: string; newsalt: string };
  const exchange = fixture('whatsminer__btminer_api_v2_rpc4028__privileged_encrypted_exchange');

  it('derives key and sign as openssl passwd -1 does', () => {
    // `openssl passwd -1 -salt BQ5hoXV9 my-auth-password` → $1$BQ5hoXV9$WssMFDgz6KlzbAfbu9Jph/
    expect(md5CryptHash(FOREMAN_PASSWORD, grant.salt)).toBe('WssMFDgz6KlzbAfbu9Jph/');
    expect(writeToken(FOREMAN_PASSWORD, grant)).toEqual({
      key: 'WssMFDgz6KlzbAfbu9Jph/',
      sign: '.8Wiv910uBxIJcqnY6BFC.',
    });
    // A password longer than 16 bytes and an empty one take the other branches (openssl passwd -1 again).
    expect(md5CryptHash('a password longer than sixteen bytes', 'saltsalt')).toBe('46ekHGjZuSi2b7SR0SN0m/');
    expect(md5CryptHash('', 'abc')).toBe('Or2rbeUYTvt12aiVzMuS/.');
  });

  it('encrypts set_led into the very bytes Foreman sent, and reads the miner’s encrypted reply', () => {
    const token = writeToken(FOREMAN_PASSWORD, grant);
    const request = encryptCommand(token, {
      cmd: 'set_led',
      color: 'red',
      period: '2000',
      duration: '1000',
      start: '0',
    });
    // The fixture's request_encrypted.data:
    expect(JSON.parse(request)).toEqual({
      enc: 1,
      data: 'nMLVzjQG7hjSD+d5hwvYSitXund4MPNZopw3Uu2C85ezRF2GZs/KkSfBHTqQpqLSetRMV1BGPl6CzaDx7GD7fUQaM/eiNyeJTVrNWlKIMFYNGIEd57NKcoyttCWYmhnIXpnvOdDql4mubthUjNAawg==',
    });
    const reply = (exchange.response as { enc: string }).enc;
    expect(JSON.parse(decryptPayload(token.key, reply))).toEqual({
      STATUS: 'S',
      When: 1608417125,
      Code: 131,
      Msg: '',
      Description: 'whatsminer v1.1',
    });
  });
});

async function miner(options: WhatsminerV2Options) {
  const writes = whatsminerV2Writes(options);
  const emulator = await startCgminerEmulator((request) =>
    request.command === 'pools'
      ? fixture('whatsminer__btminer_api_v2_rpc4028__pools').raw
      : writes.replies(request),
  );
  closers.push(() => emulator.close());
  return { address: { host: emulator.host, port: emulator.port }, writes: writes.writes };
}

const withPassword = (password: string) => ({
  ...context,
  credentials: { 'whatsminer-v2': [{ username: 'admin', password }] },
});

describe('writes over TCP, checked by the miner', () => {
  it('sleeps with power_off, wakes with power_on, reboots, sets a power limit', async () => {
    const { address, writes } = await miner({ password: 'farm-2026' });
    const at = withPassword('farm-2026');
    for (const action of ['sleep', 'resume', 'reboot'] as const) {
      expect(await whatsminer.act?.(address, { action, params: {} }, at)).toMatchObject({ status: 'done' });
    }
    expect(
      await whatsminer.act?.(address, { action: 'set-power-target', params: { powerTargetW: 3000 } }, at),
    ).toMatchObject({ status: 'done' });
    expect(writes).toEqual([
      { cmd: 'power_off', respbefore: 'true' },
      { cmd: 'power_on' },
      { cmd: 'reboot' },
      { cmd: 'adjust_power_limit', power_limit: '3000' },
    ]);
  });

  it('puts the new pool first and keeps two of the current ones', async () => {
    const { address, writes } = await miner({ password: 'farm-2026' });
    const outcome = await whatsminer.act?.(
      address,
      { action: 'switch-pool', params: { poolUrl: 'stratum+tcp://pool.example:3333', poolUser: 'farm.m50' } },
      withPassword('farm-2026'),
    );
    expect(outcome).toMatchObject({ status: 'done' });
    const written = writes[0] ?? {};
    expect(written).toMatchObject({
      cmd: 'update_pools',
      pool1: 'stratum+tcp://pool.example:3333',
      worker1: 'farm.m50',
      passwd1: 'x',
    });
    expect(Object.keys(written)).toContain('pool3');
  });

  it('says the password is wrong when the miner cannot read the command, after trying each one', async () => {
    const { address, writes } = await miner({ password: 'farm-2026' });
    const outcome = await whatsminer.act?.(
      address,
      { action: 'sleep', params: {} },
      {
        ...context,
        credentials: {
          'whatsminer-v2': [
            { username: 'admin', password: 'admin' },
            { username: 'admin', password: 'wrong' },
          ],
        },
      },
    );
    expect(outcome).toEqual({
      status: 'failed',
      message:
        'power_off: the miner refused it (code 23: invalid JSON message: the miner could not decrypt the command, so the password is wrong): invalid JSON message',
    });
    expect(writes).toEqual([]);
  });

  it('refuses a stale token, and writes not enabled, each with its reason', async () => {
    const stale = await miner({ password: 'farm-2026', tokenLifetimeMs: 0 });
    expect(
      await whatsminer.act?.(stale.address, { action: 'reboot', params: {} }, withPassword('farm-2026')),
    ).toEqual({
      status: 'failed',
      message:
        'reboot: the miner refused it (code 135: check token error: the password is wrong or the token has expired): check token error',
    });
    const closed = await miner({ password: 'farm-2026', writesEnabled: false });
    const outcome = await whatsminer.act?.(
      closed.address,
      { action: 'reboot', params: {} },
      withPassword('farm-2026'),
    );
    expect(outcome?.status).toBe('failed');
    expect(outcome?.message).toMatch(/^reboot: get_token: .*permission denied$/);
  });

  it('refuses a power target without watts before it asks for a token', async () => {
    const { address, writes } = await miner({ password: 'farm-2026' });
    expect(
      await whatsminer.act?.(address, { action: 'set-power-target', params: {} }, withPassword('farm-2026')),
    ).toEqual({ status: 'failed', message: 'set-power-target needs powerTargetW' });
    expect(writes).toEqual([]);
  });

  it('answers a fan setting unsupported (API v2 has no fan command), asking for no token', async () => {
    const { address, writes } = await miner({ password: 'farm-2026' });
    const outcome = await whatsminer.act?.(
      address,
      { action: 'set-fan', params: { fanMode: 'manual', fanPercent: 80 } },
      withPassword('farm-2026'),
    );
    expect(outcome?.status).toBe('unsupported');
    expect(writes).toEqual([]);
  });
});

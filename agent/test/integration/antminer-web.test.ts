// Starts an emulated stock Antminer web interface on a real port: HTTP Digest as the
// firmware asks for it (realm "antMiner Configuration"), the captured get_miner_conf.cgi
// reply, and set_miner_conf.cgi answered as the same web UI family answers it.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { antminer } from '../../src/drivers/antminer.ts';
import { startHttpEmulator, type RunningHttpEmulator } from '../../src/emulators/http-emulator.ts';
import { fixture } from '../fixtures.ts';

const REALM = 'antMiner Configuration';
const NONCE = '5f1e2d3c4b5a69788796a5b4c3d2e1f0';
const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** Whether the request carries a valid Digest answer for user root and `password`. */
function authorised(request: IncomingMessage, password: string): boolean {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Digest ')) {
    return false;
  }
  const fields: Record<string, string | undefined> = Object.fromEntries(
    [...header.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((match) => [
      match[1] ?? '',
      match[2] ?? match[3] ?? '',
    ]),
  );
  const ha1 = md5(`${fields.username ?? ''}:${REALM}:${password}`);
  const ha2 = md5(`${request.method ?? 'GET'}:${fields.uri ?? ''}`);
  const expected = md5(
    `${ha1}:${NONCE}:${fields.nc ?? ''}:${fields.cnonce ?? ''}:${fields.qop ?? ''}:${ha2}`,
  );
  return fields.username === 'root' && fields.response === expected;
}

let web: RunningHttpEmulator;
const context = (logins?: { username: string; password: string }[]) => ({
  now: () => new Date('2026-11-25T12:00:00Z'),
  limits: { connectTimeoutMs: 1_000, totalTimeoutMs: 3_000, maxBytes: 1 << 20 },
  webPort: web.port,
  ...(logins && { credentials: { stock: logins } }),
});
const device = { host: '127.0.0.1', port: 4028 };

beforeAll(async () => {
  web = await startHttpEmulator((request) => {
    if (!authorised(request, 'farm-secret')) {
      return {
        status: 401,
        body: '',
        headers: { 'www-authenticate': `Digest realm="${REALM}", nonce="${NONCE}", qop="auth"` },
      };
    }
    if (request.url === '/cgi-bin/get_miner_conf.cgi') {
      return { body: fixture('antminer__stock_web__get_miner_conf_cgi').raw };
    }
    if (request.url === '/cgi-bin/set_miner_conf.cgi') {
      return { body: fixture('elphapex__stock_web_cgi__set_miner_conf').raw };
    }
    if (request.url === '/cgi-bin/reboot.cgi') {
      return { body: '' };
    }
    return undefined;
  });
});
afterAll(async () => {
  await web.close();
});

describe('stock Antminer control over its web CGI', () => {
  it('puts the miner to sleep by rewriting its configuration with miner-mode 1, keeping the rest', async () => {
    const logins = [
      { username: 'root', password: 'root' },
      { username: 'root', password: 'farm-secret' },
    ];
    const outcome = await antminer.act?.(device, { action: 'sleep', params: {} }, context(logins));
    expect(outcome).toEqual({
      status: 'done',
      message: 'set_miner_conf.cgi: {"code":"M000","msg":"OK!","stats":"success"}',
    });
    const written = web.requests.filter(
      (request) => request.path === '/cgi-bin/set_miner_conf.cgi' && request.body !== '',
    );
    const conf = JSON.parse(written.at(-1)?.body ?? '{}') as Record<string, unknown>;
    expect(conf['miner-mode']).toBe('1');
    expect(conf['bitmain-freq']).toBe('675');
    expect((conf.pools as { url: string }[]).map((pool) => pool.url)).toEqual([
      'aaa:700',
      'bbb:6000',
      'ccc:1314',
    ]);
  });

  it('switches pools by putting the new one first, and reboots', async () => {
    const logins = [{ username: 'root', password: 'farm-secret' }];
    const switched = await antminer.act?.(
      device,
      {
        action: 'switch-pool',
        params: { poolUrl: 'stratum+tcp://pool.hashwatt.example:3333', poolUser: 'bc1qfarm.rig7' },
      },
      context(logins),
    );
    expect(switched?.status).toBe('done');
    const conf = JSON.parse(web.requests.at(-1)?.body ?? '{}') as { pools: { url: string; user: string }[] };
    expect(conf.pools.map((pool) => pool.url)).toEqual([
      'stratum+tcp://pool.hashwatt.example:3333',
      'aaa:700',
      'bbb:6000',
    ]);
    expect(await antminer.act?.(device, { action: 'reboot', params: {} }, context(logins))).toEqual({
      status: 'done',
      message: 'reboot.cgi: HTTP 200',
    });
  });

  it('sets the fans through its configuration: bitmain-fan-ctrl on at a PWM %, or off for its own control', async () => {
    const logins = [{ username: 'root', password: 'farm-secret' }];
    const written = async (params: Record<string, unknown>) => {
      expect((await antminer.act?.(device, { action: 'set-fan', params }, context(logins)))?.status).toBe(
        'done',
      );
      return JSON.parse(web.requests.at(-1)?.body ?? '{}') as Record<string, unknown>;
    };
    expect(await written({ fanMode: 'manual', fanPercent: 80 })).toMatchObject({
      'bitmain-fan-ctrl': true,
      'bitmain-fan-pwm': '80',
      'bitmain-freq': '675',
    });
    expect((await written({ fanMode: 'auto' }))['bitmain-fan-ctrl']).toBe(false);
  });

  it('says which login was refused, and that stock firmware has no power target', async () => {
    expect(await antminer.act?.(device, { action: 'sleep', params: {} }, context())).toEqual({
      status: 'failed',
      message: 'the miner refused the login root',
    });
    expect(
      (
        await antminer.act?.(
          device,
          { action: 'set-power-target', params: { powerTargetW: 3000 } },
          context(),
        )
      )?.status,
    ).toBe('unsupported');
  });
});

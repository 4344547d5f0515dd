// VNish on an Antminer: the agent reads its cgminer port and writes through its own web
// API (src/emulators/vnish-web-emulator.ts: unlock, then the bearer token), never the
// stock CGI. Every write is judged by reading it back.
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionParams, DeviceAction } from '@hashwatt/schemas';
import { antminer } from '../../src/drivers/antminer.ts';
import type { ActionResult } from '../../src/drivers/driver.ts';
import { startVnishWeb, type RunningVnishWeb } from '../../src/emulators/vnish-web-emulator.ts';
import { context, emulate } from '../emulate.ts';

const running: RunningVnishWeb[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

/**
 * Presets as the public "VNish API Documentation" shows `GET /api/v1/autotune/presets` on
 * an S19 with VNish 1.2.6 (a selection of its list; all untuned there); one tuned, as
 * asic-rs vnish/v1_2_0 shows them ({"name":"3495","pretty":"3495 watt ~ 132 TH","status":"tuned"}).
 */
const presets = [
  { name: 'disabled', pretty: 'Disabled', status: 'untuned', modded_psu_required: false },
  { name: '1100', pretty: '1100 watt ~ 53 TH', status: 'untuned', modded_psu_required: false },
  { name: '2950', pretty: '2950 watt ~ 99 TH', status: 'tuned', modded_psu_required: false },
  { name: '3200', pretty: '3200 watt ~ 102 TH', status: 'untuned', modded_psu_required: false },
  { name: '3350', pretty: '3350 watt ~ 105 TH', status: 'untuned', modded_psu_required: false },
];

/**
 * `GET /api/v1/settings` in the shape its readers take it: `miner.pools[]` url, user, pass
 * (pyasic config/pools.py), `miner.cooling` mode and duties (pyasic config/fans.py, the
 * OpenAPI's CoolingSettingsRaw), `miner.overclock` preset and globals (OverclockSettingsRaw),
 * `regional.timezone` (asic-rs). The values are made up.
 */
const settings = {
  miner: {
    pools: [
      { url: 'stratum+tcp://btc.f2pool.com:1314', user: 'farm.s19', pass: 'x' },
      { url: 'stratum+tcp://ss.antpool.com:3333', user: 'farm.s19b', pass: 'backup-secret' },
    ],
    cooling: { mode: { name: 'auto' }, fan_min_count: 4, fan_min_duty: 10 },
    overclock: { preset: '2950', globals: { volt: 1380, freq: 675 } },
  },
  regional: { timezone: { current: 'GMT+3' } },
};

async function vnish(restartRequired = false): Promise<RunningVnishWeb> {
  const emulator = await startVnishWeb({ settings, presets, restartRequired });
  running.push(emulator);
  return emulator;
}

/** An order to the Antminer driver on the cgminer port, its web interface on the emulator. */
function act(
  api: RunningVnishWeb,
  action: DeviceAction,
  params: ActionParams = {},
  password = 'admin',
): Promise<ActionResult | undefined> {
  return (
    antminer.act?.(
      { host: api.host, port: 4028 },
      { action, params },
      { ...context, webPort: api.port, credentials: { vnish: [{ username: 'admin', password }] } },
    ) ?? Promise.resolve(undefined)
  );
}

const newPool = { poolUrl: 'stratum+tcp://pool.example:3333', poolUser: 'farm.s19', poolPassword: 'p1' };

describe('VNish writes', () => {
  it('sleeps with mining/stop and wakes with mining/start, each read back from status', async () => {
    const api = await vnish();
    expect(await act(api, 'sleep')).toEqual({
      status: 'done',
      message: 'VNish mining/stop: status reads miner_state stopped',
    });
    expect(await act(api, 'resume')).toEqual({
      status: 'done',
      message: 'VNish mining/start: status reads miner_state starting',
    });
    expect(await act(api, 'reboot')).toEqual({
      status: 'done',
      message: 'VNish system/reboot accepted: it reboots in 3 s',
    });
  });

  it('sets the highest preset not above a power target, says which, and keeps the overclock', async () => {
    const api = await vnish();
    expect(await act(api, 'set-power-target', { powerTargetW: 3300 })).toEqual({
      status: 'done',
      message:
        'VNish preset 3200 (3200 watt ~ 102 TH), the highest not above 3300 W, untuned: VNish tunes it first',
    });
    expect(api.settings().miner).toMatchObject({ overclock: { preset: '3200', globals: { volt: 1380 } } });
    expect(await act(api, 'set-power-target', { powerTargetW: 3000 })).toMatchObject({
      status: 'done',
      message: 'VNish preset 2950 (2950 watt ~ 99 TH), the highest not above 3000 W',
    });
    expect(await act(api, 'set-power-target', { powerTargetW: 1000 })).toEqual({
      status: 'failed',
      message: 'no VNish preset draws 1000 W or less: the lowest is 1100 W',
    });
  });

  it('sets the fans fixed or back to auto, keeping their other settings', async () => {
    const api = await vnish();
    expect(await act(api, 'set-fan', { fanMode: 'manual', fanPercent: 60 })).toEqual({
      status: 'done',
      message: 'VNish fans fixed at 60 %',
    });
    expect(api.settings().miner).toMatchObject({
      cooling: { mode: { name: 'manual', param: 60 }, fan_min_count: 4, fan_min_duty: 10 },
    });
    expect(await act(api, 'set-fan', { fanMode: 'auto' })).toMatchObject({ status: 'done' });
    expect(api.settings().miner).toMatchObject({ cooling: { mode: { name: 'auto' } } });
    expect(await act(api, 'set-fan', { fanMode: 'manual' })).toEqual({
      status: 'failed',
      message: 'set-fan needs fanMode, and fanPercent when manual',
    });
  });

  it('switches pool: the new one first, the others kept with their passwords, restarted where VNish asks', async () => {
    const api = await vnish(true);
    expect(await act(api, 'switch-pool', newPool)).toEqual({
      status: 'done',
      message:
        'VNish pool stratum+tcp://pool.example:3333 first, 2 backup(s) kept, mining restarted to apply it',
    });
    expect(api.settings().miner).toMatchObject({
      pools: [
        { url: newPool.poolUrl, user: 'farm.s19', pass: 'p1' },
        { url: 'stratum+tcp://btc.f2pool.com:1314', user: 'farm.s19', pass: 'x' },
        { url: 'stratum+tcp://ss.antpool.com:3333', user: 'farm.s19b', pass: 'backup-secret' },
      ],
    });
    expect(api.requests.map((request) => request.path)).toContain('/api/v1/mining/restart');
    // The timezone and the rest of the settings are not sent back: VNish keeps what it is not given.
    expect(JSON.parse(api.requests.find((request) => request.method === 'POST')?.body ?? '{}')).toEqual({
      miner: { pools: expect.any(Array) as unknown },
    });
  });
});

describe('VNish refusals: nothing is changed, and the message says why', () => {
  it('names a wrong password, too many tries, and an unlock answered with garbage or too much', async () => {
    const api = await vnish();
    expect(await act(api, 'reboot', {}, 'wrong')).toEqual({
      status: 'failed',
      message: 'VNish refused the password of admin (HTTP 403)',
    });
    api.faults.set('POST /api/v1/unlock', { status: 429, body: '{"unlock_timeout":60}' });
    expect(await act(api, 'reboot')).toEqual({
      status: 'failed',
      message: 'VNish refuses unlocking for now: too many tries (HTTP 429)',
    });
    api.faults.set('POST /api/v1/unlock', 'garbage');
    expect(await act(api, 'reboot')).toEqual({
      status: 'failed',
      message: 'VNish POST /api/v1/unlock: HTTP 200, no token in the answer',
    });
    api.faults.set('POST /api/v1/unlock', 'huge');
    expect(await act(api, 'reboot')).toEqual({
      status: 'failed',
      message: 'VNish POST /api/v1/unlock: reply over 65536 bytes',
    });
    expect(api.requests).toEqual([]);
  });

  it("refuses the firmware's errors, garbage and oversized replies", async () => {
    const api = await vnish();
    api.faults.set('POST /api/v1/settings', { status: 500, body: '{"err":"Failed to save config"}' });
    expect(await act(api, 'switch-pool', newPool)).toEqual({
      status: 'failed',
      message: 'VNish POST /api/v1/settings: HTTP 500 Failed to save config',
    });
    api.faults.set('POST /api/v1/mining/start', {
      status: 200,
      body: '{"err":"CGMiner err: Cgminer error failed-to-activate-resume-mode "}',
    });
    expect(await act(api, 'resume')).toEqual({
      status: 'failed',
      message:
        'VNish POST /api/v1/mining/start: HTTP 200 CGMiner err: Cgminer error failed-to-activate-resume-mode',
    });
    api.faults.set('GET /api/v1/settings', 'garbage');
    expect(await act(api, 'set-fan', { fanMode: 'auto' })).toEqual({
      status: 'failed',
      message: 'VNish GET /api/v1/settings: the reply is not JSON ("<html><body>Login</body></html>")',
    });
    api.faults.set('GET /api/v1/autotune/presets', 'huge');
    expect(await act(api, 'set-power-target', { powerTargetW: 3000 })).toEqual({
      status: 'failed',
      message: 'VNish GET /api/v1/autotune/presets: reply over 1048576 bytes',
    });
    expect(api.settings()).toEqual(settings);
    expect(api.minerState()).toBe('mining');
  });

  it('fails a write the next read does not show', async () => {
    const api = await vnish();
    api.faults.set('POST /api/v1/settings', 'ignored');
    expect(await act(api, 'switch-pool', newPool)).toEqual({
      status: 'failed',
      message:
        'VNish took the settings, but reads back stratum+tcp://btc.f2pool.com:1314 first, not stratum+tcp://pool.example:3333',
    });
    expect(await act(api, 'set-power-target', { powerTargetW: 3300 })).toEqual({
      status: 'failed',
      message: 'VNish took the settings, but reads back preset 2950, not 3200',
    });
    api.faults.set('POST /api/v1/mining/stop', 'ignored');
    expect(await act(api, 'sleep')).toEqual({
      status: 'failed',
      message: 'VNish took mining/stop, but status still reads miner_state mining',
    });
  });
});

describe('VNish state, read from its own API when the cgminer port shows no hashrate', () => {
  /** The cgminer port of a VNish S9 (its stats `Type` names VNish), no summary: no hashrate. */
  async function read(api: RunningVnishWeb, password = 'admin') {
    const rpc = await emulate({
      stats: 'antminer__vnish3.8.6_s9__rpc4028_stats__invalid_json_missing_comma',
    });
    return antminer.read(rpc, {
      ...context,
      webPort: api.port,
      credentials: { vnish: [{ username: 'admin', password }] },
    });
  }

  it('reads a miner stopped by mining/stop as sleeping, with miner_state as the evidence', async () => {
    const api = await vnish();
    await act(api, 'sleep');
    const sample = await read(api);
    expect(sample).toMatchObject({
      state: 'sleeping',
      stateEvidence: 'web:/api/v1/status miner_state=stopped',
    });
    expect(sample.identity.firmware).toBe('vnish');
    expect(sample.collection.sources).toContain('web:/api/v1/status');
    expect(sample.messages).toEqual([]);
  });

  it('reads one started again as starting, and says so when VNish refuses the password', async () => {
    const api = await vnish();
    await act(api, 'sleep');
    await act(api, 'resume');
    expect(await read(api)).toMatchObject({ state: 'starting' });
    const refused = await read(api, 'wrong');
    expect(refused.state).not.toBe('sleeping');
    expect(refused.collection.warnings).toContain(
      'web:/api/v1/status: VNish refused the password of admin (HTTP 403)',
    );
  });
});

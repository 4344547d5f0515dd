// Goldshell over its web API (src/emulators/goldshell-web-emulator.ts: the login, then
// the JWT), answering with foreman-apps' captured /mcb replies and taking the writes
// the firmware documents; every write is judged by reading it back.
import { afterEach, describe, expect, it } from 'vitest';
import { goldshell } from '../../src/drivers/goldshell.ts';
import { DRIVERS } from '../../src/drivers/registry.ts';
import { startGoldshellWeb, type RunningGoldshellWeb } from '../../src/emulators/goldshell-web-emulator.ts';
import { context } from '../emulate.ts';
import { fixture } from '../fixtures.ts';

const running: RunningGoldshellWeb[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

const capturedPools = fixture('goldshell__stock__http_mcb_pools').response as Record<string, unknown>[];
const capturedSetting = fixture('goldshell__stock__http_mcb_setting').response as Record<string, unknown>;
/**
 * The captured setting with the power plans pyasic selects to sleep and wake (levels 0,
 * 1 and 3, `pyasic/config/mining/__init__.py`): the capture lists level 0 only.
 */
const plannedSetting = {
  ...capturedSetting,
  powerplans: [
    { info: '800 MHz 0.42 V 100 RPM 100 RPM', level: 0 },
    { info: '700 MHz 0.40 V 100 RPM 100 RPM', level: 1 },
    { info: 'sleep', level: 3 },
  ],
};

async function miner(
  options: { readonly requireLogin?: boolean; readonly setting?: Record<string, unknown> } = {},
): Promise<RunningGoldshellWeb> {
  const emulator = await startGoldshellWeb({
    requireLogin: options.requireLogin ?? true,
    pools: capturedPools,
    setting: options.setting ?? capturedSetting,
    replies: {
      '/mcb/cgminer?cgminercmd=devs': fixture('goldshell__stock__http_mcb_cgminer_devs').raw,
    },
  });
  running.push(emulator);
  return emulator;
}

const wrongPassword = { ...context, credentials: { goldshell: [{ username: 'admin', password: 'nope' }] } };
const newPool = { poolUrl: 'stratum+tcp://pool.example:3333', poolUser: 'farm.kd6' };

describe('Goldshell reads', () => {
  it.each([false, true])('reads four boards, fans and pools (login required: %s)', async (requireLogin) => {
    const sample = await goldshell.read(await miner({ requireLogin }), context);
    expect(sample.identity).toMatchObject({
      make: 'Goldshell',
      firmware: 'goldshell',
      mac: '28:E2:97:4D:55:10',
    });
    expect(sample.boards).toHaveLength(4);
    expect(sample.boards[0]).toMatchObject({ slot: 0, boardTempC: 83 });
    expect(sample.boards[0]?.hashrate).toBeCloseTo(2992548.779e6, -3);
    expect(sample.rawHashrate?.unit).toBe('MH/s');
    expect(sample.fans.map((fan) => fan.rpm)).toEqual([2940, 2940, 2940, 2940]);
    expect(sample.pools.map((pool) => [pool.url, pool.active])).toEqual([
      ['stratum+tcp://us-ckb.2miners.com:6464', true],
      ['stratum+tcp://ckb.f2pool.com:4300', false],
    ]);
    expect(sample.shares).toEqual({ accepted: 890282, rejected: 17760, hardwareErrors: 1061 });
  });

  it('names the login that failed when firmware 2.2 refuses it', async () => {
    await expect(goldshell.read(await miner(), wrongPassword)).rejects.toThrow(/login as admin: .*401/);
  });
});

describe('Goldshell writes', () => {
  it('switches pool: the new one first, the captured two kept behind it with their passwords', async () => {
    const api = await miner();
    expect(await goldshell.act?.(api, { action: 'switch-pool', params: newPool }, context)).toEqual({
      status: 'done',
      message: 'Goldshell pool stratum+tcp://pool.example:3333 first, 2 backup(s) kept',
    });
    expect(api.pools().map((pool) => [pool.url, pool.pass, pool.active, pool.dragid])).toEqual([
      ['stratum+tcp://pool.example:3333', 'x', true, 0],
      ['stratum+tcp://us-ckb.2miners.com:6464', '[REDACTED]', false, 1],
      ['stratum+tcp://ckb.f2pool.com:4300', '[REDACTED]', false, 2],
    ]);
    // The new pool went in before any old one came out: the miner never stood without a pool.
    const writes = api.requests.filter((request) => request.method === 'PUT').map((request) => request.path);
    expect(writes).toEqual(['/mcb/newpool', '/mcb/delpool', '/mcb/delpool', '/mcb/newpool', '/mcb/newpool']);
    const sample = await goldshell.read(api, context);
    expect(sample.pools[0]).toMatchObject({ url: newPool.poolUrl, user: newPool.poolUser, active: true });
  });

  it('reboots with PUT /mcb/restart, through the registry entry the command executor asks', async () => {
    const api = await miner();
    expect(await DRIVERS.goldshell?.act?.(api, { action: 'reboot', params: {} }, context)).toMatchObject({
      status: 'done',
    });
    expect(api.requests.at(-1)).toMatchObject({ method: 'PUT', path: '/mcb/restart' });
  });

  it('sleeps and wakes by selecting the power plan of level 3, then 0, read back each time', async () => {
    const api = await miner({ setting: plannedSetting });
    expect(await goldshell.act?.(api, { action: 'sleep', params: {} }, context)).toEqual({
      status: 'done',
      message: 'Goldshell power plan 2 (level 3, sleep) selected',
    });
    expect(api.setting()).toEqual({ ...plannedSetting, select: 2 });
    expect(await goldshell.act?.(api, { action: 'resume', params: {} }, context)).toMatchObject({
      status: 'done',
    });
    expect(api.setting().select).toBe(0);
  });

  it('reads a miner put to sleep as sleeping, from the power plan selected, and awake again after', async () => {
    const api = await miner({ setting: plannedSetting });
    await goldshell.act?.(api, { action: 'sleep', params: {} }, context);
    const asleep = await goldshell.read(api, context);
    expect(asleep).toMatchObject({
      state: 'sleeping',
      stateEvidence: 'http:/mcb/setting select=2 (power plan level 3)',
      hashrate: 0,
    });
    expect(asleep.messages).toEqual([]);
    await goldshell.act?.(api, { action: 'resume', params: {} }, context);
    expect(await goldshell.read(api, context)).toMatchObject({
      state: 'mining',
      stateEvidence: 'http:/mcb/setting select=0 (power plan level 0)',
    });
  });

  it('declares sleep where a level-3 plan is listed, and never a power target or fan control', async () => {
    const unsupported = {
      supported: false,
      reason: 'firmware',
      note: expect.stringMatching(/no power target/) as unknown,
    };
    const planned = await goldshell.read(await miner({ setting: plannedSetting }), context);
    expect(planned.commands).toEqual([
      { action: 'sleep', supported: true },
      { action: 'resume', supported: true },
      { action: 'reboot', supported: true },
      { action: 'set-power-target', ...unsupported },
      { action: 'set-fan', ...unsupported },
      { action: 'switch-pool', supported: true },
    ]);
    const captured = await goldshell.read(await miner(), context);
    expect(captured.commands?.[0]).toEqual({
      action: 'sleep',
      supported: false,
      reason: 'setting',
      note: 'its /mcb/setting lists no sleep power plan (level 3; it has 0)',
    });
    const unread = await goldshell.read(await miner({ setting: { name: 'x' } }), context);
    expect(unread.commands?.map((support) => support.action)).not.toContain('sleep');
  });

  it('says the captured miner has no sleep plan, and the firmware no power target nor fan control', async () => {
    const api = await miner();
    expect(await goldshell.act?.(api, { action: 'sleep', params: {} }, context)).toEqual({
      status: 'unsupported',
      message: 'this Goldshell lists no sleep power plan (level 3; it has 0)',
    });
    for (const order of [
      { action: 'set-power-target' as const, params: { powerTargetW: 3000 } },
      { action: 'set-fan' as const, params: { fanMode: 'auto' as const } },
    ]) {
      expect((await goldshell.act?.(api, order, context))?.status).toBe('unsupported');
    }
    expect(api.setting()).toEqual(capturedSetting);
  });

  it('refuses: a wrong password, a 500, garbage, a huge reply, a write not applied; nothing lost', async () => {
    const api = await miner();
    const switchPool = () => goldshell.act?.(api, { action: 'switch-pool', params: newPool }, context);
    expect(await goldshell.act?.(api, { action: 'switch-pool', params: newPool }, wrongPassword)).toEqual({
      status: 'failed',
      message: expect.stringMatching(/^login as admin: .*HTTP 401$/) as unknown,
    });
    api.faults.set('GET /mcb/pools', 'garbage');
    expect(await switchPool()).toEqual({
      status: 'failed',
      message: 'Goldshell GET /mcb/pools: the reply is not JSON ("<html><body>Login</body></html>")',
    });
    api.faults.set('GET /mcb/pools', 'huge');
    expect(await switchPool()).toEqual({
      status: 'failed',
      message: 'Goldshell GET /mcb/pools: reply over 1048576 bytes',
    });
    api.faults.clear();
    api.faults.set('PUT /mcb/newpool', { status: 500, body: '{"error":"pool list full"}' });
    expect(await switchPool()).toEqual({
      status: 'failed',
      message: 'Goldshell PUT /mcb/newpool: HTTP 500 {"error":"pool list full"}',
    });
    expect(api.pools()).toEqual(capturedPools);
    const unapplied = await startGoldshellWeb({ pools: capturedPools, setting: plannedSetting, replies: {} });
    running.push(unapplied);
    unapplied.faults.set('PUT /mcb/setting', 'ignored');
    expect(await goldshell.act?.(unapplied, { action: 'sleep', params: {} }, context)).toEqual({
      status: 'failed',
      message: 'Goldshell took the setting, but reads back power plan 0, not 2',
    });
    unapplied.faults.set('PUT /mcb/newpool', 'ignored');
    expect(await goldshell.act?.(unapplied, { action: 'switch-pool', params: newPool }, context)).toEqual({
      status: 'failed',
      message:
        'Goldshell took the new pool, but does not list stratum+tcp://pool.example:3333: its pools are left as they were',
    });
    expect(unapplied.pools()).toEqual(capturedPools);
  });
});

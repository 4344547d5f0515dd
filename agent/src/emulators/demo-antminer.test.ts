// Starts a demo Antminer (its cgminer API and its web interface on real ports) and
// drives it as the farm agent does, with the agent's own Antminer driver, and as a
// careless client would: without a login, with the wrong one, with garbage.
import DigestClient from 'digest-fetch';
import { afterEach, describe, expect, it } from 'vitest';
import { antminer } from '../drivers/antminer.ts';
import type { ReadContext } from '../drivers/driver.ts';
import { DEFAULT_RPC_LIMITS } from '../protocol/rpc-error.ts';
import { startDemoAntminer, type DemoAntminer, type LiveFigures } from './demo-antminer.ts';
import { DemoRig } from './demo-rig.ts';
import { digestFields } from './digest-auth.ts';

const LIVE: LiveFigures = {
  model: 'Antminer S19j Pro (demo)',
  serial: 'DEMO0001',
  hashrate: 20_000,
  accepted: 12,
  rejected: 0,
  stale: 1,
  poolUrl: 'stratum+tcp://127.0.0.1:3333',
  poolUser: 'demo.asic-1',
  connected: true,
  chipTempC: 64,
};

const running: { rig: DemoRig; miner: DemoAntminer }[] = [];

afterEach(async () => {
  for (const { rig, miner } of running.splice(0)) {
    rig.dispose();
    await miner.close();
  }
});

/** The rigs' clock, so that uptime is exact. */
const clock = { ms: Date.now() };

async function demoMiner(
  rebootMs = 300,
): Promise<{ rig: DemoRig; miner: DemoAntminer; context: ReadContext }> {
  const rig = new DemoRig({ hashingW: 30, standbyW: 3, rebootMs, now: () => clock.ms });
  const miner = await startDemoAntminer(rig, () => LIVE, {
    host: '127.0.0.1',
    pools: [{ url: LIVE.poolUrl, user: LIVE.poolUser, pass: 'd=0.001' }],
    macaddr: '02:00:00:00:00:01',
  });
  running.push({ rig, miner });
  return {
    rig,
    miner,
    context: { now: () => new Date(), limits: DEFAULT_RPC_LIMITS, webPort: miner.webPort },
  };
}

const device = (miner: DemoAntminer) => ({ host: miner.host, port: miner.rpcPort });

/** A command as the agent carries it out: through its Antminer driver. */
function act(miner: DemoAntminer, action: 'sleep' | 'resume' | 'reboot', context: ReadContext) {
  if (!antminer.act) {
    throw new Error('the Antminer driver carries out no commands');
  }
  return antminer.act(device(miner), { action, params: {} }, context);
}
const cgi = (miner: DemoAntminer, name: string) =>
  `http://${miner.host}:${String(miner.webPort)}/cgi-bin/${name}`;

/** A request as root/root, the firmware's default login. */
const authorisedFetch = (url: string, init?: RequestInit): Promise<Response> =>
  // digest-fetch's typings name node-fetch's Response too; on Node 20 it uses the global fetch.
  new DigestClient('root', 'root', { algorithm: 'MD5' }).fetch(url, init) as Promise<Response>;

/** What set_miner_conf.cgi answers to `body` (a string is sent as it is). */
async function postConf(miner: DemoAntminer, body: unknown): Promise<unknown> {
  const response = await authorisedFetch(cgi(miner, 'set_miner_conf.cgi'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return response.json();
}

/**
 * Polls until `probe` holds; the emulator's reboot runs on its own timer. The minute is
 * for a busy machine: the wait ends when the probe holds.
 */
async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await probe())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a demo Antminer web interface', () => {
  it('asks for a Digest login as stock firmware does, and refuses a wrong one', async () => {
    const { miner, context } = await demoMiner();
    const anonymous = await fetch(cgi(miner, 'get_miner_conf.cgi'));
    expect(anonymous.status).toBe(401);
    const challenge = digestFields(anonymous.headers.get('www-authenticate') ?? '');
    expect(challenge).toMatchObject({ realm: 'antMiner Configuration', qop: 'auth' });
    expect(challenge?.nonce).toMatch(/^[0-9a-f]{32}$/);
    const wrong = await act(miner, 'sleep', {
      ...context,
      credentials: { stock: [{ username: 'root', password: 'admin' }] },
    });
    expect(wrong).toEqual({ status: 'failed', message: 'the miner refused the login root' });
  });

  it('sleeps on miner-mode 1: no hashrate on its RPC, and the agent reads it as sleeping; wakes on 0', async () => {
    const { rig, miner, context } = await demoMiner();
    expect((await antminer.read(device(miner), context)).state).toBe('mining');
    const slept = await act(miner, 'sleep', context);
    expect(slept).toEqual({
      status: 'done',
      message: 'set_miner_conf.cgi: {"stats":"success","code":"M000","msg":"OK!"}',
    });
    expect(rig.mode).toBe('sleep');
    expect(rig.drawW()).toBe(3);
    const asleep = await antminer.read(device(miner), context);
    expect(asleep).toMatchObject({ state: 'sleeping', hashrate: 0, messages: [] });
    expect(asleep.collection.sources).toContain('web:get_miner_conf.cgi');
    expect(asleep.pools[0]?.alive).toBe(false);

    await act(miner, 'resume', context);
    expect(rig.mode).toBe('normal');
    expect(await antminer.read(device(miner), context)).toMatchObject({ state: 'mining', hashrate: 20_000 });
  });

  it('takes low-power mode (3) at half the work, and keeps the pools and mode it was given', async () => {
    const { rig, miner } = await demoMiner();
    const set = await postConf(miner, {
      'miner-mode': 3,
      pools: [{ url: 'stratum+tcp://b:1', user: 'u', pass: 'x' }],
    });
    expect(set).toEqual({ stats: 'success', code: 'M000', msg: 'OK!' });
    expect(rig.mode).toBe('low-power');
    expect(rig.speed()).toBe(0.5);
    expect(rig.drawW()).toBe(16.5);
    const conf = (await (await authorisedFetch(cgi(miner, 'get_miner_conf.cgi'))).json()) as Record<
      string,
      unknown
    >;
    expect(conf).toMatchObject({
      'bitmain-work-mode': '3',
      pools: [{ url: 'stratum+tcp://b:1', user: 'u' }],
    });
  });

  it('answers garbage, a bad mode and bad pools with the firmware error M001, changing nothing', async () => {
    const { rig, miner } = await demoMiner();
    expect(await postConf(miner, 'miner-mode=1')).toEqual({
      stats: 'error',
      code: 'M001',
      msg: 'Invalid config: the body is not JSON',
    });
    expect(await postConf(miner, [1, 2])).toMatchObject({
      code: 'M001',
      msg: 'Invalid config: the body is not a JSON object',
    });
    expect(await postConf(miner, { 'miner-mode': '7' })).toMatchObject({
      code: 'M001',
      msg: 'Invalid miner-mode "7": 0 normal, 1 sleep, 3 low power',
    });
    expect(await postConf(miner, { 'miner-mode': '1', pools: 'pool' })).toMatchObject({
      code: 'M001',
      msg: 'Invalid pool!',
    });
    expect(rig.mode).toBe('normal');
  });

  it('has the driver report a configuration the firmware refused as failed, with its code', async () => {
    const { miner, context } = await demoMiner();
    if (!antminer.act) {
      throw new Error('the Antminer driver carries out no commands');
    }
    // A pool switch that names no pool: the firmware answers HTTP 200 with its M001 error.
    const outcome = await antminer.act(device(miner), { action: 'switch-pool', params: {} }, context);
    expect(outcome).toEqual({ status: 'failed', message: 'set_miner_conf.cgi: M001 Invalid pool!' });
  });

  it('reboots on reboot.cgi: off the network for a while, then back with its uptime reset', async () => {
    const { rig, miner, context } = await demoMiner(500);
    clock.ms += 3_600_000;
    expect((await antminer.read(device(miner), context)).uptimeSeconds).toBe(3_600);
    const rebooted = await act(miner, 'reboot', context);
    expect(rebooted).toEqual({ status: 'done', message: 'reboot.cgi: HTTP 200' });
    await until(() => Promise.resolve(rig.rebooting), 'the reboot to begin');
    await expect(antminer.read(device(miner), context)).rejects.toThrow();
    await expect(fetch(cgi(miner, 'get_miner_conf.cgi'))).rejects.toThrow('fetch failed');
    expect(rig.drawW()).toBe(3);
    await until(() => Promise.resolve(!rig.rebooting), 'the rig to come back');
    await until(
      () =>
        antminer.read(device(miner), context).then(
          () => true,
          () => false,
        ),
      'its RPC to answer again',
    );
    const back = await antminer.read(device(miner), context);
    expect(back).toMatchObject({ state: 'mining' });
    expect(back.uptimeSeconds).toBe(0);
  });

  it('fails commands on purpose: HTTP 500 from the web interface, or nothing listening', async () => {
    const { rig, miner, context } = await demoMiner();
    rig.setWebFault('http-500');
    expect(await act(miner, 'sleep', context)).toEqual({
      status: 'failed',
      message: 'get_miner_conf.cgi: HTTP 500',
    });
    rig.setWebFault('refuse');
    await until(
      () =>
        fetch(cgi(miner, 'get_miner_conf.cgi')).then(
          () => false,
          () => true,
        ),
      'the web interface to refuse connections',
    );
    const refused = await act(miner, 'sleep', context);
    expect(refused).toEqual({
      status: 'failed',
      message: `http://127.0.0.1:${String(miner.webPort)}/cgi-bin: fetch failed`,
    });
    expect(rig.mode).toBe('normal');
    rig.setWebFault('none');
    await until(
      () => act(miner, 'sleep', context).then((outcome) => outcome.status === 'done'),
      'the web interface to take commands again',
    );
    expect(rig.mode).toBe('sleep');
  });
});

// The state each firmware says its miner is in, read over its real protocol from
// emulators answering with captured replies: a miner put to sleep, powered off, paused
// or curtailed is sleeping, with the field and value that say so, never an error and
// never mining; the figures its API still shows while asleep are not counted.
import { afterEach, describe, expect, it } from 'vitest';
import { antminer, workMode } from '../../src/drivers/antminer.ts';
import { avalon } from '../../src/drivers/avalon.ts';
import { minerStatus } from '../../src/drivers/braiins-rest.ts';
import { curtailed } from '../../src/drivers/luxos.ts';
import { whatsminer } from '../../src/drivers/whatsminer.ts';
import { whatsminerV3 } from '../../src/drivers/whatsminer-v3.ts';
import { startFramedEmulator } from '../../src/emulators/framed-emulator.ts';
import { startHttpEmulator, type RunningHttpEmulator } from '../../src/emulators/http-emulator.ts';
import { context, emulate } from '../emulate.ts';
import { fixture } from '../fixtures.ts';

/** A hashing Whatsminer's captured summary, devs and pools, with `status` from the capture named. */
const readWhatsminer = async (status: string) =>
  whatsminer.read(
    await emulate({
      summary: 'whatsminer__btminer_api_v1_rpc4028__summary',
      devs: 'whatsminer__btminer_api_v1_rpc4028__devs',
      pools: 'whatsminer__btminer_api_v1_rpc4028__pools',
      status,
    }),
    context,
  );

describe('Whatsminer: its `status` command', () => {
  it('powered off (btmineroff "true"): sleeping, no hashrate, its stale power not counted', async () => {
    const sample = await readWhatsminer('whatsminer__btminer_api1.3__rpc4028_status');
    expect(sample).toMatchObject({
      state: 'sleeping',
      stateEvidence: 'rpc:status btmineroff=true',
      hashrate: 0,
      messages: [],
    });
    expect(sample.powerW).toBeUndefined();
    expect(sample.powerSource).toBeUndefined();
    // The other lines: the commands this firmware does not know.
    expect(sample.collection.warnings.slice(-2)).toEqual([
      'rpc:summary: its power (3427 W) is not counted: rpc:status btmineroff=true',
      'the miner is asleep (rpc:status btmineroff=true): the hashrate its API still shows (67394800970000 H/s) is not counted',
    ]);
    expect(sample.collection.sources).toContain('rpc:status');
  });

  it('on (mineroff "false", API 2.0.5) and hashing: mining, with its power', async () => {
    const sample = await readWhatsminer('whatsminer__btminer_api_v2_rpc4028__status');
    expect(sample).toMatchObject({
      state: 'mining',
      stateEvidence: 'rpc:status mineroff=false',
      powerW: 3427,
    });
    expect(sample.hashrate).toBeCloseTo(67394800.97e6, -3);
  });

  it('firmware without `status`: the state from the hashrate, and says so', async () => {
    const sample = await whatsminer.read(
      await emulate({ summary: 'whatsminer__btminer_api_v1_rpc4028__summary' }),
      context,
    );
    expect(sample).toMatchObject({
      state: 'mining',
      stateEvidence: 'no state read: hashrate > 0',
      stateReason: { code: 'hashing' },
    });
  });
});

describe('Whatsminer API v3: get.device.info miner.working', () => {
  it('"false" (the miner service stopped): sleeping, its summary hashrate not counted', async () => {
    const v3 = (suffix: string) => fixture(`whatsminer__btminer_api_v3_tcp4433__${suffix}`).response;
    const info = v3('get_device_info') as { msg: { miner: Record<string, unknown> } };
    const stopped = { ...info, msg: { ...info.msg, miner: { ...info.msg.miner, working: 'false' } } };
    const emulator = await startFramedEmulator((request) =>
      request.cmd === 'get.device.info' ? stopped : v3(`get_miner_status_${String(request.param)}`),
    );
    try {
      expect(await whatsminerV3.read(emulator, context)).toMatchObject({
        state: 'sleeping',
        stateEvidence: 'v3:get.device.info miner.working=false',
        hashrate: 0,
      });
    } finally {
      await emulator.close();
    }
  });
});

describe('stock Antminer: the work mode of its web configuration', () => {
  const running: RunningHttpEmulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((web) => web.close()));
  });

  /** An S19 Pro's RPC (captured) with its web interface answering `conf`. */
  async function s19(conf: Record<string, unknown>) {
    const web = await startHttpEmulator((request) =>
      request.url === '/cgi-bin/get_miner_conf.cgi' ? { body: JSON.stringify(conf) } : undefined,
    );
    running.push(web);
    const rpc = await emulate({
      version: 'antminer__stock_cgminer1.0.0_s19pro_2020__rpc4028_version',
      stats: 'antminer__stock_cgminer1.0.0_s19pro_2020__rpc4028_stats',
      pools: 'antminer__stock_cgminer1.0.0_s19pro_2020__rpc4028_pools',
    });
    return antminer.read(rpc, { ...context, webPort: web.port });
  }
  const captured = fixture('antminer__stock_web__get_miner_conf_cgi').response as Record<string, unknown>;

  it('slept (bitmain-work-mode 1), its RPC showing no work: sleeping, not "not hashing"', async () => {
    const sample = await s19({ ...captured, 'bitmain-work-mode': '1' });
    expect(sample).toMatchObject({
      state: 'sleeping',
      stateEvidence: 'web:get_miner_conf.cgi bitmain-work-mode=1',
      hashrate: 0,
      messages: [],
    });
    expect(sample.collection.sources).toContain('web:get_miner_conf.cgi');
  });

  it('reads the mode as a number too (newer firmware), or from miner-mode', async () => {
    expect((await s19({ ...captured, 'bitmain-work-mode': 1 })).state).toBe('sleeping');
    expect(workMode({ 'miner-mode': 1 })).toEqual({ field: 'miner-mode', value: '1' });
    expect(workMode({ 'bitmain-work-mode': '' })).toBeUndefined();
  });

  it('normal mode and not hashing: an error, with the mode it read and why', async () => {
    const sample = await s19({ ...captured });
    expect(sample).toMatchObject({
      state: 'error',
      stateEvidence: 'web:get_miner_conf.cgi bitmain-work-mode=0; hashrate 0',
    });
  });
});

describe('Avalon: its module state string', () => {
  it('soft-off ("Work: In Idle", SoftOFF[4]): sleeping, never an error', async () => {
    const sample = await avalon.read(
      await emulate({
        version: 'avalon__cgminer_rpc4028__version',
        stats: 'avalon__cgminer_rpc4028__stats',
        summary: 'avalon__cgminer_rpc4028__summary',
      }),
      context,
    );
    expect(sample).toMatchObject({
      state: 'sleeping',
      stateEvidence: 'rpc:stats SYSTEMSTATU Work: In Idle, SoftOFF=4',
      hashrate: 0,
    });
  });
});

describe('the state fields of Braiins OS and LuxOS', () => {
  it('Braiins OS miner/details status: paused and not started sleep, suspended is a fault', () => {
    expect(minerStatus(3)).toEqual({
      state: 'sleeping',
      stateEvidence: 'http:/api/v1/miner/details status=3 (PAUSED)',
    });
    expect(minerStatus('MINER_STATUS_NOT_STARTED')).toMatchObject({ state: 'sleeping' });
    expect(minerStatus(4)).toMatchObject({ state: 'error' });
    // The captured S21 Pro on 26.04 hashes with status 2: the hashrate decides.
    const details = fixture('braiins__bos_v26_04_rest_api__miner_details').response as { status: number };
    expect(minerStatus(details.status)).toEqual({
      stateEvidence: 'http:/api/v1/miner/details status=2 (NORMAL)',
    });
  });

  it('LuxOS config: CurtailMode other than None, or the PSU off, is sleeping', () => {
    const config = fixture('luxor__luxos_rpc4028__config').response as { CONFIG: Record<string, unknown>[] };
    const captured = config.CONFIG[0] ?? {};
    expect(curtailed(captured)).toEqual({ stateEvidence: 'rpc:config CurtailMode=None' });
    expect(curtailed({ ...captured, CurtailMode: 'Sleep' })).toEqual({
      state: 'sleeping',
      stateEvidence: 'rpc:config CurtailMode=Sleep',
    });
    expect(curtailed({ ...captured, IsPowerSupplyOn: false })).toMatchObject({ state: 'sleeping' });
  });
});

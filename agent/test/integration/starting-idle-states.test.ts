// Starting and idle, as each firmware says them, read over its real protocol from
// emulators (cgminer RPC on TCP, the HTTP APIs) answering with captured replies, each
// with the one field that says so set: a miner starting or idle is never mining and never
// counted, and where its firmware says nothing the evidence says what it was inferred from.
import { afterEach, describe, expect, it } from 'vitest';
import { antminer } from '../../src/drivers/antminer.ts';
import { auradine } from '../../src/drivers/auradine.ts';
import { avalon } from '../../src/drivers/avalon.ts';
import { axeos } from '../../src/drivers/axeos.ts';
import { braiinsRest } from '../../src/drivers/braiins-rest.ts';
import { luxos } from '../../src/drivers/luxos.ts';
import { whatsminer } from '../../src/drivers/whatsminer.ts';
import { startCgminerEmulator, type RunningEmulator } from '../../src/emulators/cgminer-emulator.ts';
import { startHttpEmulator, type RunningHttpEmulator } from '../../src/emulators/http-emulator.ts';
import { context } from '../emulate.ts';
import { fixture } from '../fixtures.ts';

type Json = Record<string, unknown>;
const captured = (name: string): Json => structuredClone(fixture(name).response) as Json;
/** The first entry of a captured section, to set a field on. */
const entry = (reply: Json, section: string): Json => (reply[section] as Json[])[0] ?? {};

const servers: (RunningEmulator | RunningHttpEmulator)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A cgminer RPC emulator answering each command with the reply given. */
async function rpc(replies: Readonly<Record<string, Json>>): Promise<{ host: string; port: number }> {
  const emulator = await startCgminerEmulator((request) => {
    const reply = replies[request.command];
    return reply === undefined ? undefined : JSON.stringify(reply);
  });
  servers.push(emulator);
  return emulator;
}

async function http(byPath: (path: string) => Json | undefined): Promise<RunningHttpEmulator> {
  const emulator = await startHttpEmulator((request) => {
    const body = byPath(request.url ?? '');
    return body === undefined ? undefined : { body: JSON.stringify(body) };
  });
  servers.push(emulator);
  return emulator;
}

describe('Avalon: SYSTEMSTATU work state of every module', () => {
  const stats = (work: string): Json => {
    const reply = captured('avalon__cgminer_rpc4028__avalon_a_stats');
    const block = entry(reply, 'STATS');
    block['MM ID0'] = String(block['MM ID0']).replace('Work: In Work', `Work: ${work}`);
    return reply;
  };
  const read = async (work: string) =>
    avalon.read(
      await rpc({ version: captured('avalon__cgminer_rpc4028__version'), stats: stats(work) }),
      context,
    );

  it('"In Init": starting, its hashrate not counted', async () => {
    const sample = await read('In Init');
    expect(sample).toMatchObject({ state: 'starting', hashrate: 0 });
    expect(sample.stateEvidence).toBe('rpc:stats SYSTEMSTATU Work: In Init, SoftOFF=0');
    expect(sample.collection.warnings.at(-1)).toMatch(/^the miner is starting \(rpc:stats .*is not counted$/);
  });

  it('"In Fault": an error; "In Work": mining, with the state it read', async () => {
    expect(await read('In Fault')).toMatchObject({ state: 'error' });
    const working = await read('In Work');
    expect(working).toMatchObject({
      state: 'mining',
      stateEvidence: 'rpc:stats SYSTEMSTATU Work: In Work, SoftOFF=0',
    });
    expect(working.hashrate).toBeCloseTo(81072.68e9, -3);
  });
});

describe('Braiins OS REST: the tuner after a start', () => {
  /** BOS 25.11 as captured, with the tuner state and the 5-second hashrate given. */
  async function bos(tuner: number, ghs: number) {
    const emulator = await http((url) => {
      const path = url.replace(/^\/api\/v1\//, '').replace(/\/$/, '');
      if (path === 'auth/login') {
        return { token: 'token', timeout_s: 3600 };
      }
      const reply = captured(`braiins__bos_v25_11_rest_api__${path.replaceAll('/', '_').replace('-', '_')}`);
      if (path === 'performance/tuner-state') {
        reply.overall_tuner_state = tuner;
      }
      if (path === 'miner/stats') {
        ((reply.miner_stats as Json).real_hashrate as Json).last_5s = { gigahash_per_second: ghs };
      }
      return reply;
    });
    return braiinsRest.read(emulator, context);
  }

  it('TUNING without hashrate yet: starting, the status and tuner as evidence', async () => {
    expect(await bos(3, 0)).toMatchObject({
      state: 'starting',
      stateEvidence:
        'http:/api/v1/miner/details status=2 (NORMAL), http:/api/v1/performance/tuner-state overall_tuner_state=3 (TUNING)',
    });
    expect((await bos(6, 0)).state).toBe('starting');
  });

  it('TUNING while it hashes: mining', async () => {
    const sample = await bos(3, 119_000);
    expect(sample.state).toBe('mining');
    expect(sample.hashrate).toBe(119_000e9);
  });
});

describe('LuxOS: curtailed to idle', () => {
  it('CurtailMode "Idle": idle, not asleep and not mining', async () => {
    const config = captured('luxor__luxos_rpc4028__config');
    entry(config, 'CONFIG').CurtailMode = 'Idle';
    const sample = await luxos.read(
      await rpc({
        version: captured('luxor__luxos_rpc4028__version'),
        summary: captured('luxor__luxos_rpc4028__summary'),
        config,
      }),
      context,
    );
    expect(sample).toMatchObject({
      state: 'idle',
      stateEvidence: 'rpc:config CurtailMode=Idle',
      hashrate: 0,
    });
  });
});

describe('AxeOS: its own word, else its uptime', () => {
  const info = (fields: Json) => ({ ...captured('bitaxe__axeos_http__system_info'), ...fields });
  const read = async (fields: Json) =>
    axeos.read(await http((url) => (url === '/api/system/info' ? info(fields) : undefined)), context);

  it('no hashrate yet 4 s after boot (the captured uptime): starting', async () => {
    expect(await read({ hashRate: 0 })).toMatchObject({
      state: 'starting',
      stateEvidence: 'no state read: up 4 s, hashrate 0 yet',
      // The same as a code and figures, for the dashboard to say in Persian or Russian.
      stateReason: { code: 'starting', uptimeSeconds: 4, hashrate: 'zero' },
      hashrate: 0,
    });
  });

  it('miningPaused: sleeping; overheat_mode 1: an error saying why', async () => {
    expect(await read({ miningPaused: true })).toMatchObject({
      state: 'sleeping',
      stateEvidence: 'http:/api/system/info miningPaused=true',
      stateReason: { code: 'reported', quote: 'http:/api/system/info miningPaused=true' },
      hashrate: 0,
    });
    const hot = await read({ overheat_mode: 1, hashRate: 0, uptimeSeconds: 7200 });
    expect(hot).toMatchObject({ state: 'error', stateEvidence: 'http:/api/system/info overheat_mode=1' });
    expect(hot.messages[0]?.message).toMatch(/overheat/);
  });
});

describe('Auradine: its mode', () => {
  it('Sleep "on": sleeping, its hashrate not counted; "off" as captured: mining', async () => {
    const read = async (sleep: string) => {
      const mode = captured('auradine__fluxos_gcminer_rpc4028__mode');
      entry(mode, 'Mode').Sleep = sleep;
      return auradine.read(
        await rpc({ summary: captured('auradine__fluxos_gcminer_rpc4028__summary'), mode }),
        context,
      );
    };
    expect(await read('on')).toMatchObject({
      state: 'sleeping',
      stateEvidence: 'rpc:mode Sleep=on',
      hashrate: 0,
    });
    expect(await read('off')).toMatchObject({ state: 'mining', stateEvidence: 'rpc:mode Sleep=off' });
  });
});

describe('cgminer firmware that says nothing of its state', () => {
  /** A Whatsminer's captured summary, pools and `status` (mineroff "false"), the summary as given. */
  async function whatsminerWith(
    summary: Json,
    pools = captured('whatsminer__btminer_api_v1_rpc4028__pools'),
  ) {
    const reply = captured('whatsminer__btminer_api_v1_rpc4028__summary');
    Object.assign(entry(reply, 'SUMMARY'), summary);
    return whatsminer.read(
      await rpc({ summary: reply, pools, status: captured('whatsminer__btminer_api_v2_rpc4028__status') }),
      context,
    );
  }

  it('Whatsminer powered on 95 s ago, not hashing yet: starting, with the status it read', async () => {
    const sample = await whatsminerWith({ Elapsed: 95, 'HS RT': 0, 'MHS 5s': 0 });
    expect(sample).toMatchObject({
      state: 'starting',
      stateEvidence: 'rpc:status mineroff=false; up 95 s, hashrate 0 yet',
      messages: [],
    });
  });

  it('up for hours with every pool dead and no hashrate: idle, not an error', async () => {
    const pools = captured('whatsminer__btminer_api_v1_rpc4028__pools');
    for (const pool of pools.POOLS as Json[]) {
      pool.Status = 'Dead';
    }
    const sample = await whatsminerWith({ 'HS RT': 0, 'MHS 5s': 0 }, pools);
    expect(sample.state).toBe('idle');
    expect(sample.stateEvidence).toMatch(
      /^rpc:status mineroff=false; hashrate 0, none of its \d+ pools alive$/,
    );
    // The firmware's words kept verbatim beside the inference's code and figures.
    expect(sample.stateReason).toEqual({
      code: 'pools-dead',
      quote: 'rpc:status mineroff=false',
      hashrate: 'zero',
      pools: (pools.POOLS as Json[]).length,
    });
  });

  it('stock Antminer just booted (normal work mode, Elapsed 120): starting', async () => {
    const summary = captured('antminer__stock_bmminer_rpc4028__summary');
    Object.assign(entry(summary, 'SUMMARY'), { Elapsed: 120, 'GHS 5s': 0, 'GHS av': 0, 'GHS 30m': 0 });
    const web = await http((url) =>
      url === '/cgi-bin/get_miner_conf.cgi' ? captured('antminer__stock_web__get_miner_conf_cgi') : undefined,
    );
    const sample = await antminer.read(
      await rpc({
        version: captured('antminer__stock_bmminer_rpc4028__version'),
        summary,
        pools: captured('antminer__stock_bmminer_rpc4028__pools'),
      }),
      { ...context, webPort: web.port },
    );
    expect(sample).toMatchObject({
      state: 'starting',
      stateEvidence: 'web:get_miner_conf.cgi bitmain-work-mode=0; up 120 s, hashrate 0 yet',
    });
  });
});

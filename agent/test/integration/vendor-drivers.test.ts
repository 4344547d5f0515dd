// Innosilicon, ePIC and Elphapex, each over its real protocol (cgminer API on TCP, the
// web API with its own login), answering with public captures; Goldshell's and VNish's
// web APIs have test files of their own (goldshell-web, vnish-web).
import { afterEach, describe, expect, it } from 'vitest';
import { probeHost, type ProbePorts } from '../../src/discovery/identify.ts';
import { elphapex } from '../../src/drivers/elphapex.ts';
import { epic } from '../../src/drivers/epic.ts';
import { innosilicon } from '../../src/drivers/innosilicon.ts';
import { startHttpEmulator } from '../../src/emulators/http-emulator.ts';
import {
  startVendorWeb,
  type RunningVendorWeb,
  type VendorWeb,
} from '../../src/emulators/vendor-web-emulator.ts';
import { context, emulate } from '../emulate.ts';
import { fixture } from '../fixtures.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function web(
  vendor: VendorWeb,
  replies: Record<string, string>,
  options: { readonly host?: string; readonly port?: number } = {},
): Promise<RunningVendorWeb> {
  const emulator = await startVendorWeb(vendor, {
    ...options,
    replies: Object.fromEntries(Object.entries(replies).map(([path, name]) => [path, fixture(name).raw])),
  });
  closers.push(() => emulator.close());
  return emulator;
}

describe('Innosilicon', () => {
  it('reads an A9 over the cgminer API: Sol/s of Equihash, model and version from innominer, a board a chain', async () => {
    const sample = await innosilicon.read(
      await emulate({
        summary: 'innosilicon__innominer_a9_1.1.0__rpc4028_summary',
        stats: 'innosilicon__innominer_a9_1.1.0__rpc4028_stats',
      }),
      context,
    );
    expect(sample.identity).toMatchObject({
      make: 'Innosilicon',
      model: 'A9',
      firmwareVersion: '1.1.0',
      algorithm: 'equihash',
    });
    expect(sample.rawHashrate).toEqual({ value: 51451.63, unit: 'Sol/s', field: 'MHS 5s' });
    expect(sample.hashrate).toBeCloseTo(51451.63, 2);
    expect(sample.boards).toHaveLength(3);
    expect(sample.boards[0]).toEqual({
      slot: 0,
      chips: 12,
      chipTempC: 71,
      boardTempC: 62,
      frequencyMhz: 358,
    });
    expect(sample.fans).toEqual([{ id: 0, percent: 35 }]);
    expect(sample.state).toBe('mining');
  });

  it('reboots and switches pool through its web API with a JWT, and says why a bad login fails', async () => {
    const api = await web('innosilicon', { '/api/overview': 'innosilicon__stock__http_api_overview' });
    const device = { host: api.host, port: 4028 };
    const at = { ...context, webPort: api.port };
    expect(await innosilicon.act?.(device, { action: 'reboot', params: {} }, at)).toEqual({
      status: 'done',
      message: 'POST /api/reboot: success',
    });
    const pool = { poolUrl: 'stratum+tcp://pool.example:3333', poolUser: 'farm.a9' };
    expect((await innosilicon.act?.(device, { action: 'switch-pool', params: pool }, at))?.status).toBe(
      'done',
    );
    expect(JSON.parse(api.requests.at(-1)?.body ?? '{}')).toEqual({
      Pool1: pool.poolUrl,
      UserName1: pool.poolUser,
      Password1: 'x',
    });
    const refused = await innosilicon.act?.(
      device,
      { action: 'reboot', params: {} },
      { ...at, credentials: { innosilicon: [{ username: 'admin', password: 'wrong' }] } },
    );
    expect(refused).toEqual({
      status: 'failed',
      message: 'POST /api/reboot: login as admin refused: Invalid username or password',
    });
    expect(await innosilicon.act?.(device, { action: 'sleep', params: {} }, at)).toMatchObject({
      status: 'unsupported',
    });
  });
});

describe('ePIC (PowerPlay, HTTP on 4028)', () => {
  const replies = {
    '/summary': 'epic__powerplay_umcos_http4028__summary',
    '/capabilities': 'epic__powerplay_umcos_http4028__capabilities',
  };

  it('reads an S19 XP under umcOS: boards, wall power, fans, pool, state', async () => {
    const sample = await epic.read(await web('epic', replies), context);
    expect(sample.identity).toMatchObject({
      make: 'Antminer',
      model: 'S19 XP',
      firmware: 'epic',
      firmwareVersion: 'PowerPlay-BMS v1.5.13',
      algorithm: 'sha256d',
      hostname: 'cminer32092035',
    });
    expect(sample.boards.map((board) => [board.slot, board.hashrate])).toEqual([
      [1, 49440724e6],
      [2, 49925124e6],
    ]);
    expect(sample.powerW).toBeCloseTo(2166.6174, 4);
    expect(sample.fans).toEqual([
      { id: 0, rpm: 5971 },
      { id: 1, rpm: 0 },
      { id: 2, rpm: 5942 },
      { id: 3, rpm: 5745 },
    ]);
    expect(sample.pools[0]).toMatchObject({ url: 'mine.ocean.xyz:3334', active: true, alive: true });
    expect(sample.state).toBe('mining');
    expect(sample.stateEvidence).toBe('http:/summary Operating State=Mining');
  });

  it('sleeps with its password, and a wrong one is refused with the reason', async () => {
    const api = await web('epic', replies);
    expect(await epic.act?.(api, { action: 'sleep', params: {} }, context)).toEqual({
      status: 'done',
      message: 'POST /miner: HTTP 200',
    });
    expect(JSON.parse(api.requests.at(-1)?.body ?? '{}')).toEqual({ param: 'Stop', password: 'letmein' });
    const refused = await epic.act?.(
      api,
      { action: 'resume', params: {} },
      { ...context, credentials: { epic: [{ username: 'root', password: 'wrong' }] } },
    );
    expect(refused).toEqual({ status: 'failed', message: 'POST /miner: HTTP 401 Unauthorized' });
    expect(
      await epic.act?.(api, { action: 'set-power-target', params: { powerTargetW: 3000 } }, context),
    ).toMatchObject({ status: 'unsupported' });
  });
});

describe('Elphapex (web CGI under digest)', () => {
  const replies = {
    '/cgi-bin/summary.cgi': 'elphapex__dg1plus_fw1.0.2_web_cgi__web_summary',
    '/cgi-bin/stats.cgi': 'elphapex__dg1plus_fw1.0.2_web_cgi__web_stats',
    '/cgi-bin/pools.cgi': 'elphapex__dg1plus_fw1.0.2_web_cgi__web_pools',
    '/cgi-bin/get_system_info.cgi': 'elphapex__dg1plus_fw1.0.2_web_cgi__web_get_system_info',
  };

  it('reads a DG1+: MH/s, boards from chain[], pools, model and MAC', async () => {
    const sample = await elphapex.read(await web('elphapex', replies), context);
    expect(sample.identity).toMatchObject({
      make: 'Elphapex',
      model: 'DG1+',
      firmwareVersion: 'DG1+_SW_V1.0.2',
      mac: '12:34:56:78:90:12',
      serial: '28HY245192N000245C23B',
    });
    expect(sample.rawHashrate).toEqual({ value: 14920.94, unit: 'MH/s', field: 'rate_5s' });
    expect(sample.expectedHashrate).toBe(14229e6);
    expect(sample.boards).toHaveLength(4);
    expect(sample.boards[0]).toMatchObject({ slot: 0, hashrate: 3553.5e6, chips: 204, chipTempC: 50.5 });
    expect(sample.pools.map((pool) => [pool.index, pool.alive, pool.active])).toEqual([
      [0, false, false],
      [1, true, true],
      [2, false, false],
    ]);
  });

  it('reboots through reboot.cgi, and refuses to guess its sleep', async () => {
    const api = await web('elphapex', replies);
    expect((await elphapex.act?.(api, { action: 'reboot', params: {} }, context))?.status).toBe('done');
    expect(api.requests.at(-1)?.path).toBe('/cgi-bin/reboot.cgi');
    expect(await elphapex.act?.(api, { action: 'sleep', params: {} }, context)).toMatchObject({
      status: 'unsupported',
      message: expect.stringContaining('Elphapex') as unknown,
    });
  });
});

describe('identification of the new families', () => {
  const ports: ProbePorts = { rpc: 24028, http: 24080, gpu: [] };

  it('finds ePIC behind the cgminer port, Elphapex by its realm, Goldshell by its page', async () => {
    await web(
      'epic',
      { '/summary': 'epic__powerplay_umcos_http4028__summary' },
      { host: '127.0.8.1', port: ports.rpc },
    );
    await web('elphapex', {}, { host: '127.0.8.2', port: ports.http });
    const page = await startHttpEmulator(
      () => ({ body: '<html><title>cloud-box</title></html>', headers: { 'content-type': 'text/html' } }),
      { host: '127.0.8.3', port: ports.http },
    );
    closers.push(() => page.close());
    const named = async (host: string): Promise<string | undefined> =>
      (await probeHost(host, ports, context.limits)).identified?.driver.name;
    expect(await named('127.0.8.1')).toBe('epic');
    expect(await named('127.0.8.2')).toBe('elphapex');
    expect(await named('127.0.8.3')).toBe('goldshell');
  });

  it('finds Innosilicon by the innominer banner its cgminer answers with', async () => {
    const address = await emulate({ summary: 'innosilicon__innominer_a9_1.1.0__rpc4028_summary' });
    const found = await probeHost(address.host, { rpc: address.port, http: 1, gpu: [] }, context.limits);
    expect(found.identified?.driver.name).toBe('innosilicon');
    expect(found.identified?.evidence).toBe(`rpc ${String(address.port)}: INNOMINER`);
  });
});

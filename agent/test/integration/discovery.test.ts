// Starts emulated miners on loopback addresses across a /22 (cgminer API, AxeOS and
// T-Rex over HTTP, and one device that accepts TCP and never answers), then scans it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identify, type ProbePorts } from '../../src/discovery/identify.ts';
import { hostsOf, scan, ScanRangeError } from '../../src/discovery/scan.ts';
import { startCgminerEmulator } from '../../src/emulators/cgminer-emulator.ts';
import { startFramedEmulator } from '../../src/emulators/framed-emulator.ts';
import { startHttpEmulator } from '../../src/emulators/http-emulator.ts';
import { DEFAULT_RPC_LIMITS } from '../../src/protocol/rpc-error.ts';
import { fixture, repliesFrom } from '../fixtures.ts';

const ports: ProbePorts = { rpc: 14028, http: 14080, whatsminerV3: 14433, gpu: [14067] };
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const rpc = async (host: string, byCommand: Record<string, string>, silent = false): Promise<void> => {
    const emulator = await startCgminerEmulator(repliesFrom(byCommand), { host, port: ports.rpc, silent });
    closers.push(() => emulator.close());
  };
  const http = async (host: string, port: number, byPath: Record<string, string>): Promise<void> => {
    const emulator = await startHttpEmulator(
      (request) => {
        const name = byPath[request.url ?? ''];
        return name === undefined ? undefined : { body: fixture(name).raw };
      },
      { host, port },
    );
    closers.push(() => emulator.close());
  };
  await rpc('127.0.4.10', { version: 'antminer__stock_bmminer_rpc4028__version' });
  await rpc('127.0.5.20', { version: 'luxor__luxos_rpc4028__version' });
  await rpc('127.0.6.30', { summary: 'whatsminer__btminer_2020__rpc4028_summary' });
  await rpc('127.0.6.31', { version: 'avalon__cgminer_rpc4028__version' });
  await rpc('127.0.7.40', {}, true);
  // Braiins OS answers on both: bosminer's 4028 and its REST web API, which carries more.
  await rpc('127.0.6.80', { summary: 'braiins__bosminer_plus_0.2.0_legacy__rpc4028_summary' });
  await http('127.0.4.50', ports.http, { '/api/system/info': 'bitaxe__axeos_http__system_info' });
  await http('127.0.6.60', 14067, { '/summary': 'trex__0.19.1__telnet_summary' });
  const v3 = await startFramedEmulator(
    (request) =>
      request.cmd === 'get.device.info'
        ? fixture('whatsminer__btminer_api_v3_tcp4433__get_device_info').response
        : undefined,
    { host: '127.0.6.90', port: 14433 },
  );
  closers.push(() => v3.close());
  // Braiins OS names itself on its web page (../shared/domain/miner-apis.md B0).
  const braiins = await startHttpEmulator(
    () => ({ body: '<html><title>Braiins OS</title></html>', headers: { 'content-type': 'text/html' } }),
    {
      host: '127.0.6.80',
      port: ports.http,
    },
  );
  closers.push(() => braiins.close());
  const realm = await startHttpEmulator(
    () => ({
      status: 401,
      body: '',
      headers: { 'www-authenticate': 'Digest realm="antMiner Configuration", nonce="1"' },
    }),
    { host: '127.0.5.70', port: ports.http },
  );
  closers.push(() => realm.close());
});

afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

describe('hostsOf', () => {
  it('lists the hosts of a /22 without network and broadcast, and single addresses as given', () => {
    const hosts = hostsOf(['127.0.4.0/22', '10.1.1.1']);
    expect(hosts).toHaveLength(1022 + 1);
    expect(hosts[0]).toBe('127.0.4.1');
    expect(hosts.at(-2)).toBe('127.0.7.254');
    expect(hosts.at(-1)).toBe('10.1.1.1');
  });

  it('names a bad range, and refuses one too wide to scan', () => {
    expect(() => hostsOf(['10.0.4.0/33'])).toThrow(ScanRangeError);
    expect(() => hostsOf(['farm-a'])).toThrow(/"farm-a" is not an IPv4 address or CIDR range/);
    expect(() => hostsOf(['10.0.0.0/8'])).toThrow(/wider than a \/16/);
  });
});

describe('identify', () => {
  it('names the firmware from the RPC banner, the web realm, AxeOS and a GPU miner', async () => {
    const named = async (host: string): Promise<string | undefined> =>
      (await identify(host, ports, DEFAULT_RPC_LIMITS))?.driver.name;
    expect(await named('127.0.4.10')).toBe('antminer');
    expect(await named('127.0.5.20')).toBe('luxos');
    expect(await named('127.0.6.30')).toBe('whatsminer');
    expect(await named('127.0.6.31')).toBe('avalon');
    expect(await named('127.0.4.50')).toBe('axeos');
    expect(await named('127.0.6.60')).toBe('trex');
    expect(await named('127.0.6.80')).toBe('braiins-rest');
    expect(await named('127.0.6.90')).toBe('whatsminer-v3');
    expect(await identify('127.0.5.70', ports, DEFAULT_RPC_LIMITS)).toMatchObject({
      address: { host: '127.0.5.70', port: ports.rpc },
      evidence: 'http: realm="antMiner"',
    });
    expect(await named('127.0.4.11')).toBeUndefined();
  });
});

describe('scan', () => {
  it('finds every miner in a /22, and the silent device costs one deadline, not the scan', async () => {
    const result = await scan(hostsOf(['127.0.4.0/22']), {
      ports,
      limits: DEFAULT_RPC_LIMITS,
      concurrency: 128,
      // Long enough for a miner to answer on a busy machine; the silent device uses it up once.
      hostTimeoutMs: 10_000,
    });
    expect(result.probed).toBe(1022);
    expect(result.found.map((found) => [found.address.host, found.driver.name])).toEqual([
      ['127.0.4.10', 'antminer'],
      ['127.0.4.50', 'axeos'],
      ['127.0.5.20', 'luxos'],
      ['127.0.5.70', 'antminer'],
      ['127.0.6.30', 'whatsminer'],
      ['127.0.6.31', 'avalon'],
      ['127.0.6.60', 'trex'],
      ['127.0.6.80', 'braiins-rest'],
      ['127.0.6.90', 'whatsminer-v3'],
    ]);
    expect(result.unidentified).toEqual([{ host: '127.0.7.40', openPorts: [ports.rpc] }]);
    expect(result.timedOut).toEqual([]);
  });
});

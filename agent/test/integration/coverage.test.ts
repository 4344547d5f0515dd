// Replies the drivers used to misread, each served over the real protocol from a
// public capture: lower-case cgminer sections, Whatsminer boards in `edevs`, every
// Avalon module and its power.
import { afterEach, describe, expect, it } from 'vitest';
import { antminer } from '../../src/drivers/antminer.ts';
import { avalon, modulePowerW } from '../../src/drivers/avalon.ts';
import { lolminer } from '../../src/drivers/gpu/lolminer.ts';
import { whatsminer } from '../../src/drivers/whatsminer.ts';
import { probeGpu } from '../../src/discovery/identify.ts';
import { startCgminerEmulator } from '../../src/emulators/cgminer-emulator.ts';
import { canonicalReply } from '../../src/protocol/cgminer-envelope.ts';
import { command } from '../../src/protocol/cgminer-rpc.ts';
import { parseDeviceJson } from '../../src/protocol/repair.ts';
import { context, emulate, emulateHttp } from '../emulate.ts';
import { fixture } from '../fixtures.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A captured reply with its section keys, and its STATUS entry's keys, written in lower case. */
function lowerCased(name: string): string {
  const reply = fixture(name).response as Record<string, unknown>;
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(reply).map(([key, value]) => [
        key.toLowerCase(),
        key === 'STATUS' && Array.isArray(value)
          ? value.map((entry: Record<string, unknown>) =>
              Object.fromEntries(Object.entries(entry).map(([k, v]) => [k.toLowerCase(), v])),
            )
          : value,
      ]),
    ),
  );
}

describe('cgminer replies in lower case or wrapped under the command', () => {
  it('reads a stock S19 whose summary and stats say `status`, `summary`, `stats`', async () => {
    const summary = lowerCased('antminer__stock_bmminer_rpc4028__summary');
    expect(summary).toContain('"summary":[');
    const emulator = await startCgminerEmulator((request) =>
      request.command === 'summary'
        ? summary
        : request.command === 'stats'
          ? lowerCased('antminer__stock_bmminer_rpc4028__stats')
          : request.command === 'version'
            ? lowerCased('antminer__stock_bmminer_rpc4028__version')
            : undefined,
    );
    closers.push(() => emulator.close());
    const sample = await antminer.read(emulator, context);
    expect(sample.rawHashrate).toEqual({ value: 110566.89, unit: 'GH/s', field: 'GHS 5s' });
    expect(sample.state).toBe('mining');
    expect(sample.boards.length).toBeGreaterThan(0);
  });

  it('still fails a command whose lower-case status is E', async () => {
    const emulator = await startCgminerEmulator(() =>
      JSON.stringify({ status: [{ status: 'E', code: 14, msg: 'Invalid command' }], id: 1 }),
    );
    closers.push(() => emulator.close());
    await expect(command(emulator, 'summary')).rejects.toThrow(/summary: Invalid command/);
  });

  it('unwraps the Avalon\'s `{"summary":[{…}]}` answer to one command', async () => {
    const raw = fixture('avalon__cgminer4.10.0__rpc4028_summary__invalid_json_nan').raw;
    const body = canonicalReply(parseDeviceJson(raw).value as Record<string, unknown>, 'summary');
    expect(Object.keys(body)).toEqual(['STATUS', 'SUMMARY', 'id']);
    const sample = await avalon.read(
      await emulate({ summary: 'avalon__cgminer4.10.0__rpc4028_summary__invalid_json_nan' }),
      context,
    );
    expect(sample.shares).toEqual({ accepted: 6, rejected: 0, stale: 0, hardwareErrors: 0 });
    expect(sample.uptimeSeconds).toBe(155);
  });

  it('leaves a Whatsminer flat envelope and its encrypted reply as they are', () => {
    const status = fixture('whatsminer__btminer_api_v2_rpc4028__status').response as Record<string, unknown>;
    expect(canonicalReply(status, 'status')).toEqual(status);
    expect(canonicalReply({ enc: 'ZmFrZQ==' }, 'summary')).toEqual({ enc: 'ZmFrZQ==' });
  });
});

describe('Whatsminer boards from edevs', () => {
  it('reads the three boards of a 2020 btminer that answers edevs and refuses devs', async () => {
    const address = await emulate({
      summary: 'whatsminer__btminer_2020__rpc4028_summary',
      edevs: 'whatsminer__btminer_2020__rpc4028_edevs',
      pools: 'whatsminer__btminer_2020__rpc4028_pools',
    });
    const sample = await whatsminer.read(address, context);
    expect(sample.boards.map((board) => board.slot)).toEqual([0, 1, 2]);
    expect(sample.boards[0]).toMatchObject({
      hashrate: 31120845.74e6,
      chips: 215,
      boardTempC: 79.5,
      chipTempC: 94.95,
      frequencyMhz: 414,
      serial: 'xxx',
    });
    expect(sample.collection.sources).toContain('rpc:edevs');
    expect(sample.collection.warnings.some((warning) => warning.startsWith('rpc:devs:'))).toBe(true);
  });

  it('reads the power limit a v2 firmware sets from status when the summary has none', async () => {
    const sample = await whatsminer.read(
      await emulate({
        summary: 'whatsminer__btminer_2020__rpc4028_summary',
        status: 'whatsminer__btminer_api_v2_rpc4028__status',
      }),
      context,
    );
    expect(sample.powerLimitW).toBe(3600);
    expect(sample.stateEvidence).toBe('rpc:status mineroff=false');
    expect(sample.state).toBe('mining');
  });
});

describe('Avalon: every module, and its power', () => {
  it('reads the ten modules of an Avalon 7 on two controllers', async () => {
    const sample = await avalon.read(
      await emulate({
        stats: 'avalon__cgminer4.10.0__rpc4028_stats',
        summary: 'avalon__cgminer4.10.0__rpc4028_summary',
      }),
      context,
    );
    expect(sample.boards).toHaveLength(10);
    expect(sample.boards[0]).toEqual({ slot: 0, expectedHashrate: 6836.48e9, chipTempC: 89 });
    expect(sample.boards[1]).toEqual({ slot: 1, expectedHashrate: 6801.85e9, chipTempC: 80 });
    expect(sample.fans).toHaveLength(10);
    expect(sample.fans[0]).toEqual({ id: 0, rpm: 2550, percent: 36 });
    // The modules' nominal rates add up; the real rate is the summary's.
    expect(sample.expectedHashrate).toBeGreaterThan(60_000e9);
    expect(sample.rawHashrate?.field).toMatch(/^MHS /);
  });

  it('reads the wall power from PS[] where the firmware writes no WALLPOWER (A1246)', async () => {
    const sample = await avalon.read(
      await emulate({ stats: 'avalon__cgminer_rpc4028__avalon_a_stats' }),
      context,
    );
    expect(sample.powerW).toBe(3504);
    expect(sample.boards.map((board) => board.hashrate)).toEqual([26907.01e9, 26025.06e9, 26724.56e9]);
    expect(sample.fans.map((fan) => fan.rpm)).toEqual([5344, 5392, 5349, 5309]);
  });

  it('reads the A1566 from estats when stats is refused', async () => {
    const sample = await avalon.read(
      await emulate({ estats: 'avalon__a1566_cgminer_4.11.1_rpc4028__rpc_estats' }),
      context,
    );
    expect(sample.powerW).toBe(3731);
    expect(sample.rawHashrate).toEqual({ value: 199241.07, unit: 'GH/s', field: 'GHSspd' });
  });

  it.each([
    // A1066, the estats example of Canaan's Avalon A10 API manual (quoted in
    // github.com/LayerTwo-Labs/sidesail sidechain-orchestrator/cgminer tests): six figures.
    ['PS[0 1217 1279 221 2834 1280]', 2834],
    // Avalon Q soft-off (fixture avalon__cgminer_rpc4028__litestats): seven, the last the wall.
    ['PS[0 1221 4 0 0 2245 146]', 146],
    // A1047 starting up (fixture avalon__cgminer4.10.0__rpc4028_summary__invalid_json_nan).
    ['PS[0 0 0 0 0 0]', undefined],
    // A1566 (fixture avalon__a1566_cgminer_4.11.1_rpc4028__rpc_estats).
    ['WALLPOWER[3731] PS[0 1209 1187 297 3526 1188 3731]', 3731],
  ])('%s is %s W', (text, watts) => {
    const pairs = Object.fromEntries(
      [...text.matchAll(/(\w+)\[([^\]]*)\]/g)].map((match) => [match[1] ?? '', match[2] ?? '']),
    );
    expect(modulePowerW(pairs)).toBe(watts);
  });
});

describe('GPU miners', () => {
  it('finds GMiner 1.18, whose /stat does not name it, by its shape', async () => {
    for (const name of [
      'gminer__1.18__http_stat__beam',
      'gminer__unknown__http_stat',
      'gminer__1.34__http_stat',
    ]) {
      const { port } = await emulateHttp({ '/stat': name });
      const found = await probeGpu('127.0.0.1', port, context.limits.totalTimeoutMs);
      expect(found?.driver.name, name).toBe('gminer');
    }
    // T-Rex's summary is no GMiner, whatever path it is served on.
    const { port } = await emulateHttp({ '/stat': 'trex__0.19.1__telnet_summary' });
    expect(await probeGpu('127.0.0.1', port, context.limits.totalTimeoutMs)).toBeUndefined();
  });

  it('leaves out the 0 W lolMiner 1.16a reports for cards it cannot read, and says so', async () => {
    const sample = await lolminer.read(
      await emulateHttp({ '/summary': 'lolminer__1.16a__http_summary__zelhash' }),
      context,
    );
    expect(sample.powerW).toBeUndefined();
    expect(sample.gpus?.every((gpu) => gpu.powerW === undefined)).toBe(true);
    expect(sample.collection.warnings).toContain('GPU 0 reports 0 W: its power is not read');
    expect(sample.collection.warnings).toContain('the rig reports 0 W in all: its power is not read');
    // The same miner with readable sensors keeps its figures.
    const etchash = await lolminer.read(
      await emulateHttp({ '/summary': 'lolminer__1.16a__http_summary__etchash' }),
      context,
    );
    expect(etchash.powerW).toBeCloseTo(659.451, 3);
  });
});

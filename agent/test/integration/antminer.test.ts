// Starts cgminer-API emulators on real TCP ports, answering with captured Antminer replies.
import { describe, expect, it } from 'vitest';
import { antminer } from '../../src/drivers/antminer.ts';
import { startCgminerEmulator } from '../../src/emulators/cgminer-emulator.ts';
import { context, emulate } from '../emulate.ts';
import { fixture } from '../fixtures.ts';

describe('antminer driver', () => {
  it('reads a stock S19 Pro (bmminer): every field its replies carry', async () => {
    const device = await emulate({
      version: 'antminer__stock_bmminer_rpc4028__version',
      summary: 'antminer__stock_bmminer_rpc4028__summary',
      stats: 'antminer__stock_bmminer_rpc4028__stats',
      pools: 'antminer__stock_bmminer_rpc4028__pools',
    });
    const sample = await antminer.read(device, context);
    expect(sample.device).toBe(`127.0.0.1:${String(device.port)}`);
    expect(sample.at).toBe('2026-11-25T12:00:00.000Z');
    expect(sample.identity).toEqual({
      make: 'Antminer',
      model: 'S19 Pro',
      firmware: 'stock',
      firmwareVersion: '49.0.1.3',
      algorithm: 'sha256d',
      // The S19 Pro's nameplate, from the model table.
      nominalHashrate: 110e12,
      nominalPowerW: 3250,
    });
    expect(sample.state).toBe('mining');
    // summary: "GHS 5s": 110566.89
    expect(sample.hashrate).toBeCloseTo(110566.89e9, -3);
    expect(sample.rawHashrate).toEqual({ value: 110566.89, unit: 'GH/s', field: 'GHS 5s' });
    // stats: total_rateideal 110000.0 GH
    expect(sample.expectedHashrate).toBe(110000e9);
    expect(sample.powerW).toBeUndefined();
    expect(sample.boards).toEqual([
      { slot: 0, hashrate: 37603.3e9, chips: 114, boardTempC: 73, chipTempC: 78, frequencyMhz: 525 },
      { slot: 1, hashrate: 35536.22e9, chips: 114, boardTempC: 66, chipTempC: 71, frequencyMhz: 525 },
      { slot: 2, hashrate: 37427.38e9, chips: 114, boardTempC: 64, chipTempC: 69, frequencyMhz: 525 },
    ]);
    expect(sample.fans).toEqual([
      { id: 0, rpm: 6000 },
      { id: 1, rpm: 5880 },
      { id: 2, rpm: 5040 },
      { id: 3, rpm: 5040 },
    ]);
    expect(sample.shares).toEqual({ accepted: 4057, rejected: 11, stale: 1, hardwareErrors: 562 });
    expect(sample.uptimeSeconds).toBe(50474);
    const pool = { url: 'stratum+tcp://btc.global.luxor.tech:700', user: 'satokierepair.H04YK', alive: true };
    expect(sample.pools).toEqual([
      { index: 0, ...pool, active: true, accepted: 4057, rejected: 11, stale: 1 },
      { index: 1, ...pool, active: false, accepted: 0, rejected: 0, stale: 0 },
      { index: 2, ...pool, active: false, accepted: 0, rejected: 0, stale: 0 },
    ]);
    expect(sample.collection.sources).toEqual(['rpc:version', 'rpc:summary', 'rpc:stats', 'rpc:pools']);
    expect(sample.collection.warnings).toEqual([]);
  });

  it('reads the other Antminer stats layouts: S9 chains 6–8 and fans from fan5 (Hiveon), L3+ `}{`, VNish', async () => {
    const hiveon = await antminer.read(
      await emulate({ stats: 'antminer__hiveon_s9__rpc4028_stats__invalid_json_missing_comma' }),
      context,
    );
    expect(hiveon.identity).toMatchObject({ make: 'Antminer', model: 'S9 Hiveon', firmware: 'hiveon' });
    expect(hiveon.boards.map((board) => board.slot)).toEqual([0, 1, 2]);
    expect(hiveon.fans).toEqual([
      { id: 0, rpm: 3840 },
      { id: 1, rpm: 4920 },
    ]);
    expect(hiveon.collection.warnings).toContain('rpc:stats: a missing comma between objects');
    expect(hiveon.collection.warnings.some((w) => w.startsWith('rpc:summary: '))).toBe(true);

    const l3 = await antminer.read(
      await emulate({
        stats: 'antminer__stock_cgminer4.9.0_l3plus__rpc4028_stats__invalid_json_missing_comma',
      }),
      context,
    );
    expect(l3.identity.algorithm).toBe('scrypt');
    // bmminer on the L3+ writes MH/s into its GHS fields (bitmaintech/bmminer#11): "GHS 5s":"504.56".
    expect(l3.hashrate).toBeCloseTo(504.56e6, -1);
    expect(l3.rawHashrate).toEqual({ value: 504.56, unit: 'MH/s', field: 'GHS 5s' });
    expect(l3.boards.map((board) => board.hashrate)).toEqual([126.12e6, 125.79e6, 126.06e6, 126.59e6]);

    const vnish = await antminer.read(
      await emulate({ stats: 'antminer__vnish3.8.6_s9__rpc4028_stats__invalid_json_missing_comma' }),
      context,
    );
    expect(vnish.identity.firmware).toBe('vnish');
    expect(vnish.boards).toHaveLength(3);
  });

  it('reads the S9k version despite the garbage after it', async () => {
    const sample = await antminer.read(
      await emulate({ version: 'antminer__stock_s9k__rpc4028_version__trailing_garbage' }),
      context,
    );
    expect(sample.identity).toMatchObject({ model: 'S9k', firmwareVersion: '13.10.1.3' });
    expect(sample.collection.warnings).toContain('rpc:version: garbage after the reply');
  });

  it('fails with the reason when the miner refuses every command', async () => {
    await expect(antminer.read(await emulate({}), context)).rejects.toThrow(/Invalid command version/);
  });

  it('asks for stats with new_api when plain stats holds no boards, and reads its chain[] layout', async () => {
    const emulator = await startCgminerEmulator((request) => {
      if (request.command === 'version') {
        return fixture('antminer__stock_bmminer_rpc4028__version').raw;
      }
      // The chain[] layout of new firmware, as the web UI family's stats.cgi shows it.
      return request.command === 'stats' && request.body.new_api === true
        ? fixture('elphapex__stock_web_cgi__stats').raw
        : undefined;
    });
    try {
      const sample = await antminer.read(emulator, context);
      expect(sample.collection.sources).toContain('rpc:stats new_api');
      expect(sample.boards).toHaveLength(4);
      expect(sample.boards[3]).toMatchObject({
        slot: 3,
        chips: 120,
        boardTempC: 67,
        chipTempC: 25.687,
        frequencyMhz: 89,
        serial: '10HY24B046N300036H10JC53',
      });
      expect(sample.fans.map((fan) => fan.rpm)).toEqual([420, 420, 420, 1020]);
    } finally {
      await emulator.close();
    }
  });
});

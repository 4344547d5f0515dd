// Starts HTTP (and, for TeamRedMiner, cgminer-API) emulators on real ports, answering
// with captured AxeOS and GPU-miner replies.
import { describe, expect, it } from 'vitest';
import { axeos } from '../../src/drivers/axeos.ts';
import { gminer } from '../../src/drivers/gpu/gminer.ts';
import { lolminer } from '../../src/drivers/gpu/lolminer.ts';
import { nbminer } from '../../src/drivers/gpu/nbminer.ts';
import { teamredminer } from '../../src/drivers/gpu/teamredminer.ts';
import { trex } from '../../src/drivers/gpu/trex.ts';
import { xmrig } from '../../src/drivers/gpu/xmrig.ts';
import { startCgminerEmulator } from '../../src/emulators/cgminer-emulator.ts';
import { startHttpEmulator } from '../../src/emulators/http-emulator.ts';
import { context, emulate, emulateHttp } from '../emulate.ts';

describe('AxeOS (Bitaxe)', () => {
  it('reads hashRate in GH/s, power, the chip, the fan and both pools', async () => {
    const sample = await axeos.read(
      await emulateHttp({ '/api/system/info': 'bitaxe__axeos_http__system_info' }),
      context,
    );
    expect(sample.identity).toEqual({
      make: 'Bitaxe',
      model: 'BM1368',
      firmware: 'axeos',
      firmwareVersion: 'v2.4.5-3-gb5d1e36-dirty',
      algorithm: 'sha256d',
      mac: 'AA:BB:CC:DD:EE:FF',
      hostname: 'bitaxe',
      // The model table's BM1368 (a Bitaxe Supra).
      nominalHashrate: 600e9,
      nominalPowerW: 15,
    });
    expect(sample.hashrate).toBe(1000e9);
    // 1276 small cores × 1 ASIC × 490 MHz
    expect(sample.expectedHashrate).toBe(1276 * 490e6);
    expect(sample.powerW).toBeCloseTo(2.65, 5);
    expect(sample.boards).toEqual([
      {
        slot: 0,
        hashrate: 1000e9,
        expectedHashrate: 1276 * 490e6,
        chips: 1,
        chipTempC: 59.875,
        frequencyMhz: 490,
      },
    ]);
    expect(sample.fans).toEqual([{ id: 0, rpm: 3517, percent: 35 }]);
    expect(sample.pools).toEqual([
      {
        index: 0,
        url: 'stratum+tcp://btc.example.pool:3333',
        user: 'asic-rs.test',
        active: true,
        alive: true,
      },
      {
        index: 1,
        url: 'stratum+tcp://btc2.example.pool:3333',
        user: 'asic-rs.test',
        active: false,
        alive: false,
      },
    ]);
    expect(sample.shares).toEqual({ accepted: 0, rejected: 0 });
    expect(sample.uptimeSeconds).toBe(4);
  });
});

describe('GPU miners', () => {
  it('T-Rex: eight cards in H/s with power, temperature and fan', async () => {
    const sample = await trex.read(
      await emulateHttp({ '/summary': 'trex__0.19.1__telnet_summary' }),
      context,
    );
    expect(sample.identity).toEqual({
      make: 'T-Rex',
      model: '8× GTX 1070 Ti',
      firmware: 'trex',
      firmwareVersion: '0.19.1',
      algorithm: 'ethash',
    });
    expect(sample.hashrate).toBe(232615880);
    expect(sample.gpus).toHaveLength(8);
    expect(sample.gpus?.[0]).toEqual({
      index: 0,
      name: 'GTX 1070 Ti',
      hashrate: 29161504,
      powerW: 109,
      tempC: 67,
      fanPercent: 49,
    });
    expect(sample.powerW).toBe(sample.gpus?.reduce((sum, gpu) => sum + (gpu.powerW ?? 0), 0));
    expect(sample.shares).toEqual({ accepted: 331, rejected: 0 });
    expect(sample.uptimeSeconds).toBe(3656);
    expect(sample.pools).toEqual([
      { index: 0, url: 'stratum+tcp://naw-eth.hiveon.net:4444', user: '0x', active: true, alive: true },
    ]);
  });

  it('lolMiner 1.16a: mh/s, power per card and in total, memory temperatures', async () => {
    const sample = await lolminer.read(
      await emulateHttp({ '/summary': 'lolminer__1.16a__http_summary__etchash' }),
      context,
    );
    expect(sample.identity).toMatchObject({
      make: 'lolMiner',
      firmwareVersion: '1.16a',
      algorithm: 'ethash',
    });
    expect(sample.rawHashrate).toEqual({ value: 302.4, unit: 'mh/s', field: 'Session.Performance_Summary' });
    expect(sample.hashrate).toBeCloseTo(302.4e6, 0);
    expect(sample.powerW).toBeCloseTo(659.451, 3);
    expect(sample.gpus?.[1]).toEqual({
      index: 1,
      name: 'AMD Radeon VII',
      busId: '16:0',
      hashrate: 74.51e6,
      powerW: 163.956,
      tempC: 65,
      memoryTempC: 76,
      fanPercent: 0,
      accepted: 0,
    });
    expect(sample.shares).toEqual({ accepted: 3, rejected: 0 });
  });

  it('GMiner: Equihash in Sol/s, kept in its own unit', async () => {
    const sample = await gminer.read(await emulateHttp({ '/stat': 'gminer__1.34__http_stat' }), context);
    expect(sample.identity).toMatchObject({ make: 'GMiner', firmwareVersion: '1.34', algorithm: 'equihash' });
    expect(sample.rawHashrate).toEqual({ value: 1.2, unit: 'Sol/s', field: 'devices[].speed' });
    expect(sample.gpus).toEqual([
      {
        index: 0,
        name: 'ASUS Radeon RX 560 Series 4GB',
        busId: '0000:02:00.0',
        hashrate: 1.2,
        powerW: 32,
        tempC: 54,
        accepted: 0,
        rejected: 0,
      },
    ]);
  });

  it('NBMiner: raw H/s, the rig power it measures, uptime from its start time', async () => {
    const sample = await nbminer.read(
      await emulateHttp({ '/api/v1/status': 'nbminer__unknown__http_api_v1_status' }),
      { ...context, now: () => new Date(1532482659_000 + 600_000) },
    );
    expect(sample.hashrate).toBe(2989);
    expect(sample.powerW).toBe(354);
    expect(
      sample.gpus?.map((gpu) => [gpu.index, gpu.hashrate, gpu.powerW, gpu.tempC, gpu.fanPercent]),
    ).toEqual([
      [0, 1499, 182, 65, 36],
      [1, 1490, 172, 62, 34],
    ]);
    expect(sample.shares).toEqual({ accepted: 99, rejected: 1 });
    expect(sample.uptimeSeconds).toBe(600);
  });

  it('XMRig: the first measured window, and the CUDA card from the backends array', async () => {
    const sample = await xmrig.read(
      await emulateHttp({
        '/2/summary': 'xmrig__6.17.1__http_2_summary',
        '/2/backends': 'xmrig__6.17.1__http_2_backends',
      }),
      context,
    );
    expect(sample.identity).toMatchObject({
      make: 'XMRig',
      firmwareVersion: '6.17.1-dev',
      algorithm: 'rx/0',
    });
    expect(sample.rawHashrate).toEqual({ value: 1207.19, unit: 'H/s', field: 'hashrate.total[10s]' });
    expect(sample.gpus).toEqual([
      {
        index: 0,
        name: 'NVIDIA GeForce GTX 970',
        busId: '01:00.0',
        hashrate: 246.77,
        powerW: 161,
        tempC: 69,
        fanPercent: 100,
      },
    ]);
    expect(sample.state).toBe('mining');
  });

  it('TeamRedMiner: one GPU from cgminer-style devs, the algorithm from its pool', async () => {
    const sample = await teamredminer.read(
      await emulate({
        devs: 'teamredminer__0.3.10__rpc4028_devs',
        pools: 'teamredminer__0.3.10__rpc4028_pools',
      }),
      context,
    );
    expect(sample.identity).toMatchObject({
      make: 'TeamRedMiner',
      firmwareVersion: '0.3.10',
      algorithm: 'phi2',
    });
    expect(sample.gpus).toEqual([
      { index: 0, hashrate: 1794e3, tempC: 69, fanPercent: 47, accepted: 9, rejected: 0 },
    ]);
    expect(sample.hashrate).toBe(1794e3);
    expect(sample.shares).toEqual({ accepted: 9, rejected: 0 });
  });

  it('a miner that answers 404, an HTML page or nothing is a clear failure, not a sample of zeros', async () => {
    await expect(trex.read(await emulateHttp({}), context)).rejects.toThrow(/HTTP 404/);
    const html = await startHttpEmulator(() => ({ body: '<html><title>Login</title></html>' }));
    // Accepts the connection and never answers: the device that would stall a poll.
    const silent = await startCgminerEmulator(() => undefined, { silent: true });
    try {
      await expect(trex.read(html, context)).rejects.toThrow(/not JSON/);
      await expect(
        trex.read(silent, { ...context, limits: { ...context.limits, totalTimeoutMs: 200 } }),
      ).rejects.toThrow(/no complete reply within 200 ms/);
    } finally {
      await html.close();
      await silent.close();
    }
  });
});

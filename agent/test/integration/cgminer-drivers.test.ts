// Starts cgminer-API emulators on real TCP ports, answering with captured LuxOS,
// Braiins OS, Whatsminer and Avalon replies.
import { describe, expect, it } from 'vitest';
import { auradine } from '../../src/drivers/auradine.ts';
import { avalon } from '../../src/drivers/avalon.ts';
import { braiinsRpc } from '../../src/drivers/braiins.ts';
import { luxos } from '../../src/drivers/luxos.ts';
import { whatsminer } from '../../src/drivers/whatsminer.ts';
import { context, emulate } from '../emulate.ts';

describe('LuxOS', () => {
  it('reads an S19k Pro: power, four sensors a board, fans, boards in ASC order', async () => {
    const names = ['version', 'summary', 'devs', 'pools', 'power', 'temps', 'fans', 'config'];
    const sample = await luxos.read(
      await emulate(Object.fromEntries(names.map((name) => [name, `luxor__luxos_rpc4028__${name}`]))),
      context,
    );
    expect(sample.identity).toEqual({
      make: 'Antminer',
      model: 'S19k Pro',
      firmware: 'luxos',
      firmwareVersion: '2025.4.8.220305',
      algorithm: 'sha256d',
      nominalHashrate: 120e12,
      nominalPowerW: 2760,
    });
    expect(sample.state).toBe('mining');
    expect(sample.stateEvidence).toBe('rpc:config CurtailMode=None');
    expect(sample.rawHashrate).toEqual({ value: 59756.06, unit: 'GH/s', field: 'GHS 5s' });
    expect(sample.hashrate).toBeCloseTo(59756.06e9, -3);
    expect(sample.expectedHashrate).toBeCloseTo(3 * 20651400e6, -3);
    expect(sample.powerW).toBe(1051);
    expect(sample.powerSource).toBe('miner');
    expect(sample.boards.map((board) => [board.slot, board.serial, board.boardTempC])).toEqual([
      [0, 'JYZZYRSBDJEBI06Z5', 47],
      [1, 'JYZZYRSBDJEBI06ZM', 47],
      [2, 'JYZZYRSBDJEBI06ZR', 47],
    ]);
    expect(sample.boards[2]?.hashrate).toBeCloseTo(20751652.26336e6, -4);
    expect(sample.fans).toEqual([
      { id: 0, rpm: 1920, percent: 20 },
      { id: 1, rpm: 1920, percent: 20 },
      { id: 2, rpm: 2340, percent: 20 },
      { id: 3, rpm: 2340, percent: 20 },
    ]);
    expect(
      sample.pools.map((pool) => [pool.index, pool.user, pool.alive, pool.active, pool.accepted]),
    ).toEqual([
      [0, 'asic-rs.user1', true, true, 724],
      [1, 'asic-rs.user1', false, false, 0],
      [2, 'asic-rs.user2', true, true, 759],
      [3, 'asic-rs.user2', false, false, 0],
    ]);
    expect(sample.shares).toEqual({ accepted: 1483, rejected: 1, stale: 0, hardwareErrors: 0 });
    expect(sample.uptimeSeconds).toBe(3453);
    expect(sample.collection.warnings).toEqual([]);
  });
});

describe('Braiins OS (bosminer RPC)', () => {
  it('reads boards from devs, their temperatures from temps, fans with speed', async () => {
    const sample = await braiinsRpc.read(
      await emulate({
        summary: 'braiins__bosminer_plus_0.2.0_legacy__rpc4028_summary',
        devs: 'braiins__bosminer_plus_0.4.0_legacy__rpc4028_devs',
        temps: 'braiins__bosminer_plus_0.2.0_legacy__rpc4028_temps',
        fans: 'braiins__bosminer_plus_0.2.0_legacy__rpc4028_fans',
      }),
      context,
    );
    expect(sample.identity).toMatchObject({
      make: 'Antminer',
      firmware: 'braiins',
      firmwareVersion: '0.2.0-36c56a9363',
    });
    // MHS 5s 15740915.84 MH/s
    expect(sample.rawHashrate).toEqual({ value: 15740915.842676325, unit: 'MH/s', field: 'MHS 5s' });
    expect(sample.expectedHashrate).toBeCloseTo(3 * 4668300e6, -3);
    expect(sample.boards.map((board) => [board.slot, board.boardTempC, board.chipTempC])).toEqual([
      [0, 75, undefined],
      [1, 63, undefined],
      [2, 70, undefined],
    ]);
    expect(sample.fans).toEqual([
      { id: 0, rpm: 2820, percent: 40 },
      { id: 1, rpm: 3780, percent: 40 },
      { id: 2, rpm: 0, percent: 40 },
      { id: 3, rpm: 0, percent: 40 },
    ]);
    expect(sample.shares).toEqual({ accepted: 153, rejected: 0, stale: 0, hardwareErrors: 186 });
    expect(sample.uptimeSeconds).toBe(3680);
    // devdetails, pools and tunerstatus were not captured: each failure is a warning, not a lost sample.
    expect(sample.collection.warnings.filter((w) => w.includes('Invalid command'))).toHaveLength(3);
  });
});

describe('Whatsminer API v2', () => {
  it('reads realtime MH/s, factory GH/s, power and limit, boards, fans, and error codes', async () => {
    const name = (command: string): string => `whatsminer__btminer_api_v2_rpc4028__${command}`;
    const sample = await whatsminer.read(
      await emulate({
        summary: name('summary'),
        devs: name('devs'),
        pools: name('pools'),
        get_version: name('get_version'),
        get_miner_info: name('get_miner_info'),
        get_error_code: name('get_error_code_with_errors'),
      }),
      context,
    );
    expect(sample.identity).toEqual({
      make: 'Whatsminer',
      firmware: 'whatsminer',
      firmwareVersion: '20230803.11.REL',
      algorithm: 'sha256d',
      mac: 'D4:01:02:03:04:05',
      hostname: 'WhatsMiner',
    });
    expect(sample.rawHashrate).toEqual({ value: 124500000, unit: 'MH/s', field: 'HS RT' });
    expect(sample.hashrate).toBe(124.5e12);
    expect(sample.expectedHashrate).toBe(126e12);
    expect(sample.powerW).toBe(3200);
    expect(sample.powerLimitW).toBe(3300);
    expect(sample.fans).toEqual([
      { id: 0, rpm: 5400 },
      { id: 1, rpm: 5280 },
    ]);
    expect(sample.boards[0]).toEqual({
      slot: 0,
      hashrate: 41.5e12,
      expectedHashrate: 42e12,
      chips: 135,
      boardTempC: 65,
      chipTempC: 80,
      frequencyMhz: 600,
      serial: 'BHM5CSD1302803K30001',
    });
    expect(sample.pools.map((pool) => pool.index)).toEqual([0, 1, 2]);
    expect(sample.messages).toEqual([
      { code: '218', severity: 'error', message: 'Whatsminer error 218 since 2024-06-15 10:30:00' },
      { code: '110', severity: 'error', message: 'Whatsminer error 110 since 2024-06-15 09:15:00' },
    ]);
    expect(sample.uptimeSeconds).toBe(25000);
  });

  it('reads the error codes older firmware puts in its summary, and its quoted version', async () => {
    const sample = await whatsminer.read(
      await emulate({ summary: 'whatsminer__btminer_api_v1_rpc4028__summary_with_errors' }),
      context,
    );
    expect(sample.identity.firmwareVersion).toBe('20210322.22.REL');
    expect(sample.messages.map((message) => message.code)).toEqual(['110', '600']);
    expect(sample.powerW).toBe(3427);
  });
});

describe('Whatsminer 2019 firmware (cgminer 4.9.2)', () => {
  it('reads its boards from the per-slot stats blocks when it has no devs', async () => {
    const sample = await whatsminer.read(
      await emulate({ stats: 'whatsminer__cgminer4.9.2_m20s__rpc4028_stats' }),
      context,
    );
    expect(sample.boards[0]).toEqual({ slot: 0, chips: 105, chipTempC: 75, frequencyMhz: 656 });
    expect(sample.boards.map((board) => board.slot)).toEqual([0, 1, 2]);
  });
});

describe('Avalon', () => {
  it('reads the module string of an A1566: wall power, GHS, boards, fans', async () => {
    const name = (command: string): string => `avalon__a1566_cgminer_4.11.1_rpc4028__rpc_${command}`;
    const sample = await avalon.read(
      await emulate({ version: name('version'), stats: name('stats'), pools: name('pools') }),
      context,
    );
    expect(sample.identity.make).toBe('Avalon');
    expect(sample.rawHashrate).toEqual({ value: 199241.07, unit: 'GH/s', field: 'GHSspd' });
    expect(sample.expectedHashrate).toBeCloseTo(201920.42e9, -3);
    expect(sample.powerW).toBe(3731);
    expect(sample.boards).toEqual([
      { slot: 0, hashrate: 59459.52e9, chipTempC: 77 },
      { slot: 1, hashrate: 61407.83e9, chipTempC: 78 },
      { slot: 2, hashrate: 63139.66e9, chipTempC: 77 },
    ]);
    expect(sample.fans).toEqual([
      { id: 0, rpm: 4275, percent: 49 },
      { id: 1, rpm: 4282, percent: 49 },
    ]);
    expect(sample.state).toBe('mining');
  });

  it('says an idle Avalon Q is sleeping, not broken', async () => {
    const sample = await avalon.read(
      await emulate({ version: 'avalon__cgminer_rpc4028__version', stats: 'avalon__cgminer_rpc4028__stats' }),
      context,
    );
    expect(sample.identity).toMatchObject({ make: 'Avalon', model: 'Q', mac: 'AA:BB:CC:DD:EE:FF' });
    expect(sample.state).toBe('sleeping');
  });
});

describe('Auradine (FluxOS)', () => {
  it('reads boards with their sensors, fans, PSU input power, the power target', async () => {
    const names = ['summary', 'devs', 'pools', 'fan', 'temperature', 'psu', 'mode'];
    const sample = await auradine.read(
      await emulate(
        Object.fromEntries(names.map((name) => [name, `auradine__fluxos_gcminer_rpc4028__${name}`])),
      ),
      context,
    );
    expect(sample.identity).toMatchObject({ make: 'Auradine', firmware: 'auradine' });
    expect(sample.rawHashrate).toEqual({ value: 20599767.1774699, unit: 'MH/s', field: 'MHS 5s' });
    expect(sample.boards[0]).toMatchObject({ slot: 0, hashrate: 6.8e12, boardTempC: 41.5 });
    expect(sample.boards[0]?.chipTempC).toBeCloseTo(45.83, 2);
    expect(sample.fans).toEqual([
      { id: 0, rpm: 7080 },
      { id: 1, rpm: 7020 },
      { id: 2, rpm: 7100 },
      { id: 3, rpm: 7020 },
    ]);
    expect(sample.powerW).toBe(58.94);
    expect(sample.powerLimitW).toBe(2000);
    expect(sample.state).toBe('mining');
    expect(sample.pools.map((pool) => pool.alive)).toEqual([true, false, false]);
  });
});

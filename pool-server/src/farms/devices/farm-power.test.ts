import { describe, expect, it } from 'vitest';
import type { FarmDevice, PowerFigure } from '@hashwatt/schemas';
import { efficiencyOf } from './device-power.ts';
import { farmPowerOf, type MeterNow } from './farm-power.ts';

const NOW = Date.UTC(2026, 11, 6, 12);
const MINUTE = 60_000;

function device(name: string, power: PowerFigure, hashrate: number | null = 100e12): FarmDevice {
  return {
    id: name,
    device: name,
    make: 'Antminer',
    model: 'S19',
    firmware: 'stock',
    firmwareVersion: null,
    serial: null,
    mac: null,
    algorithm: 'sha256d',
    firstSeen: new Date(NOW - 3_600_000).toISOString(),
    lastSeen: new Date(NOW).toISOString(),
    state: 'mining',
    stateEvidence: 'no state read: hashrate > 0',
    stateReason: null,
    hashrate,
    expectedHashrate: null,
    powerW: power.basis === 'measured' ? power.watts : null,
    power,
    efficiency: efficiencyOf(power, hashrate),
    chipTempC: null,
    ip: name,
    location: { rack: null, shelf: null, slot: null },
    nominalHashrate: null,
    nominalPowerW: null,
    poolUser: null,
    poolProtocol: null,
    commands: null,
    hour: { reportedHashrate: hashrate, poolHashrate: null, gapPercent: null, alert: false },
  };
}

const MEASURED = (watts: number): PowerFigure => ({
  watts,
  basis: 'measured',
  source: 'miner',
  reason: null,
});
const NAMEPLATE = (watts: number): PowerFigure => ({
  watts,
  basis: 'estimated',
  source: 'nameplate',
  reason: 'the device does not report its power: its nameplate power',
});
const UNKNOWN: PowerFigure = {
  watts: null,
  basis: 'unknown',
  source: null,
  reason: 'the device is unreachable',
};
const FRESH_METER: MeterNow = { name: 'main', watts: 7_000, atMs: NOW - MINUTE };

describe('a farm power figure', () => {
  it("is the meter's when it is fresh, and its efficiency measured", () => {
    const farm = farmPowerOf(
      '1',
      [device('a', MEASURED(3_000)), device('b', NAMEPLATE(3_250))],
      [FRESH_METER],
      NOW,
    );
    expect(farm.power).toEqual({ watts: 7_000, basis: 'measured', source: 'meter', reason: null });
    expect(farm.efficiency).toEqual({ joulesPerTh: 35, basis: 'measured', reason: null });
    expect(farm.devices).toEqual({ total: 2, measured: 1, estimated: 1, unknown: 0 });
    expect(farm.meter).toEqual({ watts: 7_000, at: new Date(NOW - MINUTE).toISOString(), fresh: true });
  });

  it('sums the devices when the farm has no meter, saying how many are estimated', () => {
    const farm = farmPowerOf('1', [device('a', MEASURED(3_000)), device('b', NAMEPLATE(3_250))], [], NOW);
    expect(farm.power).toEqual({
      watts: 6_250,
      basis: 'estimated',
      source: 'nameplate',
      reason: 'the farm has no meter; 1 of 2 devices estimated from nameplate power',
    });
    expect(farm.efficiency).toMatchObject({ joulesPerTh: 31.25, basis: 'estimated' });
    expect(farm.meter).toBeNull();
  });

  it('is measured by the devices, with the meter named, when the meter fell silent', () => {
    const silent = { ...FRESH_METER, atMs: NOW - 3_600_000 };
    const farm = farmPowerOf('1', [device('a', MEASURED(3_000))], [silent], NOW);
    expect(farm.power).toEqual({
      watts: 3_000,
      basis: 'measured',
      source: 'miner',
      reason: 'the meter has been silent since 2026-12-06T11:00:00Z',
    });
    expect(farm.meter?.fresh).toBe(false);
  });

  it('does not believe a meter reading 0 W while devices hash', () => {
    const farm = farmPowerOf('1', [device('a', MEASURED(3_000))], [{ ...FRESH_METER, watts: 0 }], NOW);
    expect(farm.power).toMatchObject({ watts: 3_000, source: 'miner' });
    expect(farm.power.reason).toBe('the meter reads 0 W while devices hash');
  });

  it('is unknown, with the devices named, when any device has no figure and there is no meter', () => {
    const farm = farmPowerOf('1', [device('a', MEASURED(3_000)), device('b', UNKNOWN)], [], NOW);
    expect(farm.power).toEqual({
      watts: null,
      basis: 'unknown',
      source: null,
      reason: 'the farm has no meter; 1 of 2 devices have no power figure: b (the device is unreachable)',
    });
    expect(farm.efficiency).toMatchObject({ joulesPerTh: null, basis: 'unknown' });
  });

  it('is unknown for a farm with no meter and no devices, with no hashrate', () => {
    const farm = farmPowerOf('1', [], [], NOW);
    expect(farm.power.reason).toBe('the farm has no meter; the farm has no devices');
    expect(farm.hashrate).toBeNull();
    expect(farm.efficiency.joulesPerTh).toBeNull();
  });

  it('counts no hashrate from a device unheard of for a while', () => {
    const old = { ...device('b', UNKNOWN), lastSeen: new Date(NOW - 3_600_000).toISOString() };
    const farm = farmPowerOf('1', [device('a', MEASURED(3_000)), old], [FRESH_METER], NOW);
    expect(farm.hashrate).toBe(100e12);
    expect(farm.efficiency.joulesPerTh).toBe(70);
  });

  it('counts only mining devices: one asleep, idle, starting or failing adds nothing, whatever it shows', () => {
    const notMining = (['sleeping', 'idle', 'starting', 'error', 'unreachable'] as const).map((state) => ({
      ...device(state, MEASURED(100)),
      state,
      stateEvidence: `${state} as its firmware said`,
    }));
    const farm = farmPowerOf('1', [device('a', MEASURED(3_000)), ...notMining], [FRESH_METER], NOW);
    expect(farm.hashrate).toBe(100e12);
    expect(farm.otherAlgorithms).toEqual([]);
  });

  it('has no efficiency when a mining device reports no hashrate', () => {
    const farm = farmPowerOf(
      '1',
      [device('a', MEASURED(3_000)), device('b', MEASURED(3_000), null)],
      [],
      NOW,
    );
    expect(farm.power.watts).toBe(6_000);
    expect(farm.efficiency).toEqual({
      joulesPerTh: null,
      basis: 'unknown',
      reason: 'devices that mine report no hashrate: b',
    });
  });
  it("counts only SHA-256 devices in the farm's hashrate and J/TH; other algorithms apart", () => {
    const d3 = { ...device('d3', MEASURED(1_350), 16.35e9), algorithm: 'x11' };
    const farm = farmPowerOf('1', [device('a', MEASURED(3_000)), d3], [], NOW);
    expect(farm.hashrate).toBe(100e12);
    expect(farm.otherAlgorithms).toEqual([{ algorithm: 'x11', hashrate: 16.35e9, unit: 'H/s', devices: 1 }]);
    // The farm draws 4 350 W, the S19 3 000 W of it: 30 J/TH, not 43.5.
    expect(farm.power.watts).toBe(4_350);
    expect(farm.efficiency).toEqual({ joulesPerTh: 30, basis: 'measured', reason: null });
  });
});

import { describe, expect, it } from 'vitest';
import type { PowerFigure } from '@hashwatt/schemas';
import { devicePower, efficiencyOf } from './device-power.ts';

const NOW = Date.UTC(2026, 11, 6, 12);
const MINUTE = 60_000;
const S19 = {
  state: 'mining',
  powerW: null,
  powerSource: null,
  nominalPowerW: 3_250,
  sampleAtMs: NOW - MINUTE,
} as const;

describe('a device power figure', () => {
  it('is measured when the device reports it', () => {
    expect(devicePower({ ...S19, powerW: 3_180, powerSource: 'miner' }, NOW)).toEqual({
      watts: 3_180,
      basis: 'measured',
      source: 'miner',
      reason: null,
    });
  });

  it('is the nameplate power, labelled as an estimate, when the device reports none', () => {
    expect(devicePower(S19, NOW)).toEqual({
      watts: 3_250,
      basis: 'estimated',
      source: 'nameplate',
      reason: 'the device does not report its power: its nameplate power',
    });
    expect(devicePower({ ...S19, powerW: 3_250, powerSource: 'nameplate' }, NOW)).toMatchObject({
      basis: 'estimated',
      source: 'nameplate',
    });
  });

  it('is unknown with the reason when nothing says it', () => {
    const reason = (figure: PowerFigure): [number | null, string | null] => [figure.watts, figure.reason];
    expect(reason(devicePower({ ...S19, nominalPowerW: null }, NOW))).toEqual([
      null,
      'the device does not report its power and has no nameplate power set',
    ]);
    expect(reason(devicePower({ ...S19, state: 'sleeping' }, NOW))).toEqual([
      null,
      'the device is asleep and does not report its power',
    ]);
    expect(reason(devicePower({ ...S19, state: 'unreachable', powerW: 3_000 }, NOW))).toEqual([
      null,
      'the device is unreachable',
    ]);
    expect(reason(devicePower({ ...S19, powerW: 3_000, sampleAtMs: NOW - 11 * MINUTE }, NOW))).toEqual([
      null,
      'no reading from the device since 2026-12-06T11:49:00Z',
    ]);
    expect(reason(devicePower({ ...S19, sampleAtMs: null }, NOW))).toEqual([
      null,
      'the device has never reported',
    ]);
  });
});

describe('efficiency', () => {
  const measured: PowerFigure = { watts: 3_250, basis: 'measured', source: 'miner', reason: null };

  it('is J/TH, estimated when the power is', () => {
    expect(efficiencyOf(measured, 110e12)).toEqual({
      joulesPerTh: expect.closeTo(29.545, 3) as number,
      basis: 'measured',
      reason: null,
    });
    expect(
      efficiencyOf({ ...measured, basis: 'estimated', source: 'nameplate', reason: 'nameplate' }, 110e12),
    ).toMatchObject({ basis: 'estimated', reason: 'from estimated power: nameplate' });
  });

  it('is unknown, never 0, without power or hashrate', () => {
    const noPower: PowerFigure = {
      watts: null,
      basis: 'unknown',
      source: null,
      reason: 'the device is unreachable',
    };
    expect(efficiencyOf(noPower, 110e12)).toEqual({
      joulesPerTh: null,
      basis: 'unknown',
      reason: 'its power is unknown: the device is unreachable',
    });
    expect(efficiencyOf(measured, null).reason).toBe('the device reports no hashrate');
    expect(efficiencyOf(measured, 0, 'the farm').reason).toBe('the farm is not hashing');
  });
});

import { describe, expect, it } from 'vitest';
import {
  algorithmName,
  baseUnit,
  identifyBitcoinModel,
  identifyModel,
  inBaseUnit,
  unitLabel,
} from './models.ts';

describe('the model table', () => {
  it.each([
    // [what the firmware calls it, the maker known, make, algorithm, unit its GHS fields hold, nameplate]
    ['Antminer D3 Blissz v2.06 beta', 'Antminer', 'Antminer', 'x11', 'M', 19.3e9],
    ['Antminer E3', undefined, 'Antminer', 'ethash', 'M', 190e6],
    ['Antminer Z11', undefined, 'Antminer', 'equihash', 'K', 135e3],
    ['Antminer L3+', undefined, 'Antminer', 'scrypt', 'M', 504e6],
    ['L7', 'Antminer', 'Antminer', 'scrypt', 'M', 9.5e9],
    ['S19 XP Hyd.', 'Antminer', 'Antminer', 'sha256d', undefined, 255e12],
    ['Antminer S19 XP Hydro', undefined, 'Antminer', 'sha256d', undefined, 255e12],
    ['S19j Pro+', 'Antminer', 'Antminer', 'sha256d', undefined, 122e12],
    ['KS5 Pro', 'Antminer', 'Antminer', 'kheavyhash', undefined, 21e12],
    ['Antminer KA3', undefined, 'Antminer', 'blake2s', undefined, 166e12],
    ['innominer a9-1.1.0', undefined, 'Innosilicon', 'equihash', 'H', 50e3],
    ['STU-U6', undefined, 'StrongU', 'x11', undefined, 440e9],
    ['U2', undefined, 'StrongU', 'blake2b', undefined, 5.5e12],
    ['iBeLink N1 Max', undefined, 'iBeLink', 'blake2b', undefined, 12e12],
    ['BM-K1', undefined, 'iBeLink', 'blake2s', undefined, 5.3e12],
    ['M30S++V20', 'Whatsminer', 'Whatsminer', 'sha256d', undefined, 112e12],
    ['Goldshell Mini-DOGE Pro', undefined, 'Goldshell', 'scrypt', undefined, 205e6],
    ['Elphapex DG1+', undefined, 'Elphapex', 'scrypt', undefined, 14e9],
  ] as const)('%s (maker known: %s) is a %s of %s', (text, known, make, algorithm, unit, nominal) => {
    const facts = identifyModel(text, known);
    expect(facts.make).toBe(make);
    expect(facts.algorithm).toBe(algorithm);
    expect(facts.cgminerUnit).toBe(unit);
    expect(facts.nominalHashrate).toBeCloseTo(nominal, -3);
    expect(facts.nominalPowerW).toBeGreaterThan(0);
  });

  it('gives a model newer than the table its series, but no nameplate', () => {
    expect(identifyModel('S23 Hyd', 'Antminer')).toEqual({ make: 'Antminer', algorithm: 'sha256d' });
    expect(identifyModel('Antminer L11', undefined)).toEqual({ make: 'Antminer', algorithm: 'scrypt' });
    expect(identifyModel('A9++', 'Innosilicon')).toEqual({
      make: 'Innosilicon',
      algorithm: 'equihash',
      cgminerUnit: 'H',
    });
    // "S19 Pro A" is an S19 Pro it does not list: the S19 Pro's words are there, so its row.
    expect(identifyModel('S19 Pro A', 'Antminer').row?.model).toBe('S19 Pro');
  });

  it('never calls an unidentified machine SHA-256', () => {
    expect(identifyModel(undefined)).toEqual({ algorithm: 'unknown' });
    expect(identifyModel('cgminer 4.11.1')).toEqual({ algorithm: 'unknown' });
    // A maker known, a name in none of its series.
    expect(identifyModel('Antminer X5', undefined)).toEqual({ make: 'Antminer', algorithm: 'unknown' });
    expect(identifyModel('GCMINER-0.5 FLUXOS')).toEqual({ make: 'Auradine', algorithm: 'unknown' });
  });

  it('takes SHA-256 for an unknown model only where the firmware mines nothing else', () => {
    expect(identifyBitcoinModel('S23 XP', 'Antminer').algorithm).toBe('sha256d');
    expect(identifyBitcoinModel(undefined, 'Antminer').algorithm).toBe('sha256d');
    // The table still wins: an L7 is scrypt whatever the firmware.
    expect(identifyBitcoinModel('L7', 'Antminer').algorithm).toBe('scrypt');
  });

  it('writes units per algorithm: Equihash in Sol/s, the others in H/s', () => {
    expect(inBaseUnit(16346.64, 'M')).toBeCloseTo(16.34664e9, 0);
    expect(unitLabel('K', 'equihash')).toBe('kSol/s');
    expect(unitLabel('M', 'x11')).toBe('MH/s');
    expect(unitLabel('H', 'equihash')).toBe('Sol/s');
    expect(baseUnit('scrypt')).toBe('H/s');
  });

  it('reads the names mining software gives algorithms', () => {
    expect(algorithmName('SHA256')).toBe('sha256d');
    expect(algorithmName(' Scrypt ')).toBe('scrypt');
    expect(algorithmName('')).toBe('unknown');
    expect(algorithmName(undefined)).toBe('unknown');
  });
});

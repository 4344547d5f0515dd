import { describe, expect, it } from 'vitest';
import { targets } from '../../test/helpers/vectors.ts';
import {
  DIFF1_TARGET,
  decodeCompact,
  difficultyFromBits,
  difficultyFromTarget,
  difficultyOfHash,
  encodeCompact,
  hashMeetsTarget,
  targetFromDifficulty,
  targetToBytesLE,
} from './target.ts';

const bits = (hex: string): number => Number.parseInt(hex, 16);
const target = (hex: string): bigint => BigInt(`0x${hex}`);
const internal = (displayHex: string): Buffer => Buffer.from(displayHex, 'hex').reverse();

describe('difficulty 1', () => {
  it('is the target 0x00000000FFFF0000…0000 (pdiff), as the Slush doc and ESP-Miner state', () => {
    expect(DIFF1_TARGET).toBe(target(targets.difficulty_1.target_hex));
    expect(decodeCompact(bits(targets.difficulty_1.bits)).target).toBe(DIFF1_TARGET);
    expect(difficultyFromTarget(DIFF1_TARGET)).toBe(1);
  });
});

describe('nbits -> target', () => {
  it.each(targets.nbits_to_target)('$bits (bitcoinjs)', ({ bits: hex, target_hex }) => {
    expect(decodeCompact(bits(hex)).target).toBe(target(target_hex));
  });

  it.each(targets.nbits_to_target_bitcoin_core_setcompact.vectors)(
    '$bits (Bitcoin Core SetCompact: negative $negative, overflow $overflow)',
    ({ bits: hex, target_hex, negative, overflow }) => {
      const decoded = decodeCompact(bits(hex));
      expect(decoded.negative).toBe(negative);
      expect(decoded.overflow).toBe(overflow);
      if (!overflow) {
        expect(decoded.target).toBe(target(target_hex));
      }
    },
  );

  it.each(targets.nbits_to_target)('$bits survives target -> nbits -> target', ({ bits: hex }) => {
    const { target: value } = decodeCompact(bits(hex));
    expect(decodeCompact(encodeCompact(value)).target).toBe(value);
  });

  it('encodes the way Bitcoin Core GetCompact does, moving a set sign bit into the exponent', () => {
    expect(encodeCompact(DIFF1_TARGET)).toBe(0x1d00ffff);
    expect(encodeCompact(0x80n)).toBe(0x02008000);
    expect(encodeCompact(0n)).toBe(0);
    expect(() => encodeCompact(-1n)).toThrow(RangeError);
  });
});

describe('nbits -> network difficulty', () => {
  it.each(targets.nbits_to_difficulty)(
    '$bits -> $difficulty',
    ({ bits: hex, difficulty, tolerance, computed }) => {
      const value = difficultyFromBits(bits(hex));
      if (tolerance !== undefined) {
        expect(Math.abs(value - difficulty)).toBeLessThanOrEqual(tolerance);
      } else {
        expect(value / difficulty).toBeCloseTo(1, 11);
      }
      if (computed !== undefined) {
        expect(value / computed).toBeCloseTo(1, 12);
      }
    },
  );
});

describe('share difficulty of a hash', () => {
  it.each(targets.share_difficulty_from_hash.vectors)('$case', ({ hash_display, share_difficulty }) => {
    expect(difficultyOfHash(internal(hash_display)) / share_difficulty).toBeCloseTo(1, 12);
  });

  it('is infinite for the zero hash', () => {
    expect(difficultyOfHash(new Uint8Array(32))).toBe(Infinity);
  });
});

describe('difficulty -> share target', () => {
  it.each(targets.share_target_from_difficulty.examples)('$difficulty', ({ difficulty, target_hex }) => {
    expect(targetFromDifficulty(difficulty)).toBe(target(target_hex));
  });

  it('is exact for fractional difficulties that ESP32 miners ask for', () => {
    // 0.00015 is what NerdMiner suggests; floor(diff1 / d) computed with exact rationals.
    const d = 0.00015;
    const expected = (DIFF1_TARGET * 2n ** 100n) / BigInt(d * 2 ** 100);
    expect(targetFromDifficulty(d)).toBe(expected);
    expect(targetFromDifficulty(0.5)).toBe(DIFF1_TARGET * 2n);
  });

  it('caps at 2^256 - 1 and refuses nonsense', () => {
    expect(targetFromDifficulty(1e-80)).toBe((1n << 256n) - 1n);
    for (const bad of [0, -1, Number.NaN, Infinity]) {
      expect(() => targetFromDifficulty(bad)).toThrow(RangeError);
    }
  });
});

describe('hash vs target', () => {
  const limit = targetToBytesLE(DIFF1_TARGET);

  it('accepts a hash equal to the target and refuses one a unit above', () => {
    expect(hashMeetsTarget(targetToBytesLE(DIFF1_TARGET), limit)).toBe(true);
    expect(hashMeetsTarget(targetToBytesLE(DIFF1_TARGET + 1n), limit)).toBe(false);
    expect(hashMeetsTarget(targetToBytesLE(DIFF1_TARGET - 1n), limit)).toBe(true);
  });

  it('reads the hash as a little-endian integer (internal order)', () => {
    const slushBlock = internal('000000002076870fe65a2b6eeed84fa892c0db924f1482243a6247d931dcab32');
    expect(hashMeetsTarget(slushBlock, targetToBytesLE(decodeCompact(0x1c2ac4af).target))).toBe(true);
    expect(hashMeetsTarget(Buffer.from(slushBlock).reverse(), limit)).toBe(false);
  });
});

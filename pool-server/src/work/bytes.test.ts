import { describe, expect, it } from 'vitest';
import { stratumShares } from '../../test/helpers/vectors.ts';
import {
  decodeHexInto,
  displayHashToStratum,
  encodeVarInt,
  hexToBytes,
  isHex,
  parseHexU32,
  reverseBytes,
  swapWords32,
  u32ToHex,
} from './bytes.ts';

describe('hash byte orders', () => {
  it('genesis: display -> stratum reverses the order of the eight 4-byte words', () => {
    expect(displayHashToStratum('000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f')).toBe(
      '0a8ce26f72b3f1b646a2a6c14ff763ae65831e939c085ae10019d66800000000',
    );
  });

  it.each(stratumShares.cases)(
    '$id: notify prevhash is swap4(internal), display is rev(internal)',
    (shareCase) => {
      const internal = Buffer.from(shareCase.expected.header_hex, 'hex').subarray(4, 36);
      expect(swapWords32(internal).toString('hex')).toBe(shareCase.notify.prevhash);
      expect(reverseBytes(internal).toString('hex')).toBe(shareCase.expected.prevhash_display);
    },
  );

  it('swapWords32 needs whole words', () => {
    expect(() => swapWords32(Buffer.alloc(3))).toThrow(RangeError);
  });
});

describe('hex', () => {
  it('accepts both cases and refuses odd lengths and other characters', () => {
    expect(isHex('00aAfF')).toBe(true);
    expect(isHex('')).toBe(true);
    expect(isHex('abc')).toBe(false);
    expect(isHex('0g')).toBe(false);
    expect(isHex('é0')).toBe(false);
    expect(() => hexToBytes('xyz', 'field')).toThrow(/field is not an even-length hex string/);
  });

  it('parses exactly 8 digits as an unsigned 32-bit integer', () => {
    expect(parseHexU32('ffffffff')).toBe(0xffffffff);
    expect(parseHexU32('B2957C02')).toBe(0xb2957c02);
    expect(parseHexU32('0000000')).toBe(-1);
    expect(parseHexU32('000000000')).toBe(-1);
    expect(parseHexU32('-0000001')).toBe(-1);
    expect(parseHexU32('0x123456')).toBe(-1);
    expect(u32ToHex(0x20000000)).toBe('20000000');
    expect(u32ToHex(1)).toBe('00000001');
  });

  it('decodes into a buffer and reports a bad digit', () => {
    const target = Buffer.alloc(4);
    expect(decodeHexInto('0a0B', target, 1, 2)).toBe(true);
    expect(target.toString('hex')).toBe('000a0b00');
    expect(decodeHexInto('0z', target, 0, 1)).toBe(false);
  });
});

describe('CompactSize', () => {
  it.each([
    [0, '00'],
    [252, 'fc'],
    [253, 'fdfd00'],
    [0xffff, 'fdffff'],
    [0x10000, 'fe00000100'],
    [0x100000000, 'ff0000000001000000'],
  ])('%i -> %s', (value, hex) => {
    expect(encodeVarInt(value).toString('hex')).toBe(hex);
  });

  it('refuses negative and fractional values', () => {
    expect(() => encodeVarInt(-1)).toThrow(RangeError);
    expect(() => encodeVarInt(1.5)).toThrow(RangeError);
  });
});

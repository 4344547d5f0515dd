import { describe, expect, it } from 'vitest';
import { headers, stratumShares } from '../../test/helpers/vectors.ts';
import { swapWords32 } from './bytes.ts';
import { parseHeader, writeHeader } from './header.ts';
import { sha256d } from './sha256d.ts';
import { difficultyOfHash } from './target.ts';

describe('80-byte header', () => {
  it.each(stratumShares.header_level_shares)('$id: from Stratum-form fields', (share) => {
    const { inputs, expected } = share;
    const header = writeHeader(Buffer.alloc(80), {
      version: Number.parseInt(inputs.version, 16),
      // [stratum] the notify prevhash word-swapped back is the internal order.
      prevhashInternal: swapWords32(Buffer.from(inputs.prevhash_stratum, 'hex')),
      merkleRootInternal: Buffer.from(inputs.merkle_root_internal, 'hex'),
      ntime: Number.parseInt(inputs.ntime, 16),
      bits: Number.parseInt(inputs.nbits, 16),
      nonce: Number.parseInt(inputs.nonce, 16),
    });
    expect(header.toString('hex')).toBe(expected.header_hex);
    const hash = sha256d(header);
    expect(Buffer.from(hash).reverse().toString('hex')).toBe(expected.hash_display);
    expect(difficultyOfHash(hash) / expected.share_difficulty).toBeCloseTo(1, 12);
  });

  it('Stratum big-endian hex becomes little-endian header bytes: nonce b2957c02 -> 02 7c 95 b2', () => {
    const header = writeHeader(Buffer.alloc(80), {
      version: 0x20000000,
      prevhashInternal: Buffer.alloc(32),
      merkleRootInternal: Buffer.alloc(32),
      ntime: 0x504e86ed,
      bits: 0x1c2ac4af,
      nonce: 0xb2957c02,
    });
    expect(header.subarray(0, 4).toString('hex')).toBe('00000020');
    expect(header.subarray(68, 72).toString('hex')).toBe('ed864e50');
    expect(header.subarray(72, 76).toString('hex')).toBe('afc42a1c');
    expect(header.subarray(76, 80).toString('hex')).toBe('027c95b2');
  });

  it.each(headers.vectors)('$id: parse and write back', (vector) => {
    const raw = Buffer.from(vector.header_hex, 'hex');
    expect(writeHeader(Buffer.alloc(80), parseHeader(raw)).equals(raw)).toBe(true);
  });

  it('refuses the wrong size', () => {
    expect(() => parseHeader(Buffer.alloc(81))).toThrow(RangeError);
    expect(() => writeHeader(Buffer.alloc(79), parseHeader(Buffer.alloc(80)))).toThrow(RangeError);
  });
});

import { describe, expect, it } from 'vitest';
import { headers } from '../../test/helpers/vectors.ts';
import { sha256, sha256d } from './sha256d.ts';
import { decodeCompact, hashMeetsTarget, targetToBytesLE } from './target.ts';

describe('sha256d of real block headers', () => {
  it.each(headers.vectors)('$id', (vector) => {
    const header = Buffer.from(vector.header_hex, 'hex');
    expect(header).toHaveLength(80);
    const hash = sha256d(header);
    if (vector.hash_internal !== undefined) {
      expect(hash.toString('hex')).toBe(vector.hash_internal);
    }
    expect(Buffer.from(hash).reverse().toString('hex')).toBe(vector.hash_display);
  });

  it.each([...headers.vectors, ...headers.negative_vectors])(
    '$id: proof of work against its own nbits',
    (vector) => {
      const header = Buffer.from(vector.header_hex, 'hex');
      const { target } = decodeCompact(header.readUInt32LE(72));
      expect(hashMeetsTarget(sha256d(header), targetToBytesLE(target))).toBe(vector.meets_nbits_target);
    },
  );

  it('is SHA-256 applied twice (FIPS 180-2 "abc")', () => {
    const abc = Buffer.from('abc');
    expect(sha256(abc).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(sha256d(abc).equals(sha256(sha256(abc)))).toBe(true);
  });
});

describe('header byte order', () => {
  it.each(headers.vectors.filter((v) => v.fields))(
    '$id: every field little-endian, hashes internal',
    (vector) => {
      const fields = vector.fields;
      if (!fields) {
        return;
      }
      const header = Buffer.from(vector.header_hex, 'hex');
      expect(header.readUInt32LE(0)).toBe(fields.version);
      expect(Buffer.from(header.subarray(4, 36)).reverse().toString('hex')).toBe(fields.prev_hash_display);
      expect(Buffer.from(header.subarray(36, 68)).reverse().toString('hex')).toBe(fields.merkle_root_display);
      expect(header.readUInt32LE(68)).toBe(fields.time);
      expect(header.readUInt32LE(72)).toBe(Number.parseInt(fields.bits, 16));
      expect(header.readUInt32LE(76)).toBe(fields.nonce);
    },
  );
});

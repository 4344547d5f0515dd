import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ShareKeySet } from './share-key-set.ts';

/** A 32-byte hash whose key bytes (the low 16) are `first` then `index` in bytes 4-7 and 12-15. */
function hashOf(first: number, index: number): Buffer {
  const hash = Buffer.alloc(32);
  hash[0] = first;
  hash.writeUInt32LE(index, 4);
  hash.writeUInt32LE(index, 12);
  return hash;
}

describe('share key set', () => {
  it('tells every duplicate among many keys of every first byte, and no first-time share as one', () => {
    const keys = new ShareKeySet();
    const hashes = Array.from({ length: 20_000 }, (_, index) => hashOf(index % 256, index));
    expect(hashes.filter((hash) => keys.add(hash))).toHaveLength(20_000);
    expect(hashes.filter((hash) => keys.add(hash))).toHaveLength(0);
  });

  it('keeps every key of one table through its growth (linear probing over colliding slots)', () => {
    const keys = new ShareKeySet();
    // One first byte (one table) and second words that collide on their low bits.
    const hashes = Array.from({ length: 5_000 }, (_, index) => hashOf(0, index << 16));
    expect(hashes.filter((hash) => keys.add(hash))).toHaveLength(5_000);
    expect(hashes.filter((hash) => keys.add(hash))).toHaveLength(0);
  });

  it('compares all 16 key bytes and none past them', () => {
    const keys = new ShareKeySet();
    const base = randomBytes(32);
    expect(keys.add(base)).toBe(true);
    for (let byte = 1; byte < 16; byte++) {
      const other = Buffer.from(base);
      other[byte] = (other[byte] ?? 0) ^ 0x80;
      expect(keys.add(other), `byte ${String(byte)}`).toBe(true);
    }
    const sameKey = Buffer.from(base);
    sameKey.fill(0xff, 16);
    expect(keys.add(sameKey)).toBe(false);
  });

  it('holds the all-zero key, which marks empty slots in the tables', () => {
    const keys = new ShareKeySet();
    expect(keys.add(Buffer.alloc(32))).toBe(true);
    expect(keys.add(Buffer.alloc(32))).toBe(false);
    expect(keys.add(hashOf(0, 1))).toBe(true);
  });

  it('refuses a hash shorter than a key', () => {
    expect(() => new ShareKeySet().add(Buffer.alloc(15))).toThrow(/16 hash bytes, got 15/);
  });
});

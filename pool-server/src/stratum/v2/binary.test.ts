import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  B0_16M,
  B0_255,
  B0_32,
  B0_64K,
  BOOL,
  decodeValue,
  encodeValue,
  F32,
  option,
  PUBKEY,
  seq0_255,
  seq0_64k,
  SIGNATURE,
  STR0_255,
  U16,
  U24,
  U256,
  U32,
  U64,
  U8,
  type Codec,
} from './binary.ts';
import { Sv2EncodeError } from './reader.ts';

function roundTrip<T>(codec: Codec<T>, arbitrary: fc.Arbitrary<T>): void {
  fc.assert(
    fc.property(arbitrary, (value) => {
      const decoded = decodeValue(codec, encodeValue(codec, value));
      expect(decoded).toEqual({ ok: true, value });
    }),
  );
}

const bytes = (min: number, max: number): fc.Arbitrary<Buffer> =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((array) => Buffer.from(array));

const hex = (text: string): Buffer => Buffer.from(text, 'hex');

describe('round trips', () => {
  it.each([
    ['U8', U8, 0xff],
    ['U16', U16, 0xffff],
    ['U24', U24, 0xffffff],
    ['U32', U32, 0xffffffff],
  ] as const)('%s', (_name, codec, max) => {
    roundTrip(codec, fc.integer({ min: 0, max }));
  });

  it('U64', () => {
    roundTrip(U64, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
  });
  it('BOOL', () => {
    roundTrip(BOOL, fc.boolean());
  });
  it('F32 (binary32 values)', () => {
    roundTrip(F32, fc.float({ noNaN: true }));
  });
  it('U256, PUBKEY, SIGNATURE', () => {
    roundTrip(U256, bytes(32, 32));
    roundTrip(PUBKEY, bytes(32, 32));
    roundTrip(SIGNATURE, bytes(64, 64));
  });
  it('STR0_255 (any text of at most 255 UTF-8 bytes)', () => {
    roundTrip(
      STR0_255,
      fc.string({ unit: 'grapheme', maxLength: 80 }).filter((text) => Buffer.byteLength(text) <= 255),
    );
  });
  it('B0_32, B0_255, B0_64K, B0_16M', () => {
    roundTrip(B0_32, bytes(0, 32));
    roundTrip(B0_255, bytes(0, 255));
    roundTrip(B0_64K, bytes(0, 600));
    roundTrip(B0_16M, bytes(0, 600));
  });
  it('SEQ0_255, SEQ0_64K, OPTION', () => {
    roundTrip(seq0_255(U256), fc.array(bytes(32, 32), { maxLength: 20 }));
    roundTrip(seq0_64k(U16), fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 300 }));
    roundTrip(seq0_64k(B0_16M), fc.array(bytes(0, 40), { maxLength: 10 }));
    roundTrip(option(U32), fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: null }));
  });
  it('the largest values of each bounded type', () => {
    const largest: [Codec<unknown>, unknown][] = [
      [B0_32, Buffer.alloc(32, 7)],
      [B0_255, Buffer.alloc(255, 7)],
      [B0_64K, Buffer.alloc(0xffff, 7)],
      [STR0_255, 'é'.repeat(127) + 'a'],
      [seq0_255(U8), Array.from({ length: 255 }, (_, i) => i)],
      [seq0_64k(BOOL), Array.from({ length: 0xffff }, (_, i) => i % 3 === 0)],
    ];
    for (const [codec, value] of largest) {
      expect(decodeValue(codec, encodeValue(codec, value))).toEqual({ ok: true, value });
    }
    // 16 MiB - 1: compared with Buffer.equals, which a deep equality walks byte by byte far slower.
    const biggest = Buffer.alloc(0xffffff, 7);
    const decoded = decodeValue(B0_16M, encodeValue(B0_16M, biggest));
    expect(decoded.ok && decoded.value.equals(biggest)).toBe(true);
  });
});

describe('encodings, byte for byte', () => {
  it('little-endian integers, U24 in three bytes', () => {
    expect(encodeValue(U16, 0x1234).toString('hex')).toBe('3412');
    expect(encodeValue(U24, 70999).toString('hex')).toBe('571501');
    expect(encodeValue(U32, 0xdeadbeef).toString('hex')).toBe('efbeadde');
    expect(encodeValue(U64, 0x0102030405060708n).toString('hex')).toBe('0807060504030201');
  });

  it('length prefixes of 1, 2 and 3 bytes; sequences count elements, not bytes', () => {
    expect(encodeValue(B0_32, hex('aabb')).toString('hex')).toBe('02aabb');
    expect(encodeValue(B0_64K, hex('aabb')).toString('hex')).toBe('0200aabb');
    expect(encodeValue(B0_16M, hex('aabb')).toString('hex')).toBe('020000aabb');
    expect(encodeValue(seq0_64k(U16), [1, 300]).toString('hex')).toBe('020001002c01');
    expect(encodeValue(seq0_255(B0_255), [hex('aa'), hex('')]).toString('hex')).toBe('0201aa00');
  });

  it('OPTION is a count of 0 or 1 then the value; F32 is binary32 (12.3 as in the fixtures)', () => {
    expect(encodeValue(option(U32), null).toString('hex')).toBe('00');
    expect(encodeValue(option(U32), 5).toString('hex')).toBe('0105000000');
    expect(encodeValue(F32, 12.3).toString('hex')).toBe('cdcc4441');
  });

  it('STR0_255 counts UTF-8 bytes and keeps a leading byte-order mark', () => {
    expect(encodeValue(STR0_255, 'é').toString('hex')).toBe('02c3a9');
    expect(decodeValue(STR0_255, hex('03efbbbf'))).toEqual({ ok: true, value: '\ufeff' });
  });

  it('BOOL reads only the least significant bit', () => {
    expect(decodeValue(BOOL, hex('03'))).toEqual({ ok: true, value: true });
    expect(decodeValue(BOOL, hex('fe'))).toEqual({ ok: true, value: false });
  });
});

describe('malformed input is a typed error naming the field, the length and the bound', () => {
  it('truncated fixed-size values', () => {
    expect(decodeValue(U32, hex('010203'), 'X.nonce')).toEqual({
      ok: false,
      error: {
        kind: 'truncated',
        field: 'X.nonce',
        length: 4,
        max: 3,
        message: 'X.nonce: U32 needs 4 bytes, 3 left',
      },
    });
    expect(decodeValue(U256, Buffer.alloc(31))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
  });

  it('a length prefix past the end of the buffer', () => {
    expect(decodeValue(B0_64K, hex('0500aabb'))).toMatchObject({
      ok: false,
      error: { kind: 'truncated', length: 5, max: 2 },
    });
    expect(decodeValue(B0_16M, hex('ffffff'))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
  });

  it('a length over the type bound, before any byte of it is read', () => {
    const over = Buffer.concat([hex('21'), Buffer.alloc(33)]);
    expect(decodeValue(B0_32, over, 'SubmitSharesExtended.extranonce')).toEqual({
      ok: false,
      error: {
        kind: 'length-over-bound',
        field: 'SubmitSharesExtended.extranonce',
        length: 33,
        max: 32,
        message: 'SubmitSharesExtended.extranonce: B0_32 length 33 is over its maximum 32',
      },
    });
  });

  it('a sequence count the remaining bytes cannot hold is refused before allocation', () => {
    // 65535 U256 elements would need 2 MiB; only 2 bytes follow.
    expect(decodeValue(seq0_64k(U256), hex('ffff0000'))).toMatchObject({
      ok: false,
      error: { kind: 'truncated', length: 65535 * 32, max: 2 },
    });
    expect(decodeValue(seq0_255(B0_16M), hex('05000000'))).toMatchObject({
      ok: false,
      error: { kind: 'truncated', length: 15, max: 3 },
    });
  });

  it('an element error names its index', () => {
    expect(decodeValue(seq0_255(B0_32), hex('020021'), 'list')).toMatchObject({
      ok: false,
      error: { kind: 'length-over-bound', field: 'list[1]' },
    });
  });

  it('an OPTION count over 1', () => {
    expect(decodeValue(option(U32), hex('020100000002000000'))).toMatchObject({
      ok: false,
      error: { kind: 'invalid-option-length', length: 2, max: 1 },
    });
  });

  it('bad UTF-8 in a STR0_255: overlong, lone continuation, surrogate, truncated sequence', () => {
    for (const bad of ['02c0af', '0180', '03eda080', '02e282']) {
      expect(decodeValue(STR0_255, hex(bad))).toMatchObject({ ok: false, error: { kind: 'invalid-utf8' } });
    }
  });

  it('trailing bytes', () => {
    expect(decodeValue(U16, hex('010203'))).toMatchObject({
      ok: false,
      error: { kind: 'trailing-bytes', length: 1 },
    });
  });

  it('never throws on random bytes, for any type', () => {
    const codecs: Codec<unknown>[] = [
      U8,
      U16,
      U24,
      U32,
      U64,
      BOOL,
      F32,
      U256,
      SIGNATURE,
      STR0_255,
      B0_32,
      B0_255,
      B0_64K,
      B0_16M,
      seq0_255(U256),
      seq0_64k(B0_16M),
      seq0_64k(U16),
      option(U32),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...codecs), bytes(0, 80), (codec, input) => {
        const result = decodeValue(codec, input);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) {
          expect(result.error.message).toContain(codec.name.split('[')[0]);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('encoding a value outside its type throws Sv2EncodeError naming the field', () => {
  it.each([
    [U8, 256],
    [U16, -1],
    [U24, 0x1000000],
    [U32, 1.5],
    [U64, -1n],
    [U256, Buffer.alloc(31)],
    [B0_32, Buffer.alloc(33)],
    [B0_255, Buffer.alloc(256)],
    [B0_64K, Buffer.alloc(0x10000)],
    [STR0_255, 'a'.repeat(256)],
    [STR0_255, 'é'.repeat(128)],
    [STR0_255, '\ud800'],
    [seq0_255(U8), Array.from({ length: 256 }, () => 0)],
  ] as [Codec<unknown>, unknown][])('%# %s', (codec, value) => {
    expect(() => encodeValue(codec, value, 'Msg.field')).toThrow(Sv2EncodeError);
    expect(() => encodeValue(codec, value, 'Msg.field')).toThrow(/^Msg\.field: /);
  });
});

/**
 * [sv2 3.1] The data types of Stratum V2, little-endian, each with its exact bounds.
 *
 * A decoder reads from a Buffer it is given and never past its end: every length read from
 * the wire is checked against the bytes still available and against the type's bound before
 * anything is allocated for it (a SEQ0_64K count is checked against its elements' smallest
 * size first). Decoding a peer's bytes never throws out of this folder: `decodeValue` and the
 * message decoder return a `Sv2DecodeError` value. Encoding a value outside its type is a bug
 * in the caller and throws a `Sv2EncodeError` naming the field.
 */

import {
  catchDecode,
  decodeFailure,
  expectEnd,
  Reader,
  Sv2EncodeError,
  type DecodeResult,
} from './reader.ts';

export interface Codec<T> {
  /** The spec's name of the type, e.g. `SEQ0_255[U256]`. */
  readonly name: string;
  /** The fewest bytes a value takes: bounds a sequence's count before it is allocated. */
  readonly minSize: number;
  /** Checks that `value` fits the type and returns its encoded size. */
  byteLength(value: T, field: string): number;
  /** Writes a value that `byteLength` accepted; returns the offset after it. */
  write(value: T, target: Buffer, offset: number): number;
  read(reader: Reader, field: string): T;
}

export type CodecValue<C> = C extends Codec<infer T> ? T : never;

/** A fixed-size value: `accepts` checks what the caller passes, `expected` says it in words. */
function scalar<T>(
  name: string,
  size: number,
  expected: string,
  accepts: (value: T) => boolean,
  write: (value: T, target: Buffer, offset: number) => number,
  read: (bytes: Buffer) => T,
): Codec<T> {
  return {
    name,
    minSize: size,
    byteLength(value, field) {
      if (!accepts(value)) {
        throw new Sv2EncodeError(field, `${name} must be ${expected}, got ${String(value)}`);
      }
      return size;
    },
    write,
    read: (reader, field) => read(reader.take(size, field, name)),
  };
}

function uint(name: string, size: 1 | 2 | 3 | 4): Codec<number> {
  const max = 2 ** (8 * size) - 1;
  return scalar(
    name,
    size,
    `an integer 0-${String(max)}`,
    (value) => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max,
    (value, target, offset) => target.writeUIntLE(value, offset, size),
    (bytes) => bytes.readUIntLE(0, size),
  );
}

export const U8 = uint('U8', 1);
export const U16 = uint('U16', 2);
export const U24 = uint('U24', 3);
export const U32 = uint('U32', 4);

export const U64 = scalar<bigint>(
  'U64',
  8,
  'a bigint 0-2^64-1',
  (value) => typeof value === 'bigint' && value >= 0n && value <= 0xffff_ffff_ffff_ffffn,
  (value, target, offset) => target.writeBigUInt64LE(value, offset),
  (bytes) => bytes.readBigUInt64LE(0),
);

/** [sv2 3.1 BOOL] True is 1; a receiver reads only the least significant bit. */
export const BOOL = scalar<boolean>(
  'BOOL',
  1,
  'a boolean',
  (value) => typeof value === 'boolean',
  (value, target, offset) => target.writeUInt8(value ? 1 : 0, offset),
  (bytes) => ((bytes[0] ?? 0) & 1) === 1,
);

/** IEEE 754 binary32; a number is rounded to the nearest binary32 on the wire. */
export const F32 = scalar<number>(
  'F32',
  4,
  'a number',
  (value) => typeof value === 'number',
  (value, target, offset) => target.writeFloatLE(value, offset),
  (bytes) => bytes.readFloatLE(0),
);

/**
 * [sv2 3.1 BYTES] Raw bytes of a length the context fixes (U256, PUBKEY and SIGNATURE are
 * these), returned as a copy.
 */
export function fixedBytes(name: string, size: number): Codec<Buffer> {
  return {
    name,
    minSize: size,
    byteLength(value, field) {
      if (!Buffer.isBuffer(value) || value.length !== size) {
        throw new Sv2EncodeError(field, `${name} must be ${String(size)} bytes`);
      }
      return size;
    },
    write: (value, target, offset) => offset + value.copy(target, offset),
    read: (reader, field) => Buffer.from(reader.take(size, field, name)),
  };
}

/** [sv2 3.1] Raw little-endian 256-bit integer: a target or a hash as its internal bytes. */
export const U256 = fixedBytes('U256', 32);
/** [sv2 3.1] X coordinate of a secp256k1 key (BIP340). */
export const PUBKEY = fixedBytes('PUBKEY', 32);
/** [sv2 3.1] BIP340 Schnorr signature. */
export const SIGNATURE = fixedBytes('SIGNATURE', 64);

function readLength(reader: Reader, prefixSize: 1 | 2 | 3, field: string, name: string): number {
  return reader.take(prefixSize, field, `${name} length`).readUIntLE(0, prefixSize);
}

function checkLength(length: number, max: number, field: string, name: string): void {
  if (length > max) {
    throw decodeFailure(
      'length-over-bound',
      field,
      `${name} length ${String(length)} is over its maximum ${String(max)}`,
      length,
      max,
    );
  }
}

/** A byte array behind a length prefix of `prefixSize` bytes, at most `max` bytes long. */
function prefixedBytes(name: string, prefixSize: 1 | 2 | 3, max: number): Codec<Buffer> {
  return {
    name,
    minSize: prefixSize,
    byteLength(value, field) {
      if (!Buffer.isBuffer(value) || value.length > max) {
        throw new Sv2EncodeError(field, `${name} must be a Buffer of at most ${String(max)} bytes`);
      }
      return prefixSize + value.length;
    },
    write(value, target, offset) {
      const start = target.writeUIntLE(value.length, offset, prefixSize);
      return start + value.copy(target, start);
    },
    read(reader, field) {
      const length = readLength(reader, prefixSize, field, name);
      checkLength(length, max, field, name);
      return Buffer.from(reader.take(length, field, name));
    },
  };
}

export const B0_32 = prefixedBytes('B0_32', 1, 32);
export const B0_255 = prefixedBytes('B0_255', 1, 255);
export const B0_64K = prefixedBytes('B0_64K', 2, 0xffff);
export const B0_16M = prefixedBytes('B0_16M', 3, 0xff_ffff);

// Keeps a leading U+FEFF as a character: the bytes are the peer's, not a text file's.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * [sv2 3.1 STR0_255] Up to 255 bytes of text. The spec leaves the bytes unconstrained (it
 * "highly recommends" UTF-8); this pool turns them into text it stores and matches
 * (identities, vendors, firmware), so bytes that are not UTF-8 are refused rather than
 * replaced, which would let two different byte strings read as the same name.
 */
export const STR0_255: Codec<string> = {
  name: 'STR0_255',
  minSize: 1,
  byteLength(value, field) {
    if (typeof value !== 'string' || LONE_SURROGATE.test(value)) {
      throw new Sv2EncodeError(field, 'STR0_255 must be a well-formed string');
    }
    const length = Buffer.byteLength(value, 'utf8');
    if (length > 255) {
      throw new Sv2EncodeError(field, `STR0_255 is ${String(length)} UTF-8 bytes, over its maximum 255`);
    }
    return 1 + length;
  },
  write(value, target, offset) {
    const length = target.write(value, offset + 1, 'utf8');
    target.writeUInt8(length, offset);
    return offset + 1 + length;
  },
  read(reader, field) {
    const length = readLength(reader, 1, field, 'STR0_255');
    const bytes = reader.take(length, field, 'STR0_255');
    try {
      return strictUtf8.decode(bytes);
    } catch {
      throw decodeFailure(
        'invalid-utf8',
        field,
        `STR0_255 of ${String(length)} bytes is not valid UTF-8`,
        length,
      );
    }
  },
};

/** A sequence behind a count prefix of `prefixSize` bytes, at most `max` elements. */
function sequence<T>(name: string, prefixSize: 1 | 2, max: number, element: Codec<T>): Codec<readonly T[]> {
  const fullName = `${name}[${element.name}]`;
  return {
    name: fullName,
    minSize: prefixSize,
    byteLength(value, field) {
      // Checked as unknown: narrowing `value` itself would widen its elements to any.
      const unchecked: unknown = value;
      if (!Array.isArray(unchecked) || unchecked.length > max) {
        throw new Sv2EncodeError(field, `${fullName} must be an array of at most ${String(max)} elements`);
      }
      let size = prefixSize;
      value.forEach((item, index) => {
        size += element.byteLength(item, `${field}[${String(index)}]`);
      });
      return size;
    },
    write(value, target, offset) {
      let next = target.writeUIntLE(value.length, offset, prefixSize);
      for (const item of value) {
        next = element.write(item, target, next);
      }
      return next;
    },
    read(reader, field) {
      const count = readLength(reader, prefixSize, field, fullName);
      checkLength(count, max, field, fullName);
      // The count is the peer's word: no array is sized by it until the bytes for it are here.
      const needed = count * element.minSize;
      if (needed > reader.remaining) {
        throw decodeFailure(
          'truncated',
          field,
          `${fullName} of ${String(count)} elements needs at least ${String(needed)} bytes, ${String(reader.remaining)} left`,
          needed,
          reader.remaining,
        );
      }
      const items: T[] = [];
      for (let index = 0; index < count; index++) {
        items.push(element.read(reader, `${field}[${String(index)}]`));
      }
      return items;
    },
  };
}

export function seq0_255<T>(element: Codec<T>): Codec<readonly T[]> {
  return sequence('SEQ0_255', 1, 255, element);
}

export function seq0_64k<T>(element: Codec<T>): Codec<readonly T[]> {
  return sequence('SEQ0_64K', 2, 0xffff, element);
}

/** [sv2 3.1 OPTION[T]] SEQ0_1[T]: a count byte of 0 or 1, then the value when it is 1. */
export function option<T>(element: Codec<T>): Codec<T | null> {
  const name = `OPTION[${element.name}]`;
  return {
    name,
    minSize: 1,
    byteLength: (value, field) => (value === null ? 1 : 1 + element.byteLength(value, field)),
    write(value, target, offset) {
      if (value === null) {
        return target.writeUInt8(0, offset);
      }
      return element.write(value, target, target.writeUInt8(1, offset));
    },
    read(reader, field) {
      const count = readLength(reader, 1, field, name);
      if (count > 1) {
        throw decodeFailure(
          'invalid-option-length',
          field,
          `${name} count ${String(count)} is over 1`,
          count,
          1,
        );
      }
      return count === 0 ? null : element.read(reader, field);
    },
  };
}

/** Encodes one value of a type on its own (tests, and fields built outside a message). */
export function encodeValue<T>(codec: Codec<T>, value: T, field = codec.name): Buffer {
  const out = Buffer.allocUnsafe(codec.byteLength(value, field));
  codec.write(value, out, 0);
  return out;
}

/** Decodes exactly one value filling `bytes`; anything left over is `trailing-bytes`. */
export function decodeValue<T>(codec: Codec<T>, bytes: Buffer, field = codec.name): DecodeResult<T> {
  return catchDecode(() => {
    const reader = new Reader(bytes);
    const value = codec.read(reader, field);
    expectEnd(reader, field);
    return value;
  });
}

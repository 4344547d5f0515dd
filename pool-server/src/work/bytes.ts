/**
 * Byte helpers for the forms a 32-byte hash takes (see test/fixtures/vectors/NOTES.md):
 * internal (as serialized and as sha256d returns it), display (reversed, as RPC prints
 * it) and stratum (internal with each 4-byte word byte-swapped: mining.notify prevhash).
 */

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) {
  HEX_VALUE[0x30 + i] = i;
}
for (let i = 0; i < 6; i++) {
  HEX_VALUE[0x41 + i] = 10 + i;
  HEX_VALUE[0x61 + i] = 10 + i;
}

function hexDigit(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? (HEX_VALUE[code] ?? -1) : -1;
}

/** True when `text` is an even-length string of hex digits (either case). */
export function isHex(text: string): boolean {
  if (text.length % 2 !== 0) {
    return false;
  }
  for (let i = 0; i < text.length; i++) {
    if (hexDigit(text, i) < 0) {
      return false;
    }
  }
  return true;
}

/**
 * Decodes `text` (exactly `2 * length` hex digits) into `target` at `offset`.
 * Returns false, leaving `target` partly written, when a digit is not hex.
 */
export function decodeHexInto(text: string, target: Uint8Array, offset: number, length: number): boolean {
  for (let i = 0; i < length; i++) {
    const high = hexDigit(text, 2 * i);
    const low = hexDigit(text, 2 * i + 1);
    if (high < 0 || low < 0) {
      return false;
    }
    target[offset + i] = (high << 4) | low;
  }
  return true;
}

/** Parses exactly 8 hex digits as a big-endian uint32, or returns -1. */
export function parseHexU32(text: string): number {
  if (text.length !== 8) {
    return -1;
  }
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const digit = hexDigit(text, i);
    if (digit < 0) {
      return -1;
    }
    value = value * 16 + digit;
  }
  return value;
}

/** The uint32 as 8 big-endian hex digits: the Stratum form of version, nbits, ntime and nonce. */
export function u32ToHex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

/** Decodes hex that the caller has a reason to trust; throws on anything else. */
export function hexToBytes(text: string, what: string): Buffer {
  if (!isHex(text)) {
    throw new TypeError(`${what} is not an even-length hex string`);
  }
  return Buffer.from(text, 'hex');
}

export function reverseBytes(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes).reverse();
}

/** Reverses the bytes inside each 4-byte word and keeps the word order. */
export function swapWords32(bytes: Uint8Array): Buffer {
  if (bytes.length % 4 !== 0) {
    throw new RangeError('swapWords32 needs a multiple of 4 bytes');
  }
  return Buffer.from(bytes).swap32();
}

/** [stratum: mining.notify] prevhash from the display hex that getblocktemplate returns. */
export function displayHashToStratum(displayHex: string): string {
  return swapWords32(reverseBytes(hexToBytes(displayHex, 'hash'))).toString('hex');
}

/** Bitcoin's CompactSize integer. */
export function encodeVarInt(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`varint out of range: ${String(value)}`);
  }
  if (value < 0xfd) {
    return Buffer.from([value]);
  }
  if (value <= 0xffff) {
    const out = Buffer.alloc(3);
    out[0] = 0xfd;
    out.writeUInt16LE(value, 1);
    return out;
  }
  if (value <= 0xffffffff) {
    const out = Buffer.alloc(5);
    out[0] = 0xfe;
    out.writeUInt32LE(value, 1);
    return out;
  }
  const out = Buffer.alloc(9);
  out[0] = 0xff;
  out.writeBigUInt64LE(BigInt(value), 1);
  return out;
}

export function u32LE(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(value >>> 0);
  return out;
}

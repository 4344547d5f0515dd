/**
 * Targets and difficulty. A target is a 256-bit integer; a hash meets it when the
 * hash, read as a little-endian integer from its internal bytes, is not above it.
 * Pool difficulty ("pdiff") 1 is the target 0x00000000FFFF0000…0000 = 0xFFFF·2^208.
 */

const UINT256_MAX = (1n << 256n) - 1n;

export const DIFF1_TARGET = 0xffffn << 208n;
const DIFF1_NUMBER = 0xffff * 2 ** 208;

export interface CompactTarget {
  readonly target: bigint;
  /** The 0x00800000 sign bit with a non-zero mantissa: invalid for proof of work. */
  readonly negative: boolean;
  /** The exponent pushes mantissa bits beyond 256 bits. */
  readonly overflow: boolean;
}

/** nbits -> target, as Bitcoin Core's arith_uint256::SetCompact. */
export function decodeCompact(bits: number): CompactTarget {
  const size = bits >>> 24;
  let word = bits & 0x007fffff;
  let target: bigint;
  if (size <= 3) {
    word >>>= 8 * (3 - size);
    target = BigInt(word);
  } else {
    target = (BigInt(word) << BigInt(8 * (size - 3))) & UINT256_MAX;
  }
  return {
    target,
    negative: word !== 0 && (bits & 0x00800000) !== 0,
    overflow: word !== 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32)),
  };
}

/** target -> nbits, as Bitcoin Core's arith_uint256::GetCompact (non-negative). */
export function encodeCompact(target: bigint): number {
  if (target < 0n || target > UINT256_MAX) {
    throw new RangeError('target must be a 256-bit unsigned integer');
  }
  let size = Math.ceil(target.toString(2).length / 8);
  if (target === 0n) {
    size = 0;
  }
  let compact =
    size <= 3 ? Number(target << BigInt(8 * (3 - size))) : Number(target >> BigInt(8 * (size - 3)));
  if (compact & 0x00800000) {
    compact >>>= 8;
    size += 1;
  }
  return (compact | (size << 24)) >>> 0;
}

/** Network difficulty of nbits as Bitcoin Core's GetDifficulty prints it (24-bit mantissa). */
export function difficultyFromBits(bits: number): number {
  let shift = (bits >>> 24) & 0xff;
  let difficulty = 0x0000ffff / (bits & 0x00ffffff);
  while (shift < 29) {
    difficulty *= 256;
    shift++;
  }
  while (shift > 29) {
    difficulty /= 256;
    shift--;
  }
  return difficulty;
}

export function difficultyFromTarget(target: bigint): number {
  return target === 0n ? Infinity : DIFF1_NUMBER / Number(target);
}

/** floor(diff1 / difficulty), exact for any positive finite difficulty, capped at 2^256 - 1. */
export function targetFromDifficulty(difficulty: number): bigint {
  if (!Number.isFinite(difficulty) || difficulty <= 0) {
    throw new RangeError(`difficulty must be a positive finite number, got ${String(difficulty)}`);
  }
  // difficulty = scaled / 2^shift exactly, with scaled an integer: doubling a double is exact.
  let scaled = difficulty;
  let shift = 0n;
  while (!Number.isInteger(scaled)) {
    scaled *= 2;
    shift++;
  }
  const target = (DIFF1_TARGET << shift) / BigInt(scaled);
  return target > UINT256_MAX ? UINT256_MAX : target;
}

/** The target as 32 little-endian bytes: the byte order of a hash's internal form. */
export function targetToBytesLE(target: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let rest = target;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** True when the hash (internal bytes) is at or below the target (32 LE bytes). */
export function hashMeetsTarget(hashInternal: Uint8Array, targetLE: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const h = hashInternal[i] ?? 0;
    const t = targetLE[i] ?? 0;
    if (h !== t) {
      return h < t;
    }
  }
  return true;
}

/** Share difficulty of a hash: diff1 / hash. Floating point; decisions use hashMeetsTarget. */
export function difficultyOfHash(hashInternal: Uint8Array): number {
  let value = 0;
  for (let i = 31; i >= 0; i--) {
    value = value * 256 + (hashInternal[i] ?? 0);
  }
  return value === 0 ? Infinity : DIFF1_NUMBER / value;
}

/**
 * Byte layouts shared with native/share-hash.c. All integers are little-endian u32.
 *
 * Job buffer, built once per job:
 *   0 coinb1 length | 4 coinb2 length | 8 branch count | 12 nbits (header bytes)
 *   16 prevhash, internal order (32) | 48 branch hashes (32 each), coinb1, coinb2
 *
 * Share buffer, one per hasher, rewritten for every share:
 *   0 extranonce1 length | 4 extranonce2 length | 8 extranonce1 (max 8) | 16 extranonce2 (max 8)
 *   24 header version | 28 ntime | 32 nonce | 64 header out (80) | 144 hash out (32, internal)
 */
export const JOB_COINB1_LENGTH = 0;
export const JOB_COINB2_LENGTH = 4;
export const JOB_BRANCH_COUNT = 8;
export const JOB_BITS = 12;
export const JOB_PREVHASH = 16;
export const JOB_VARIABLE = 48;

export const SHARE_EXTRANONCE1_LENGTH = 0;
export const SHARE_EXTRANONCE2_LENGTH = 4;
export const SHARE_EXTRANONCE1 = 8;
export const SHARE_EXTRANONCE2 = 16;
export const SHARE_VERSION = 24;
export const SHARE_NTIME = 28;
export const SHARE_NONCE = 32;
export const SHARE_HEADER = 64;
export const SHARE_HASH = 144;
export const SHARE_SIZE = 176;

export const EXTRANONCE_MAX = 8;

/** What a share is hashed from: the parts of a job that do not change between shares. */
export interface JobWork {
  readonly coinb1: Buffer;
  readonly coinb2: Buffer;
  readonly merkleBranch: readonly Buffer[];
  readonly prevhashInternal: Buffer;
  readonly bits: number;
  /** The same, packed for the native hasher. */
  readonly packed: Uint8Array;
}

export function createJobWork(
  coinb1: Buffer,
  coinb2: Buffer,
  merkleBranch: readonly Buffer[],
  prevhashInternal: Buffer,
  bits: number,
): JobWork {
  const branchBytes = 32 * merkleBranch.length;
  const packed = Buffer.alloc(JOB_VARIABLE + branchBytes + coinb1.length + coinb2.length);
  packed.writeUInt32LE(coinb1.length, JOB_COINB1_LENGTH);
  packed.writeUInt32LE(coinb2.length, JOB_COINB2_LENGTH);
  packed.writeUInt32LE(merkleBranch.length, JOB_BRANCH_COUNT);
  packed.writeUInt32LE(bits, JOB_BITS);
  prevhashInternal.copy(packed, JOB_PREVHASH);
  merkleBranch.forEach((hash, index) => hash.copy(packed, JOB_VARIABLE + 32 * index));
  coinb1.copy(packed, JOB_VARIABLE + branchBytes);
  coinb2.copy(packed, JOB_VARIABLE + branchBytes + coinb1.length);
  return { coinb1, coinb2, merkleBranch, prevhashInternal, bits, packed };
}

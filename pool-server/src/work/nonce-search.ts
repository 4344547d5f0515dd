import { swapWords32, u32ToHex } from './bytes.ts';
import type { NotifyParams } from './job.ts';
import type { ShareHasher } from './share-hasher.ts';
import { createJobWork } from './share-work-layout.ts';
import { hashMeetsTarget, targetFromDifficulty, targetToBytesLE } from './target.ts';

/**
 * What a miner's firmware does with a mining.notify: search nonces for a share, from
 * the wire fields alone. The demo's CPU miners and the tests' miner use it.
 */

export interface FoundShare {
  readonly extranonce2: string;
  readonly ntime: string;
  readonly nonce: string;
  /** sha256d of the header, internal byte order. */
  readonly hash: Buffer;
}

export interface NonceRange {
  readonly extranonce2: string;
  readonly startNonce: number;
  readonly count: number;
  /** Header version to use instead of the job's (version rolling). */
  readonly version?: number | undefined;
  /** Look for a hash that does NOT meet the difficulty (tests of low-difficulty submits). */
  readonly miss?: boolean | undefined;
}

export function searchShare(
  hasher: ShareHasher,
  notify: NotifyParams,
  extranonce1: Buffer,
  difficulty: number,
  range: NonceRange,
): FoundShare | undefined {
  const [, prevhash, coinb1, coinb2, branch, versionHex, nbits, ntime] = notify;
  const work = createJobWork(
    Buffer.from(coinb1, 'hex'),
    Buffer.from(coinb2, 'hex'),
    branch.map((hash) => Buffer.from(hash, 'hex')),
    swapWords32(Buffer.from(prevhash, 'hex')),
    Number.parseInt(nbits, 16),
  );
  const target = targetToBytesLE(targetFromDifficulty(difficulty));
  const version = range.version ?? Number.parseInt(versionHex, 16);
  const time = Number.parseInt(ntime, 16);
  const wanted = !(range.miss ?? false);
  for (let nonce = range.startNonce; nonce < range.startNonce + range.count; nonce++) {
    hasher.hashShare(work, extranonce1, range.extranonce2, version, time, nonce >>> 0);
    if (hashMeetsTarget(hasher.hash, target) === wanted) {
      return {
        extranonce2: range.extranonce2,
        ntime,
        nonce: u32ToHex(nonce >>> 0),
        hash: Buffer.from(hasher.hash),
      };
    }
  }
  return undefined;
}

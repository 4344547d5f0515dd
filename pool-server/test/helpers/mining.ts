/**
 * A CPU miner for tests: searches nonces for a share of a mining.notify job, as a
 * miner's firmware would, from the wire fields alone.
 */
import { swapWords32, u32ToHex } from '../../src/work/bytes.ts';
import type { NotifyParams } from '../../src/work/job.ts';
import { createShareHasher } from '../../src/work/share-hasher.ts';
import { createJobWork } from '../../src/work/share-work-layout.ts';
import { hashMeetsTarget, targetFromDifficulty, targetToBytesLE } from '../../src/work/target.ts';

const hasher = createShareHasher();

export interface MinedShare {
  readonly extranonce2: string;
  readonly ntime: string;
  readonly nonce: string;
  /** sha256d of the header, internal byte order. */
  readonly hash: Buffer;
}

export interface MineOptions {
  readonly extranonce2?: string;
  /** Header version to use instead of the job's (version rolling). */
  readonly version?: number;
  /** Stop at the first nonce at or above this one. */
  readonly startNonce?: number;
  /** Find a share that does NOT meet the difficulty (for low-difficulty tests). */
  readonly miss?: boolean;
  readonly maxNonces?: number;
}

export function mineShare(
  notify: NotifyParams,
  extranonce1: Buffer,
  extranonce2Size: number,
  difficulty: number,
  options: MineOptions = {},
): MinedShare {
  const [, prevhash, coinb1, coinb2, branch, versionHex, nbits, ntime] = notify;
  const work = createJobWork(
    Buffer.from(coinb1, 'hex'),
    Buffer.from(coinb2, 'hex'),
    branch.map((hash) => Buffer.from(hash, 'hex')),
    swapWords32(Buffer.from(prevhash, 'hex')),
    Number.parseInt(nbits, 16),
  );
  const extranonce2 = options.extranonce2 ?? '00'.repeat(extranonce2Size);
  const target = targetToBytesLE(targetFromDifficulty(difficulty));
  const version = options.version ?? Number.parseInt(versionHex, 16);
  const time = Number.parseInt(ntime, 16);
  const start = options.startNonce ?? 0;
  const limit = options.maxNonces ?? 50_000_000;
  for (let nonce = start; nonce < start + limit; nonce++) {
    hasher.hashShare(work, extranonce1, extranonce2, version, time, nonce >>> 0);
    if (hashMeetsTarget(hasher.hash, target) !== (options.miss ?? false)) {
      return { extranonce2, ntime, nonce: u32ToHex(nonce >>> 0), hash: Buffer.from(hasher.hash) };
    }
  }
  throw new Error(`no share of difficulty ${String(difficulty)} in ${String(limit)} nonces`);
}

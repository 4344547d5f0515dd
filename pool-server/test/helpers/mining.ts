/**
 * A CPU miner for tests: searches nonces for a share of a mining.notify job, as a
 * miner's firmware would, from the wire fields alone.
 */
import type { NotifyParams } from '../../src/work/job.ts';
import { searchShare, type FoundShare } from '../../src/work/nonce-search.ts';
import { createShareHasher } from '../../src/work/share-hasher.ts';

const hasher = createShareHasher();

export type MinedShare = FoundShare;

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
  const count = options.maxNonces ?? 50_000_000;
  const found = searchShare(hasher, notify, extranonce1, difficulty, {
    extranonce2: options.extranonce2 ?? '00'.repeat(extranonce2Size),
    startNonce: options.startNonce ?? 0,
    count,
    version: options.version,
    miss: options.miss,
  });
  if (!found) {
    throw new Error(`no share of difficulty ${String(difficulty)} in ${String(count)} nonces`);
  }
  return found;
}

import { isHex, parseHexU32 } from './bytes.ts';
import type { Job } from './job.ts';
import type { JobRegistry } from './job-registry.ts';
import type { ShareHasher } from './share-hasher.ts';
import { difficultyOfHash, hashMeetsTarget } from './target.ts';
import { rollVersion } from './version-rolling.ts';

/** [Bitcoin Core chain.h MAX_FUTURE_BLOCK_TIME] a block may be at most 2 h ahead. */
export const MAX_NTIME_AHEAD_SECONDS = 2 * 60 * 60;
/** Longer than any address plus worker name that firmware sends. */
export const MAX_WORKER_LENGTH = 256;
const MAX_JOB_ID_LENGTH = 64;

/** Stable reasons for a refused share: logs and metrics key on them. */
export type RejectReason =
  | 'malformed-params'
  | 'malformed-extranonce2'
  | 'bad-extranonce2-size'
  | 'malformed-ntime'
  | 'malformed-nonce'
  | 'malformed-version'
  | 'unknown-job'
  | 'stale'
  | 'ntime-out-of-range'
  | 'bad-version-bits'
  | 'duplicate'
  | 'low-diff';

/** What validation needs to know of the miner's session. */
export interface ShareSession {
  readonly extranonce1: Uint8Array;
  readonly extranonce2Size: number;
  /** [BIP310] the negotiated mask; 0 when the miner never sent mining.configure. */
  readonly versionMask: number;
  /** The share target the session's difficulty gives, as 32 little-endian bytes. */
  readonly shareTargetLE: Uint8Array;
}

export interface AcceptedShare {
  readonly ok: true;
  readonly job: Job;
  readonly worker: string;
  /** Lower-case hex, as it goes into the coinbase. */
  readonly extranonce2: string;
  readonly version: number;
  readonly ntime: number;
  readonly nonce: number;
  readonly header: Buffer;
  /** sha256d(header), internal byte order. */
  readonly hash: Buffer;
  /** The difficulty the hash achieved. */
  readonly difficulty: number;
  /** The hash meets the network target: submit the block. */
  readonly isBlock: boolean;
  /** False only for a block whose hash misses the session's share target (regtest, signet). */
  readonly meetsShareTarget: boolean;
}

export interface RejectedShare {
  readonly ok: false;
  readonly reason: RejectReason;
  readonly message: string;
  /** For low-diff rejections: the difficulty the hash achieved. */
  readonly difficulty?: number;
}

export type ShareResult = AcceptedShare | RejectedShare;

function reject(reason: RejectReason, message: string): RejectedShare {
  return { ok: false, reason, message };
}

function describe(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 20 ? `a string of ${String(value.length)} characters` : JSON.stringify(value);
  }
  return value === null ? 'null' : typeof value;
}

/** An 8-hex-digit field of mining.submit, or -1. Length is checked before content. */
function parseU32Field(value: unknown): number {
  return typeof value === 'string' ? parseHexU32(value) : -1;
}

/**
 * [stratum: mining.submit] params = [worker, job_id, extranonce2, ntime, nonce, version_bits?].
 * Validates one share and never throws: every refusal is a value with a reason.
 */
export function validateShare(
  registry: JobRegistry,
  session: ShareSession,
  hasher: ShareHasher,
  params: unknown,
): ShareResult {
  if (!Array.isArray(params) || params.length < 5) {
    return reject(
      'malformed-params',
      'mining.submit takes [worker, job_id, extranonce2, ntime, nonce, version_bits?]',
    );
  }
  const [worker, jobId, extranonce2, ntimeHex, nonceHex, versionHex] = params as unknown[];
  if (typeof worker !== 'string' || worker.length === 0 || worker.length > MAX_WORKER_LENGTH) {
    return reject(
      'malformed-params',
      `worker must be a string of 1 to ${String(MAX_WORKER_LENGTH)} characters, got ${describe(worker)}`,
    );
  }
  if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > MAX_JOB_ID_LENGTH) {
    return reject('malformed-params', `job_id must be a non-empty string, got ${describe(jobId)}`);
  }
  const expectedDigits = 2 * session.extranonce2Size;
  if (typeof extranonce2 !== 'string') {
    return reject('malformed-extranonce2', `extranonce2 must be a hex string, got ${describe(extranonce2)}`);
  }
  if (extranonce2.length !== expectedDigits) {
    return reject(
      'bad-extranonce2-size',
      `extranonce2 must be ${String(expectedDigits)} hex digits (${String(session.extranonce2Size)} bytes), got ${String(extranonce2.length)}`,
    );
  }
  if (!isHex(extranonce2)) {
    return reject('malformed-extranonce2', `extranonce2 must be hex, got ${describe(extranonce2)}`);
  }
  const ntime = parseU32Field(ntimeHex);
  if (ntime < 0) {
    return reject('malformed-ntime', `ntime must be 8 hex digits, got ${describe(ntimeHex)}`);
  }
  const nonce = parseU32Field(nonceHex);
  if (nonce < 0) {
    return reject('malformed-nonce', `nonce must be 8 hex digits, got ${describe(nonceHex)}`);
  }
  let versionBits = 0;
  if (versionHex !== undefined && versionHex !== null) {
    versionBits = parseU32Field(versionHex);
    if (versionBits < 0) {
      return reject('malformed-version', `version_bits must be 8 hex digits, got ${describe(versionHex)}`);
    }
  }

  const job = registry.find(jobId);
  if (job === undefined) {
    return reject('unknown-job', `job ${describe(jobId)} was never issued to this pool or is long gone`);
  }
  if (job === 'stale') {
    return reject('stale', `job ${describe(jobId)} is stale: the pool has moved to newer work`);
  }
  const { template } = job;
  if (ntime < template.mintime || ntime > template.curtime + MAX_NTIME_AHEAD_SECONDS) {
    return reject(
      'ntime-out-of-range',
      `ntime ${String(ntime)} is outside [${String(template.mintime)}, ${String(template.curtime + MAX_NTIME_AHEAD_SECONDS)}]`,
    );
  }
  const version = rollVersion(template.version, versionBits, session.versionMask);
  if (version === undefined) {
    return reject(
      'bad-version-bits',
      `version_bits ${describe(versionHex)} reach outside the negotiated mask ${session.versionMask.toString(16).padStart(8, '0')}`,
    );
  }

  hasher.hashShare(job.work, session.extranonce1, extranonce2, version, ntime, nonce);
  const isBlock = hashMeetsTarget(hasher.hash, template.networkTargetLE);
  const meetsShareTarget = hashMeetsTarget(hasher.hash, session.shareTargetLE);
  if (!meetsShareTarget && !isBlock) {
    const difficulty = difficultyOfHash(hasher.hash);
    return {
      ok: false,
      reason: 'low-diff',
      message: `share difficulty ${difficulty.toPrecision(6)} is below the assigned difficulty`,
      difficulty,
    };
  }
  if (!registry.recordShare(job.id, hasher.hash)) {
    return reject('duplicate', 'this share was already submitted');
  }
  const out = Buffer.allocUnsafe(112);
  out.set(hasher.header, 0);
  out.set(hasher.hash, 80);
  const hash = out.subarray(80);
  return {
    ok: true,
    job,
    worker,
    extranonce2: extranonce2.toLowerCase(),
    version,
    ntime,
    nonce,
    header: out.subarray(0, 80),
    hash,
    difficulty: difficultyOfHash(hash),
    isBlock,
    meetsShareTarget,
  };
}

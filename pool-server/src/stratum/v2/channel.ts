/**
 * One mining channel's state and the pure steps on it: the job messages it gets for a V1
 * job, its target, and a submitted share checked with V1's validateShare. [sv2 5.2, 5.3]
 */
import { u32ToHex } from '../../work/bytes.ts';
import type { JobRegistry } from '../../work/job-registry.ts';
import type { Job } from '../../work/job.ts';
import { difficultyFromTarget, targetFromDifficulty, targetToBytesLE } from '../../work/target.ts';
import {
  validateShare,
  type RejectReason,
  type ShareResult,
  type ShareSession,
} from '../../work/validate-share.ts';
import { extranonceToBytes } from '../extranonce.ts';
import type { StratumEnvironment } from '../session-context.ts';
import { Vardiff } from '../vardiff.ts';
import type { WorkerIdentity } from '../worker-identity.ts';
import { u256ToBigInt, type Sv2Channel } from './channels.ts';
import { jobParts, toNewExtendedMiningJob, toNewMiningJob, toSetNewPrevHash } from './job-translation.ts';
import type { MessageOf, Sv2Message } from './message-table.ts';
import { OpenMiningChannelErrorCode, SubmitSharesErrorCode } from './protocol-constants.ts';

/** A channel's mining state beside its bookkeeping (channels.ts: id, kind, prefix, targets). */
export interface MiningChannel {
  readonly book: Sv2Channel;
  readonly identity: WorkerIdentity;
  /** The 4 bytes of the book's extranonce1, as the coinbase holds them; SetExtranoncePrefix changes it. */
  extranonce1: Buffer;
  readonly registry: JobRegistry;
  /** A SOLO channel's coinbase pays this; undefined for the pool. */
  readonly soloScript: Buffer | undefined;
  readonly vardiff: Vardiff;
  /** The difficulty in force when each recent V2 job was sent. */
  readonly jobDifficulty: Map<number, number>;
  sentJob: Job | undefined;
  sentPrevhash: Buffer | undefined;
  /**
   * [sv2 5.3.18] An extended channel of a connection that selects its own work: it mines
   * only the jobs it sets with SetCustomMiningJob, in a registry of its own.
   */
  readonly customJobs: boolean;
  /** The V2 job id the next custom job gets. */
  nextCustomJobId: number;
  /** Reused for every share: validateShare reads it. */
  readonly shareSession: { -readonly [K in keyof ShareSession]: ShareSession[K] };
  /** The last share target computed, and what it was computed from: most shares reuse it. */
  shareTarget:
    { readonly difficulty: number; readonly maxTarget: bigint; readonly bytes: Buffer } | undefined;
}

const MAX_REMEMBERED_JOBS = 32;
/** V1 job ids are hex counters; one that is not a U32 cannot travel as a V2 job id. */
const V2_JOB_ID = /^[0-9a-f]{1,8}$/;

/** [sv2 5.3.14] SubmitShares.Error codes for V1's reasons; the spec's where it has one. */
export const SUBMIT_ERROR: Readonly<Record<RejectReason, string>> = {
  'unknown-job': SubmitSharesErrorCode.invalidJobId,
  stale: SubmitSharesErrorCode.staleShare,
  'low-diff': SubmitSharesErrorCode.difficultyTooLow,
  duplicate: SubmitSharesErrorCode.duplicateShare,
  'bad-extranonce2-size': SubmitSharesErrorCode.badExtranonceSize,
  // The spec names no code for these; V1's reason says what is wrong.
  'ntime-out-of-range': 'ntime-out-of-range',
  'bad-version-bits': 'bad-version-bits',
  'malformed-params': 'malformed-params',
  'malformed-extranonce2': 'malformed-extranonce2',
  'malformed-ntime': 'malformed-ntime',
  'malformed-nonce': 'malformed-nonce',
  'malformed-version': 'malformed-version',
};

/** A difficulty as the channel's U256 target: never easier than the miner's max_target. */
export function channelTarget(channel: MiningChannel, difficulty: number): Buffer {
  const target = targetFromDifficulty(difficulty);
  const { maxTarget } = channel.book;
  return Buffer.from(targetToBytesLE(target < maxTarget ? target : maxTarget));
}

/** channelTarget, computed again only when the difficulty or the miner's max_target moved. */
function shareTargetOf(channel: MiningChannel, difficulty: number): Buffer {
  const cached = channel.shareTarget;
  const { maxTarget } = channel.book;
  if (cached?.difficulty === difficulty && cached.maxTarget === maxTarget) {
    return cached.bytes;
  }
  const bytes = channelTarget(channel, difficulty);
  channel.shareTarget = { difficulty, maxTarget, bytes };
  return bytes;
}

/**
 * [sv2 5.3.15–5.3.17] The messages that give `channel` the V1 `job`: on a new previous
 * block a future job and the SetNewPrevHash that starts it (the old jobs end: V1's
 * clean_jobs), otherwise a job that starts at once. Undefined when its id cannot be a U32.
 */
export function jobMessages(channel: MiningChannel, job: Job): Sv2Message[] | undefined {
  const jobId = v2JobId(job);
  if (jobId === undefined) {
    return undefined;
  }
  const parts = jobParts(job);
  const newBlock = job.cleanJobs || !channel.sentPrevhash?.equals(job.template.prevhashInternal);
  const { channelId, kind, extranoncePrefix } = channel.book;
  const address = { channelId, jobId, future: newBlock };
  const messages: Sv2Message[] = [
    kind === 'standard'
      ? toNewMiningJob(parts, address, extranoncePrefix)
      : toNewExtendedMiningJob(parts, address, channel.shareSession.versionMask !== 0),
  ];
  if (newBlock) {
    messages.push(toSetNewPrevHash(parts, channelId, jobId));
  }
  channel.sentJob = job;
  channel.sentPrevhash = job.template.prevhashInternal;
  rememberJobDifficulty(channel, jobId);
  return messages;
}

/** A V1 job's id as the V2 job id (its hex counter's number); undefined when it is not a U32. */
export function v2JobId(job: Job): number | undefined {
  return V2_JOB_ID.test(job.id) ? Number.parseInt(job.id, 16) : undefined;
}

/** Records the difficulty in force as V2 job `jobId` goes out; only the recent jobs' are kept. */
export function rememberJobDifficulty(channel: MiningChannel, jobId: number): void {
  channel.jobDifficulty.set(jobId, channel.vardiff.difficulty);
  if (channel.jobDifficulty.size > MAX_REMEMBERED_JOBS) {
    const [oldest] = channel.jobDifficulty.keys();
    if (oldest !== undefined) {
      channel.jobDifficulty.delete(oldest);
    }
  }
}

/**
 * [sv2 5.3.12, 5.3.13] A share checked as V1 checks one: the header built from the
 * channel's job and extranonce, the version within the mask, ntime and nonce. Judged at
 * the easier of the difficulty its job was sent at and the current one (a SetTarget
 * reaches the miner after work it already started), which is also the `difficulty` it counts for.
 */
export function checkShare(
  env: StratumEnvironment,
  channel: MiningChannel,
  message: MessageOf<'SubmitSharesStandard'> | MessageOf<'SubmitSharesExtended'>,
): { readonly result: ShareResult; readonly difficulty: number } {
  const extranonce2 =
    message.type === 'SubmitSharesExtended'
      ? message.extranonce.toString('hex')
      : '00'.repeat(env.settings.extranonce2Size);
  const v1JobId = message.job_id.toString(16);
  const found = channel.registry.find(v1JobId);
  // A custom job's registry never hears of the pool's new blocks: its jobs on an old one are stale here.
  if (
    channel.customJobs &&
    typeof found === 'object' &&
    !env.feed.template?.prevhashInternal.equals(found.template.prevhashInternal)
  ) {
    return {
      result: {
        ok: false,
        reason: 'stale',
        message: 'the custom job is on a block the network has moved past',
      },
      difficulty: channel.vardiff.difficulty,
    };
  }
  // V2 sends the whole version: the bits outside the mask must be the job's, as with V1's version_bits.
  const mask = channel.shareSession.versionMask;
  const versionBits =
    typeof found === 'object'
      ? ((message.version & mask) | ((message.version ^ found.template.version) & ~mask)) >>> 0
      : 0;
  const current = channel.vardiff.difficulty;
  const difficulty = Math.min(channel.jobDifficulty.get(message.job_id) ?? current, current);
  channel.shareSession.shareTargetLE = shareTargetOf(channel, difficulty);
  const result = validateShare(channel.registry, channel.shareSession, env.hasher, [
    channel.identity.worker,
    v1JobId,
    extranonce2,
    u32ToHex(message.ntime),
    u32ToHex(message.nonce),
    u32ToHex(versionBits),
  ]);
  return { result, difficulty };
}
/** Who a channel mines for, once its user identity is authorized. */
export interface AdmittedChannel {
  readonly identity: WorkerIdentity;
  readonly solo: boolean;
  /** The difficulty max_target allows at the least. */
  readonly floor: number;
}

/**
 * [sv2 5.3.2, 5.3.4] Whether a channel may open, before any extranonce is given: the user
 * identity is a V1 worker name, authorized as V1 authorizes one (V2 has no password: no
 * d=N, SOLO only by the pool's mode), and max_target must allow a difficulty the pool
 * sets. An OpenMiningChannel.Error code when it may not.
 */
export function admitChannel(
  env: StratumEnvironment,
  message: MessageOf<'OpenStandardMiningChannel'> | MessageOf<'OpenExtendedMiningChannel'>,
): AdmittedChannel | string {
  const authorized = env.authorizer.authorize(message.user_identity, undefined);
  if (!authorized.ok) {
    return OpenMiningChannelErrorCode.unknownUser;
  }
  const { identity } = authorized;
  const solo = identity.solo || env.settings.soloByDefault;
  if (solo && identity.payoutScript === undefined) {
    // SOLO pays the address in the user identity; an account name has none.
    return OpenMiningChannelErrorCode.unknownUser;
  }
  const floor = difficultyFromTarget(u256ToBigInt(message.max_target));
  if (floor > env.settings.vardiff.maxDifficulty) {
    return OpenMiningChannelErrorCode.maxTargetOutOfRange;
  }
  return { identity, solo, floor };
}

/** A new channel's mining state: its start difficulty follows nominal_hash_rate, at or above the floor. */
export function startChannel(
  env: StratumEnvironment,
  book: Sv2Channel,
  admitted: AdmittedChannel,
  versionMask: number,
  nowMs: number,
  customJobs = false,
): MiningChannel {
  const vardiff = new Vardiff(env.settings.vardiff, nowMs);
  suggestHashRate(env, vardiff, book.nominalHashRate, nowMs);
  vardiff.setFloor(admitted.floor, nowMs);
  const extranonce1 = extranonceToBytes(book.extranonce1);
  return {
    book,
    identity: admitted.identity,
    extranonce1,
    registry: admitted.solo || customJobs ? env.feed.soloRegistry() : env.feed.sharedRegistry,
    soloScript: admitted.solo ? admitted.identity.payoutScript : undefined,
    vardiff,
    jobDifficulty: new Map(),
    sentJob: undefined,
    sentPrevhash: undefined,
    customJobs,
    nextCustomJobId: 1,
    shareSession: {
      extranonce1,
      extranonce2Size: env.settings.extranonce2Size,
      versionMask,
      shareTargetLE: new Uint8Array(32),
    },
    shareTarget: undefined,
  };
}

/** [sv2 5.3.2] nominal_hash_rate (hashes per second) as the difficulty of one share per target interval. */
export function suggestHashRate(
  env: StratumEnvironment,
  vardiff: Vardiff,
  hashRate: number,
  nowMs: number,
): void {
  if (Number.isFinite(hashRate) && hashRate > 0) {
    vardiff.suggest((hashRate * env.settings.vardiff.targetShareSeconds) / 2 ** 32, nowMs);
  }
}

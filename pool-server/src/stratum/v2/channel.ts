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
import { jobParts, toNewExtendedMiningJob, toNewMiningJob, toSetNewPrevHash } from './job-translation.ts';
import type { MessageOf, Sv2Message } from './message-table.ts';
import { OpenMiningChannelErrorCode, SubmitSharesErrorCode } from './protocol-constants.ts';

export interface MiningChannel {
  readonly id: number;
  readonly kind: 'standard' | 'extended';
  readonly identity: WorkerIdentity;
  readonly extranonce1Number: number;
  readonly extranonce1: Buffer;
  /** Standard: the whole extranonce (extranonce1 then zeros); extended: extranonce1. */
  readonly extranoncePrefix: Buffer;
  readonly registry: JobRegistry;
  /** A SOLO channel's coinbase pays this; undefined for the pool. */
  readonly soloScript: Buffer | undefined;
  readonly vardiff: Vardiff;
  /** [sv2 5.3.2] The easiest target the miner accepts. */
  maxTarget: bigint;
  /** The difficulty in force when each recent V2 job was sent. */
  readonly jobDifficulty: Map<number, number>;
  sentJob: Job | undefined;
  sentPrevhash: Buffer | undefined;
  /** Reused for every share: validateShare reads it. */
  readonly shareSession: { -readonly [K in keyof ShareSession]: ShareSession[K] };
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

/** A U256 as the spec writes it (little-endian) as a number. */
export function bigintFromLE(bytes: Buffer): bigint {
  return BigInt(`0x${Buffer.from(bytes).reverse().toString('hex') || '0'}`);
}

/** A difficulty as the channel's U256 target: never easier than the miner's max_target. */
export function channelTarget(channel: MiningChannel, difficulty: number): Buffer {
  const target = targetFromDifficulty(difficulty);
  return Buffer.from(targetToBytesLE(target < channel.maxTarget ? target : channel.maxTarget));
}

/**
 * [sv2 5.3.15–5.3.17] The messages that give `channel` the V1 `job`: on a new previous
 * block a future job and the SetNewPrevHash that starts it (the old jobs end: V1's
 * clean_jobs), otherwise a job that starts at once. Undefined when its id cannot be a U32.
 */
export function jobMessages(channel: MiningChannel, job: Job): Sv2Message[] | undefined {
  if (!V2_JOB_ID.test(job.id)) {
    return undefined;
  }
  const jobId = Number.parseInt(job.id, 16);
  const parts = jobParts(job);
  const newBlock = job.cleanJobs || !channel.sentPrevhash?.equals(job.template.prevhashInternal);
  const address = { channelId: channel.id, jobId, future: newBlock };
  const messages: Sv2Message[] = [
    channel.kind === 'standard'
      ? toNewMiningJob(parts, address, channel.extranoncePrefix)
      : toNewExtendedMiningJob(parts, address, channel.shareSession.versionMask !== 0),
  ];
  if (newBlock) {
    messages.push(toSetNewPrevHash(parts, channel.id, jobId));
  }
  channel.sentJob = job;
  channel.sentPrevhash = job.template.prevhashInternal;
  channel.jobDifficulty.set(jobId, channel.vardiff.difficulty);
  if (channel.jobDifficulty.size > MAX_REMEMBERED_JOBS) {
    const [oldest] = channel.jobDifficulty.keys();
    if (oldest !== undefined) {
      channel.jobDifficulty.delete(oldest);
    }
  }
  return messages;
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
  // V2 sends the whole version: the bits outside the mask must be the job's, as with V1's version_bits.
  const mask = channel.shareSession.versionMask;
  const versionBits =
    typeof found === 'object'
      ? ((message.version & mask) | ((message.version ^ found.template.version) & ~mask)) >>> 0
      : 0;
  const current = channel.vardiff.difficulty;
  const difficulty = Math.min(channel.jobDifficulty.get(message.job_id) ?? current, current);
  channel.shareSession.shareTargetLE = channelTarget(channel, difficulty);
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
/**
 * [sv2 5.3.2–5.3.6] A channel for OpenStandardMiningChannel or OpenExtendedMiningChannel,
 * or the OpenMiningChannel.Error code refusing it. The user identity is a V1 worker name,
 * authorized as V1 authorizes one (V2 has no password: no d=N, SOLO only by the pool's
 * mode); the start target follows nominal_hash_rate, never easier than max_target; the
 * extranonce1 comes from the allocator V1 sessions use.
 */
export function openMiningChannel(
  env: StratumEnvironment,
  message: MessageOf<'OpenStandardMiningChannel'> | MessageOf<'OpenExtendedMiningChannel'>,
  id: number,
  versionMask: number,
  nowMs: number,
): MiningChannel | string {
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
  const hashRate = message.nominal_hash_rate;
  if (!Number.isFinite(hashRate) || hashRate < 0) {
    return OpenMiningChannelErrorCode.invalidNominalHashrate;
  }
  const maxTarget = bigintFromLE(message.max_target);
  const floor = difficultyFromTarget(maxTarget);
  if (floor > env.settings.vardiff.maxDifficulty) {
    return OpenMiningChannelErrorCode.maxTargetOutOfRange;
  }
  const extended = message.type === 'OpenExtendedMiningChannel';
  if (extended && message.min_extranonce_size > env.settings.extranonce2Size) {
    return 'min-extranonce-size-too-large';
  }
  const vardiff = new Vardiff(env.settings.vardiff, nowMs);
  if (hashRate > 0) {
    vardiff.suggest((hashRate * env.settings.vardiff.targetShareSeconds) / 2 ** 32, nowMs);
  }
  vardiff.setFloor(floor, nowMs);
  const extranonce1Number = env.extranonces.allocate();
  const extranonce1 = extranonceToBytes(extranonce1Number);
  return {
    id,
    kind: extended ? 'extended' : 'standard',
    identity,
    extranonce1Number,
    extranonce1,
    extranoncePrefix: extended
      ? extranonce1
      : Buffer.concat([extranonce1, Buffer.alloc(env.settings.extranonce2Size)]),
    registry: solo ? env.feed.soloRegistry() : env.feed.sharedRegistry,
    soloScript: solo ? identity.payoutScript : undefined,
    vardiff,
    maxTarget,
    jobDifficulty: new Map(),
    sentJob: undefined,
    sentPrevhash: undefined,
    shareSession: {
      extranonce1,
      extranonce2Size: env.settings.extranonce2Size,
      versionMask,
      shareTargetLE: new Uint8Array(32),
    },
  };
}

/**
 * A V1 job (coinbase split around the extranonce, merkle branch, header fields) as the V2
 * messages that carry the same work, so a V2 share is checked against the very job a V1
 * share would be.
 *
 * [sv2 5.1.2.1, 5.3.16] The coinbase is coinbase_tx_prefix ‖ extranonce_prefix ‖ extranonce
 * ‖ coinbase_tx_suffix, stripped of BIP141 fields: exactly V1's coinb1 ‖ extranonce1 ‖
 * extranonce2 ‖ coinb2. merkle_path entries are U256 little-endian, i.e. the internal byte
 * order V1's branch already uses; prev_hash is the header's internal bytes.
 */
import { EXTRANONCE1_SIZE } from '../../work/coinbase.ts';
import type { Job } from '../../work/job.ts';
import { foldMerkleBranch } from '../../work/merkle.ts';
import { sha256d } from '../../work/sha256d.ts';
import { targetFromDifficulty, targetToBytesLE } from '../../work/target.ts';
import type { MessageOf } from './message-table.ts';

/** The parts of a V1 job the V2 messages need. */
export interface V1JobParts {
  readonly coinb1: Buffer;
  readonly coinb2: Buffer;
  /** Internal byte order, deepest first. */
  readonly merkleBranch: readonly Buffer[];
  readonly version: number;
  readonly bits: number;
  readonly ntime: number;
  readonly prevhashInternal: Buffer;
  /** Bytes between coinb1 and coinb2: V1's extranonce1 plus extranonce2. */
  readonly extranonceSize: number;
}

export function jobParts(job: Job): V1JobParts {
  return {
    coinb1: job.coinbase.coinb1,
    coinb2: job.coinbase.coinb2,
    merkleBranch: job.template.merkleBranch,
    version: job.template.version,
    bits: job.template.bits,
    ntime: job.template.curtime,
    prevhashInternal: job.template.prevhashInternal,
    extranonceSize: EXTRANONCE1_SIZE + job.coinbase.extranonce2Size,
  };
}

export interface JobAddress {
  readonly channelId: number;
  /** The V2 job id; a U32 the channel's owner allocates. */
  readonly jobId: number;
  /** [sv2 5.1.3] A future job waits for a SetNewPrevHash naming it; otherwise it starts at once. */
  readonly future: boolean;
}

/** The fields NewMiningJob and NewExtendedMiningJob open with. */
function jobHead(parts: V1JobParts, address: JobAddress) {
  return {
    channel_id: address.channelId,
    job_id: address.jobId,
    min_ntime: address.future ? null : parts.ntime,
    version: parts.version,
  };
}

/** [sv2 5.3.16] For an extended (or group) channel: the miner fills its own extranonce. */
export function toNewExtendedMiningJob(
  parts: V1JobParts,
  address: JobAddress,
  versionRollingAllowed: boolean,
): MessageOf<'NewExtendedMiningJob'> {
  return {
    type: 'NewExtendedMiningJob',
    ...jobHead(parts, address),
    version_rolling_allowed: versionRollingAllowed,
    merkle_path: parts.merkleBranch,
    coinbase_tx_prefix: parts.coinb1,
    coinbase_tx_suffix: parts.coinb2,
  };
}

/** The merkle root of the coinbase with a whole extranonce in place. */
export function merkleRootWithExtranonce(parts: V1JobParts, extranonce: Buffer): Buffer {
  if (extranonce.length !== parts.extranonceSize) {
    throw new RangeError(
      `the job's coinbase holds ${String(parts.extranonceSize)} extranonce bytes, got ${String(extranonce.length)}`,
    );
  }
  const coinbaseTxid = sha256d(Buffer.concat([parts.coinb1, extranonce, parts.coinb2]));
  return foldMerkleBranch(coinbaseTxid, parts.merkleBranch);
}

/**
 * [sv2 5.3.15] For a standard channel (header-only mining): its extranonce_prefix fills the
 * whole extranonce, so the pool computes the merkle root.
 */
export function toNewMiningJob(
  parts: V1JobParts,
  address: JobAddress,
  extranoncePrefix: Buffer,
): MessageOf<'NewMiningJob'> {
  return {
    type: 'NewMiningJob',
    ...jobHead(parts, address),
    merkle_root: merkleRootWithExtranonce(parts, extranoncePrefix),
  };
}

/** [sv2 5.3.17] Activates `jobId` on the job's previous block. */
export function toSetNewPrevHash(
  parts: V1JobParts,
  channelId: number,
  jobId: number,
): MessageOf<'SetNewPrevHash'> {
  return {
    type: 'SetNewPrevHash',
    channel_id: channelId,
    job_id: jobId,
    prev_hash: parts.prevhashInternal,
    min_ntime: parts.ntime,
    nbits: parts.bits,
  };
}

/** [sv2 5.3.21] A share difficulty as the U256 target SetTarget and OpenMiningChannel.Success carry. */
export function targetForDifficulty(difficulty: number): Buffer {
  return Buffer.from(targetToBytesLE(targetFromDifficulty(difficulty)));
}

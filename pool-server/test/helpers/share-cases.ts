/**
 * Replays the Stratum share cases of stratum-shares.json: a job made of the notify
 * fields another pool sent, a session with its extranonce1, and the miner's submit.
 */
import { swapWords32 } from '../../src/work/bytes.ts';
import { createJob, type Job } from '../../src/work/job.ts';
import { decodeCompact, targetFromDifficulty, targetToBytesLE } from '../../src/work/target.ts';
import { prepareTemplate, type PreparedTemplate } from '../../src/work/template.ts';
import type { ShareSession } from '../../src/work/validate-share.ts';
import { templateForCase, type ShareCase } from './vectors.ts';

export const ANY_HASH_DIFFICULTY = 1e-30;

/** The template of the case, or one made of its notify fields when the source gave none. */
export function templateOfCase(shareCase: ShareCase): PreparedTemplate {
  const recorded = templateForCase(shareCase);
  if (recorded) {
    return prepareTemplate(recorded);
  }
  const { notify, submit } = shareCase;
  const bits = Number.parseInt(notify.nbits, 16);
  const { target } = decodeCompact(bits);
  const time = Number.parseInt(notify.ntime ?? submit.ntime, 16);
  const prevhashInternal = swapWords32(Buffer.from(notify.prevhash, 'hex'));
  return {
    height: 0,
    version: Number.parseInt(notify.version, 16),
    bits,
    networkTarget: target,
    networkTargetLE: targetToBytesLE(target),
    prevhashInternal,
    prevhashStratum: notify.prevhash,
    curtime: time,
    mintime: time,
    coinbaseValue: 0n,
    coinbaseAux: Buffer.alloc(0),
    witnessCommitment: undefined,
    segwit: false,
    transactions: [],
    merkleBranch: notify.merkle_branch.map((hash) => Buffer.from(hash, 'hex')),
    transactionSigops: 0,
    fees: 0n,
    transactionWeight: 0,
    transactionBytes: 0,
    transactionFacts: [],
    sigopLimit: undefined,
    weightLimit: undefined,
    sizeLimit: undefined,
  };
}

export function jobOfCase(shareCase: ShareCase): Job {
  const { notify } = shareCase;
  return createJob(
    notify.job_id ?? '1',
    templateOfCase(shareCase),
    {
      coinb1: Buffer.from(notify.coinb1, 'hex'),
      coinb2: Buffer.from(notify.coinb2, 'hex'),
      extranonce2Size: shareCase.subscribe.extranonce2_size,
      witness: false,
    },
    true,
  );
}

export function sessionOfCase(shareCase: ShareCase, difficulty = ANY_HASH_DIFFICULTY): ShareSession {
  return {
    extranonce1: Buffer.from(shareCase.subscribe.extranonce1, 'hex'),
    extranonce2Size: shareCase.subscribe.extranonce2_size,
    versionMask: shareCase.version_mask === undefined ? 0 : Number.parseInt(shareCase.version_mask, 16),
    shareTargetLE: targetToBytesLE(targetFromDifficulty(difficulty)),
  };
}

export function submitOfCase(shareCase: ShareCase): unknown[] {
  const { submit } = shareCase;
  const params: unknown[] = [
    submit.worker ?? 'worker',
    shareCase.notify.job_id ?? '1',
    submit.extranonce2,
    submit.ntime,
    submit.nonce,
  ];
  if (submit.version_bits !== undefined) {
    params.push(submit.version_bits);
  }
  return params;
}

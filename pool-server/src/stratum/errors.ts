import type { RejectReason } from '../work/validate-share.ts';

/**
 * [stratum] error codes, sent as error: [code, message, null] (slush's docs; MiningCore
 * StratumError.cs; node-stratum-pool, which also uses 20 for malformed fields).
 */
export const StratumErrorCode = {
  /** Anything else: malformed params, unknown method, bad ntime or version bits. */
  Other: 20,
  /** The job is unknown or stale. */
  JobNotFound: 21,
  DuplicateShare: 22,
  LowDifficultyShare: 23,
  UnauthorizedWorker: 24,
  NotSubscribed: 25,
} as const;
export type StratumErrorCode = (typeof StratumErrorCode)[keyof typeof StratumErrorCode];

/**
 * A valid share the pool could not journal (a full disk, an I/O error): refused with 20
 * and this text, which firmware shows in its log (Bitaxe, cgminer print the message),
 * so the miner's owner sees it is the pool's fault, not the rig's.
 */
export const SHARE_NOT_RECORDED = 'Share not recorded: pool storage unavailable, not counted';

const CODE_OF_REJECT: Record<RejectReason, StratumErrorCode> = {
  'malformed-params': StratumErrorCode.Other,
  'malformed-extranonce2': StratumErrorCode.Other,
  'bad-extranonce2-size': StratumErrorCode.Other,
  'malformed-ntime': StratumErrorCode.Other,
  'malformed-nonce': StratumErrorCode.Other,
  'malformed-version': StratumErrorCode.Other,
  'unknown-job': StratumErrorCode.JobNotFound,
  stale: StratumErrorCode.JobNotFound,
  'ntime-out-of-range': StratumErrorCode.Other,
  'bad-version-bits': StratumErrorCode.Other,
  duplicate: StratumErrorCode.DuplicateShare,
  'low-diff': StratumErrorCode.LowDifficultyShare,
};

export function codeForReject(reason: RejectReason): StratumErrorCode {
  return CODE_OF_REJECT[reason];
}

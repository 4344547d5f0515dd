import { targetFromDifficulty, targetToBytesLE } from '../../work/target.ts';
import { validateShare, type RejectReason } from '../../work/validate-share.ts';
import { codeForReject, StratumErrorCode } from '../errors.ts';
import type { StratumRequest } from '../messages.ts';
import type { CreditedShare, SessionContext } from '../session-context.ts';

/** Rejects in a row that mark a broken or hostile miner; stale and duplicate ones do not count. */
export const INVALID_STREAK_LIMIT = 50;
export const INVALID_STREAK_PENALTY = 50;
const TARGET_CACHE_LIMIT = 4096;

/** Difficulties repeat across sessions: their targets are computed once. */
const targetCache = new Map<number, Uint8Array>();

function shareTargetFor(difficulty: number): Uint8Array {
  let target = targetCache.get(difficulty);
  if (!target) {
    if (targetCache.size >= TARGET_CACHE_LIMIT) {
      targetCache.clear();
    }
    target = targetToBytesLE(targetFromDifficulty(difficulty));
    targetCache.set(difficulty, target);
  }
  return target;
}

function refuse(
  ctx: SessionContext,
  worker: string | undefined,
  reason: RejectReason | 'unauthorized' | 'not-subscribed',
  nowMs: number,
): void {
  const identity = worker === undefined ? undefined : ctx.state.workers.get(worker);
  ctx.env.events.shareRejected({ worker, identity, reason, remoteAddress: ctx.remoteAddress, timeMs: nowMs });
  if (reason === 'stale' || reason === 'duplicate') {
    return;
  }
  ctx.state.invalidStreak++;
  if (ctx.state.invalidStreak >= INVALID_STREAK_LIMIT) {
    ctx.penalize(INVALID_STREAK_PENALTY, `${String(ctx.state.invalidStreak)} invalid shares in a row`);
    ctx.state.invalidStreak = 0;
  }
}

/** [stratum: mining.submit] params [worker, job_id, extranonce2, ntime, nonce, version_bits?]. */
export function handleSubmit(ctx: SessionContext, request: StratumRequest, nowMs: number): void {
  const { state, env } = ctx;
  const [workerName, jobId] = request.params;
  const worker = typeof workerName === 'string' ? workerName : undefined;
  const { registry, extranonce1 } = state;
  if (!state.subscribed || !registry || !extranonce1) {
    ctx.fail(request.id, StratumErrorCode.NotSubscribed, 'Not subscribed');
    refuse(ctx, worker, 'not-subscribed', nowMs);
    return;
  }
  const identity = worker === undefined ? undefined : state.workers.get(worker);
  if (!identity) {
    ctx.fail(request.id, StratumErrorCode.UnauthorizedWorker, 'Unauthorized worker');
    refuse(ctx, worker, 'unauthorized', nowMs);
    return;
  }

  // A share on a job sent before a difficulty change counts at the easier of the two.
  const current = state.vardiff.difficulty;
  const atJob = typeof jobId === 'string' ? state.jobDifficulty.get(jobId) : undefined;
  const difficulty = atJob === undefined ? current : Math.min(atJob, current);
  state.shareSession.shareTargetLE = shareTargetFor(difficulty);

  const result = validateShare(registry, state.shareSession, env.hasher, request.params);
  if (!result.ok) {
    ctx.fail(request.id, codeForReject(result.reason), result.message);
    refuse(ctx, worker, result.reason, nowMs);
    return;
  }
  state.invalidStreak = 0;
  const credited: CreditedShare = {
    identity,
    solo: state.soloScript !== undefined,
    share: result,
    // A block below the share target (regtest) counts for what it achieved.
    difficulty: result.meetsShareTarget ? difficulty : Math.min(difficulty, result.difficulty),
    extranonce1,
    remoteAddress: ctx.remoteAddress,
    userAgent: state.userAgent,
    timeMs: nowMs,
  };
  if (result.isBlock) {
    env.events.blockFound(credited);
  }
  ctx.acknowledgeShare(request.id);
  env.events.shareAccepted(credited);
  const next = state.vardiff.recordShare(nowMs);
  if (next !== undefined) {
    ctx.announceDifficulty(next);
  }
}

import { StratumErrorCode } from '../errors.ts';
import type { StratumRequest } from '../messages.ts';
import type { SessionContext } from '../session-context.ts';

/** Failed logins count toward a ban: a password guesser or a misconfigured farm. */
const FAILED_AUTHORIZE_PENALTY = 10;

/**
 * [stratum: mining.authorize] params [username, password]. A connection may authorize
 * several workers (proxies do); submits must name one of them.
 */
export function handleAuthorize(ctx: SessionContext, request: StratumRequest, nowMs: number): void {
  const { state, env } = ctx;
  const [username, password] = request.params;
  if (typeof username === 'string' && state.workers.has(username)) {
    ctx.reply(request.id, true);
    return;
  }
  if (state.workers.size >= env.settings.maxWorkersPerConnection) {
    ctx.fail(
      request.id,
      StratumErrorCode.Other,
      `at most ${String(env.settings.maxWorkersPerConnection)} workers per connection`,
    );
    return;
  }
  const result = env.authorizer.authorize(username, password);
  if (!result.ok) {
    ctx.fail(request.id, StratumErrorCode.UnauthorizedWorker, result.message);
    ctx.penalize(FAILED_AUTHORIZE_PENALTY, 'failed authorize');
    return;
  }
  const { identity } = result;
  const solo = identity.solo || env.settings.soloByDefault;
  const refusal = soloConflict(state.workers.size === 0, state.soloScript, solo, identity.payoutScript);
  if (refusal !== undefined) {
    ctx.fail(request.id, StratumErrorCode.UnauthorizedWorker, refusal);
    return;
  }
  const startsSolo = solo && state.soloScript === undefined;
  state.workers.set(identity.worker, identity);
  ctx.reply(request.id, true);
  env.events.workerConnected({ identity, protocol: 'v1', timeMs: nowMs });
  if (startsSolo) {
    // From now on this session's jobs are its own, their coinbase paying this address.
    // Switched before the difficulty is announced: the first SOLO job, sent next, binds
    // it, and no pool job is sent again for it.
    state.soloScript = identity.payoutScript;
    state.registry = env.feed.soloRegistry();
  }
  if (identity.fixedDifficulty !== undefined) {
    ctx.announceDifficulty(state.vardiff.fix(identity.fixedDifficulty, nowMs));
  }
  if (startsSolo && state.subscribed) {
    ctx.sendCurrentJob();
  }
}

/**
 * A connection mines either for the pool or SOLO for one address: every job it gets pays
 * one coinbase. Returns why a worker cannot join this connection, if it cannot.
 */
function soloConflict(
  first: boolean,
  sessionScript: Buffer | undefined,
  solo: boolean,
  workerScript: Buffer | undefined,
): string | undefined {
  if (solo && workerScript === undefined) {
    return 'SOLO mining pays the address in the username: use <your address>.<worker>';
  }
  if (first) {
    return undefined;
  }
  if (sessionScript === undefined && solo) {
    return 'this connection already mines for the pool: open another one to mine SOLO';
  }
  if (sessionScript !== undefined && (!solo || !workerScript?.equals(sessionScript))) {
    return 'this connection mines SOLO for another address: open another one for this worker';
  }
  return undefined;
}

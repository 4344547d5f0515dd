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
  if (env.feed.solo && identity.payoutScript === undefined) {
    ctx.fail(
      request.id,
      StratumErrorCode.UnauthorizedWorker,
      'SOLO mining pays the address in the username: use <your address>.<worker>',
    );
    return;
  }
  const firstPayout = state.payoutScript === undefined && identity.payoutScript !== undefined;
  state.workers.set(identity.worker, identity);
  if (firstPayout) {
    state.payoutScript = identity.payoutScript;
  }
  ctx.reply(request.id, true);
  if (identity.fixedDifficulty !== undefined) {
    ctx.announceDifficulty(state.vardiff.fix(identity.fixedDifficulty, nowMs));
  }
  // In SOLO mode the first job exists only now: its coinbase pays this address.
  if (env.feed.solo && firstPayout && state.subscribed) {
    ctx.sendCurrentJob();
  }
}

import type { StratumRequest } from '../messages.ts';
import type { SessionContext } from '../session-context.ts';

/** [NiceHash: mining.extranonce.subscribe] the miner accepts mining.set_extranonce. */
export function handleExtranonceSubscribe(ctx: SessionContext, request: StratumRequest): void {
  ctx.state.extranonceSubscribed = true;
  ctx.reply(request.id, true);
}

import { parseHexU32 } from '../../work/bytes.ts';
import { assignExtranonce1 } from '../extranonce.ts';
import type { StratumRequest } from '../messages.ts';
import type { SessionContext } from '../session-context.ts';

const MAX_USER_AGENT_LENGTH = 128;

/**
 * [stratum: mining.subscribe] params [user_agent?, session_id?, host?, port?].
 * The session id is our extranonce1 in hex: a reconnecting miner gets it back when free.
 */
export function handleSubscribe(ctx: SessionContext, request: StratumRequest): void {
  const { state, env } = ctx;
  if (!state.subscribed) {
    const [userAgent, sessionId] = request.params;
    if (typeof userAgent === 'string') {
      state.userAgent = userAgent.slice(0, MAX_USER_AGENT_LENGTH);
    }
    const resumed = typeof sessionId === 'string' ? parseHexU32(sessionId) : -1;
    assignExtranonce1(state, env.extranonces.allocate(resumed >= 0 ? resumed : undefined));
    state.registry = env.feed.sharedRegistry;
    state.subscribed = true;
  }
  const extranonce1Hex = state.extranonce1?.toString('hex') ?? '';
  ctx.reply(request.id, [
    [
      ['mining.set_difficulty', extranonce1Hex],
      ['mining.notify', extranonce1Hex],
    ],
    extranonce1Hex,
    env.settings.extranonce2Size,
  ]);
  // [stratum] subscribe result, then set_difficulty, then the first job (ckpool, MiningCore).
  ctx.announceDifficulty(state.vardiff.difficulty);
  // A SOLO coinbase pays the worker's address: its first job waits for mining.authorize.
  if (!env.settings.soloByDefault) {
    ctx.sendCurrentJob();
  }
}

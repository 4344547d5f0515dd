import { difficultyFromTarget } from '../../work/target.ts';
import { isHex } from '../../work/bytes.ts';
import { StratumErrorCode } from '../errors.ts';
import type { StratumRequest } from '../messages.ts';
import type { SessionContext } from '../session-context.ts';

function suggest(ctx: SessionContext, request: StratumRequest, difficulty: number, nowMs: number): void {
  // Idempotent: NerdMiner repeats its suggestion every 30 s (public-pool #152).
  ctx.announceDifficulty(ctx.state.vardiff.suggest(difficulty, nowMs));
  ctx.reply(request.id, true);
}

/** [stratum: mining.suggest_difficulty] params [difficulty]; fractions are fine (ESP32 miners). */
export function handleSuggestDifficulty(ctx: SessionContext, request: StratumRequest, nowMs: number): void {
  const [value] = request.params;
  const difficulty = typeof value === 'string' ? Number(value) : value;
  if (typeof difficulty !== 'number' || !Number.isFinite(difficulty) || difficulty <= 0) {
    ctx.fail(request.id, StratumErrorCode.Other, 'mining.suggest_difficulty takes a positive number');
    return;
  }
  suggest(ctx, request, difficulty, nowMs);
}

/** [stratum: mining.suggest_target] params [target as 64 hex digits]. */
export function handleSuggestTarget(ctx: SessionContext, request: StratumRequest, nowMs: number): void {
  const [value] = request.params;
  const target = typeof value === 'string' && value.length === 64 && isHex(value) ? BigInt(`0x${value}`) : 0n;
  if (target === 0n) {
    ctx.fail(request.id, StratumErrorCode.Other, 'mining.suggest_target takes a 256-bit target in hex');
    return;
  }
  suggest(ctx, request, difficultyFromTarget(target), nowMs);
}

import { parseHexU32 } from '../../work/bytes.ts';
import { negotiateVersionMask } from '../../work/version-rolling.ts';
import { StratumErrorCode } from '../errors.ts';
import type { StratumRequest } from '../messages.ts';
import type { SessionContext } from '../session-context.ts';

const MAX_EXTENSIONS = 8;

/**
 * [BIP310: mining.configure] params [[extension, ...], {"extension.param": value}].
 * Only the requested extensions are answered: WhatsMiner reconnects in a loop when a
 * reply carries keys it did not ask for (stratum-mining/stratum #1173).
 */
export function handleConfigure(ctx: SessionContext, request: StratumRequest, nowMs: number): void {
  const { state, env } = ctx;
  const [extensions, options = {}] = request.params;
  if (
    !Array.isArray(extensions) ||
    extensions.length > MAX_EXTENSIONS ||
    typeof options !== 'object' ||
    options === null ||
    Array.isArray(options)
  ) {
    ctx.fail(request.id, StratumErrorCode.Other, 'mining.configure takes [[extensions], {parameters}]');
    return;
  }
  const parameters = options as Record<string, unknown>;
  const result: Record<string, boolean | string> = {};
  for (const extension of extensions as unknown[]) {
    switch (extension) {
      case 'version-rolling': {
        const requested = parameters['version-rolling.mask'];
        // BIP310: a miner that names no mask accepts any.
        const minerMask =
          typeof requested === 'string' ? parseHexU32(requested.padStart(8, '0')) : 0xffffffff;
        state.minerVersionMask =
          minerMask < 0 ? 0 : negotiateVersionMask(env.settings.versionMask, minerMask);
        const mask = ctx.versionMaskNow();
        state.versionMask = mask;
        state.shareSession.versionMask = mask;
        result['version-rolling'] = mask !== 0;
        result['version-rolling.mask'] = mask.toString(16).padStart(8, '0');
        break;
      }
      case 'minimum-difficulty': {
        const value = parameters['minimum-difficulty.value'];
        const valid = typeof value === 'number' && Number.isFinite(value) && value > 0;
        if (valid) {
          ctx.announceDifficulty(state.vardiff.setFloor(value, nowMs));
        }
        result['minimum-difficulty'] = valid;
        break;
      }
      case 'subscribe-extranonce':
        state.extranonceSubscribed = true;
        result['subscribe-extranonce'] = true;
        break;
      default:
        if (typeof extension === 'string' && extension.length <= 64) {
          result[extension] = false;
        }
    }
  }
  ctx.reply(request.id, result);
}

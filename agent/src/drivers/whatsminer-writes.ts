import { command, exchange, statusFailure } from '../protocol/cgminer-rpc.ts';
import { parseDeviceJson } from '../protocol/repair.ts';
import { decryptPayload, encryptCommand, writeToken, type WriteToken } from '../protocol/whatsminer-token.ts';
import {
  unsupported,
  type ActionResult,
  type DeviceAddress,
  type DeviceOrder,
  type ReadContext,
} from './driver.ts';
import { record, records, str } from './fields.ts';

/**
 * Whatsminer API v2 writes on port 4028, each signed with a fresh token from the admin
 * password (`credentials.whatsminer-v2`; "admin" out of the box, which btminer refuses
 * for writes until it has been changed with WhatsMinerTool and the API enabled):
 * sleep is `power_off` (hashing and the PSU's output stop; the control board stays up),
 * resume `power_on`, reboot `reboot`, a power target `adjust_power_limit` (API 2.0.5+;
 * the miner restarts btminer to apply it), a pool switch `update_pools` with the new
 * pool first and the current first two after it.
 * [WhatsMiner API V2.0.5 §2 and §2.1; pyasic rpc/btminer.py]
 */

/** The firmware's codes for a refused write [WhatsMiner API V2.0.5, Message Code]. */
const REFUSALS: Readonly<Record<string, string>> = {
  '14': 'invalid API command or data (an API older than the command?)',
  '23': 'invalid JSON message: the miner could not decrypt the command, so the password is wrong',
  '45': 'permission denied: enable the API writes with WhatsMinerTool and change the default password',
  '132': 'command error',
  '135': 'check token error: the password is wrong or the token has expired',
  '136': 'token over max times: this address holds 32 tokens already',
  '137': 'base64 decode error',
};

export async function whatsminerAct(
  device: DeviceAddress,
  order: DeviceOrder,
  context: ReadContext,
): Promise<ActionResult> {
  let request: Record<string, string> | undefined;
  try {
    request = await commandFor(device, order, context);
  } catch (error) {
    return { status: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
  if (request === undefined) {
    return unsupported('Whatsminer (API v2)', order.action);
  }
  const logins = context.credentials?.['whatsminer-v2'] ?? [{ username: 'admin', password: 'admin' }];
  let last = 'no password to try';
  for (const login of logins) {
    try {
      return await signedWrite(device, context, login.password, request);
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
      // Another password may be the one; a refusal for any other reason stays as it is.
      if (!last.includes('password is wrong')) {
        break;
      }
    }
  }
  return { status: 'failed', message: `${request.cmd ?? order.action}: ${last}` };
}

async function commandFor(
  device: DeviceAddress,
  order: DeviceOrder,
  context: ReadContext,
): Promise<Record<string, string> | undefined> {
  switch (order.action) {
    case 'sleep':
      // Answer first, then power off: the reply would otherwise never come.
      return { cmd: 'power_off', respbefore: 'true' };
    case 'resume':
      return { cmd: 'power_on' };
    case 'reboot':
      return { cmd: 'reboot' };
    case 'set-power-target': {
      const watts = order.params.powerTargetW;
      if (watts === undefined) {
        throw new Error('set-power-target needs powerTargetW');
      }
      return { cmd: 'adjust_power_limit', power_limit: String(watts) };
    }
    case 'set-fan':
      // API v2.0.5 lists no fan command: btminer drives its fans itself.
      return undefined;
    case 'switch-pool': {
      const { poolUrl, poolUser, poolPassword } = order.params;
      if (poolUrl === undefined || poolUser === undefined) {
        throw new Error('switch-pool needs poolUrl and poolUser');
      }
      const { body } = await command(device, 'pools', {}, context.limits);
      const kept = records(body.POOLS)
        .map((pool) => ({ url: str(pool.URL), user: str(pool.User) }))
        .filter((pool) => pool.url !== undefined && pool.url !== poolUrl)
        .slice(0, 2);
      const pools = [{ url: poolUrl, user: poolUser, pass: poolPassword ?? 'x' }, ...kept];
      return {
        cmd: 'update_pools',
        ...Object.fromEntries(
          pools.flatMap((pool, i) => [
            [`pool${String(i + 1)}`, pool.url ?? ''],
            [`worker${String(i + 1)}`, pool.user ?? ''],
            // The miner does not say its pools' passwords; "x" is what pools take for none.
            [`passwd${String(i + 1)}`, 'pass' in pool ? pool.pass : 'x'],
          ]),
        ),
      };
    }
  }
}

async function signedWrite(
  device: DeviceAddress,
  context: ReadContext,
  password: string,
  request: Readonly<Record<string, string>>,
): Promise<ActionResult> {
  const { body } = await command(device, 'get_token', {}, context.limits).catch((error: unknown) => {
    throw new Error(`get_token: ${error instanceof Error ? error.message : String(error)}`);
  });
  const grant = record(body.Msg);
  const time = str(grant?.time);
  const salt = str(grant?.salt);
  const newsalt = str(grant?.newsalt);
  if (time === undefined || salt === undefined || newsalt === undefined) {
    throw new Error('get_token: the reply holds no time, salt and newsalt');
  }
  const token = writeToken(password, { time, salt, newsalt });
  const raw = await exchange(device, encryptCommand(token, request), context.limits);
  const reply = readReply(token, raw);
  return { status: 'done', message: `${request.cmd ?? ''}: ${reply}` };
}

/** The firmware's own words for a write that went through; a refusal is thrown, named. */
function readReply(token: WriteToken, raw: string): string {
  const outer = record(parseDeviceJson(raw).value);
  if (!outer) {
    throw new Error('the reply is not a JSON object');
  }
  const encrypted = str(outer.enc);
  const reply =
    encrypted === undefined ? outer : record(parseDeviceJson(decryptPayload(token.key, encrypted)).value);
  if (!reply) {
    throw new Error('the decrypted reply is not a JSON object');
  }
  const code = str(reply.Code);
  const failed = statusFailure(reply);
  if (failed !== undefined || (code !== undefined && code in REFUSALS)) {
    const meaning = code === undefined ? undefined : REFUSALS[code];
    throw new Error(
      `the miner refused it (code ${code ?? '?'}${meaning === undefined ? '' : `: ${meaning}`})${failed === undefined ? '' : `: ${failed}`}`,
    );
  }
  const msg = reply.Msg;
  return typeof msg === 'string' && msg !== ''
    ? msg
    : `code ${code ?? '?'} ${str(reply.STATUS) ?? ''}`.trim();
}

import DigestClient from 'digest-fetch';
import type { ActionParams } from '@hashwatt/schemas';
import type { ActionResult, DeviceAddress, DeviceOrder, ReadContext } from './driver.ts';
import { record } from './fields.ts';
import { deviceUrl } from '../protocol/http-json.ts';
import { parseDeviceJson } from '../protocol/repair.ts';

/**
 * Stock Antminer control through its web CGI (HTTP Digest; root/root unless changed):
 * the RPC port is read-only. Sleep and resume rewrite the miner's configuration with
 * `miner-mode` 1 or 0 (pyasic's way), a pool switch puts the new pool first, reboot
 * calls reboot.cgi. Each login the config lists for the firmware is tried in turn.
 */

const SLEEP = '1';
const NORMAL = '0';

export async function antminerWebAct(
  device: DeviceAddress,
  order: DeviceOrder,
  context: ReadContext,
): Promise<ActionResult> {
  const logins = context.credentials?.stock ?? [{ username: 'root', password: 'root' }];
  const base = deviceUrl(device.host, context.webPort ?? 80, '/cgi-bin');
  let lastFailure = 'no login to try';
  for (const login of logins) {
    const client = new DigestClient(login.username, login.password, { algorithm: 'MD5' });
    const call = async (path: string, body?: unknown): Promise<{ status: number; text: string }> => {
      // digest-fetch's typings name node-fetch's Response too; on Node 20 it uses the global fetch.
      const response = (await client.fetch(`${base}/${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        signal: AbortSignal.timeout(context.limits.totalTimeoutMs),
        ...(body !== undefined && {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      })) as Response;
      return { status: response.status, text: await response.text() };
    };
    try {
      const result = await perform(call, order.action, order.params);
      if (result.status !== 401) {
        return result.outcome;
      }
      lastFailure = `the miner refused the login ${login.username}`;
    } catch (error) {
      return {
        status: 'failed',
        message: `${base}: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
  return { status: 'failed', message: lastFailure };
}

type Call = (path: string, body?: unknown) => Promise<{ status: number; text: string }>;

async function perform(
  call: Call,
  action: DeviceOrder['action'],
  params: ActionParams,
): Promise<{ status: number; outcome: ActionResult }> {
  if (action === 'reboot') {
    const answer = await call('reboot.cgi');
    return { status: answer.status, outcome: outcomeOf('reboot.cgi', answer) };
  }
  if (action === 'set-power-target') {
    return {
      status: 200,
      outcome: {
        status: 'unsupported',
        message: 'stock Antminer firmware has no power target; only sleep, normal or low-power modes',
      },
    };
  }
  const current = await call('get_miner_conf.cgi');
  if (current.status !== 200) {
    return { status: current.status, outcome: outcomeOf('get_miner_conf.cgi', current) };
  }
  const conf = record(parseDeviceJson(current.text).value) ?? {};
  const next: Record<string, unknown> = { ...conf };
  if (action === 'sleep' || action === 'resume') {
    next['miner-mode'] = action === 'sleep' ? SLEEP : NORMAL;
  } else {
    const pools = Array.isArray(conf.pools) ? (conf.pools as unknown[]) : [];
    next.pools = [
      { url: params.poolUrl, user: params.poolUser, pass: params.poolPassword ?? 'x' },
      ...pools,
    ].slice(0, 3);
  }
  const answer = await call('set_miner_conf.cgi', next);
  return { status: answer.status, outcome: outcomeOf('set_miner_conf.cgi', answer) };
}

function outcomeOf(path: string, answer: { status: number; text: string }): ActionResult {
  if (answer.status >= 200 && answer.status < 300) {
    return {
      status: 'done',
      message: `${path}: ${answer.text.trim().slice(0, 200) || `HTTP ${String(answer.status)}`}`,
    };
  }
  return { status: 'failed', message: `${path}: HTTP ${String(answer.status)}` };
}

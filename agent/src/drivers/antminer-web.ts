import DigestClient from 'digest-fetch';
import type { ActionParams } from '@hashwatt/schemas';
import type { ActionResult, DeviceAddress, DeviceOrder, ReadContext } from './driver.ts';
import { record, str, type Record_ } from './fields.ts';
import { deviceUrl, readBody } from '../protocol/http-json.ts';
import { parseDeviceJson } from '../protocol/repair.ts';

/**
 * Stock Antminer control through its web CGI (HTTP Digest; root/root unless changed):
 * the RPC port is read-only. Sleep and resume rewrite the miner's configuration with
 * `miner-mode` 1 or 0 (pyasic's way), a pool switch puts the new pool first, reboot
 * calls reboot.cgi. Each login the config lists for the firmware is tried in turn.
 */

const SLEEP = '1';
const NORMAL = '0';

export type Call = (path: string, body?: unknown) => Promise<{ status: number; text: string }>;

/**
 * Runs `work` as each login the config lists for the firmware (stock Antminer unless
 * told: Elphapex keeps the same CGI) in turn, until the miner does not refuse it (401).
 * A transport error ends the tries: the miner is not there.
 */
export async function asLogins<T>(
  device: DeviceAddress,
  context: ReadContext,
  work: (call: Call) => Promise<{ status: number; value: T }>,
  firmware = 'stock',
): Promise<{ value: T } | { failure: string }> {
  const logins = context.credentials?.[firmware] ?? [{ username: 'root', password: 'root' }];
  const base = deviceUrl(device.host, context.webPort ?? 80, '/cgi-bin');
  let failure = 'no login to try';
  for (const login of logins) {
    const client = new DigestClient(login.username, login.password, { algorithm: 'MD5' });
    const call: Call = async (path, body) => {
      // digest-fetch's typings name node-fetch's Response too; on Node 20 it uses the global fetch.
      // The one signal bounds both of its requests (challenge, then login) and the body.
      const response = (await client.fetch(`${base}/${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        signal: AbortSignal.timeout(context.limits.totalTimeoutMs),
        ...(body !== undefined && {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      })) as Response;
      const received = await readBody(response, {
        maxBytes: context.limits.maxBytes,
        overflow: 'fail',
        where: `${base}/${path}`,
      });
      return { status: response.status, text: received.toString('utf8') };
    };
    try {
      const result = await work(call);
      if (result.status !== 401) {
        return { value: result.value };
      }
      failure = `the miner refused the login ${login.username}`;
    } catch (error) {
      return { failure: `${base}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  return { failure };
}

export async function antminerWebAct(
  device: DeviceAddress,
  order: DeviceOrder,
  context: ReadContext,
  firmware = 'stock',
): Promise<ActionResult> {
  const result = await asLogins(
    device,
    context,
    async (call) => {
      const { status, outcome } = await perform(call, order.action, order.params);
      return { status, value: outcome };
    },
    firmware,
  );
  return 'value' in result ? result.value : { status: 'failed', message: result.failure };
}

/**
 * The miner's configuration from get_miner_conf.cgi: where stock firmware says it is
 * asleep (`bitmain-work-mode` "1"), which its RPC does not (pyasic `is_mining`).
 */
export async function readAntminerConf(device: DeviceAddress, context: ReadContext): Promise<Record_> {
  const result = await asLogins(device, context, async (call) => {
    const answer = await call('get_miner_conf.cgi');
    return { status: answer.status, value: answer };
  });
  if ('failure' in result) {
    throw new Error(result.failure);
  }
  const { status, text } = result.value;
  if (status !== 200) {
    throw new Error(`get_miner_conf.cgi: HTTP ${String(status)}`);
  }
  const conf = record(parseDeviceJson(text).value);
  if (!conf) {
    throw new Error('get_miner_conf.cgi: the reply is not a JSON object');
  }
  return conf;
}

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
  } else if (action === 'set-fan') {
    // The configuration's own keys (get_miner_conf.cgi): fan control on is a fixed PWM in %.
    next['bitmain-fan-ctrl'] = params.fanMode === 'manual';
    if (params.fanMode === 'manual') {
      next['bitmain-fan-pwm'] = String(params.fanPercent ?? 100);
    }
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
  const refusal = firmwareRefusal(answer.text);
  if (refusal !== undefined) {
    return { status: 'failed', message: `${path}: ${refusal}` };
  }
  if (answer.status >= 200 && answer.status < 300) {
    return {
      status: 'done',
      message: `${path}: ${answer.text.trim().slice(0, 200) || `HTTP ${String(answer.status)}`}`,
    };
  }
  return { status: 'failed', message: `${path}: HTTP ${String(answer.status)}` };
}

/**
 * The code and message of the firmware's refusal, which it sends with HTTP 200:
 * {"stats":"error","code":"M001","msg":"Invalid pool!"}; undefined for any other reply.
 */
function firmwareRefusal(text: string): string | undefined {
  let reply: Record_ | undefined;
  try {
    reply = record(parseDeviceJson(text).value);
  } catch {
    return undefined;
  }
  if (reply?.stats !== 'error') {
    return undefined;
  }
  return [str(reply.code), str(reply.msg)].filter((part) => part !== undefined).join(' ') || 'refused';
}

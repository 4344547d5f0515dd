import { deviceUrl, getJson, HttpDeviceError, requestText } from '../protocol/http-json.ts';
import { type ActionResult, type DeviceAddress, type DeviceOrder, type ReadContext } from './driver.ts';
import { num, record, records, str } from './fields.ts';

/**
 * VNish (AnthillOS) on Antminers: its own web API on port 80, not the stock CGI
 * (OpenAPI "xminer-api"; pyasic web/vnish.py; asic-rs vnish/v1_2_0/web.rs).
 * `POST /api/v1/unlock {"pw":…}` gives a token for `Authorization: Bearer`; sleep is
 * `mining/stop`, resume `mining/start`, reboot `system/reboot`. A power target can only
 * be one of its autotune presets (named by their watts: "3495"): the largest not above
 * the target is set as `miner.overclock.preset` through `settings`. Its pool settings
 * are not documented in a form the agent can check, so a pool switch is refused.
 */

/** The unlock answer: a token, a refusal (VNish, wrong password) or nothing (no VNish here). */
export async function vnishUnlock(
  web: DeviceAddress,
  context: ReadContext,
): Promise<{ token: string } | { refused: string } | undefined> {
  const logins = context.credentials?.vnish ?? [{ username: 'admin', password: 'admin' }];
  let refused: string | undefined;
  for (const login of logins) {
    let reply;
    try {
      reply = await requestText(deviceUrl(web.host, web.port, '/api/v1/unlock'), {
        method: 'POST',
        timeoutMs: context.limits.totalTimeoutMs,
        maxBytes: 65_536,
        overflow: 'truncate',
        body: { pw: login.password },
      });
    } catch {
      return undefined;
    }
    // Stock firmware answers 404, or its digest challenge for every path.
    if (reply.status === 404 || /^Digest/i.test(reply.headers.get('www-authenticate') ?? '')) {
      return undefined;
    }
    const token = reply.ok ? str(record(parse(reply.text))?.token) : undefined;
    if (token !== undefined) {
      return { token };
    }
    refused = `VNish refused the password of ${login.username}: HTTP ${String(reply.status)}`;
  }
  return refused === undefined ? undefined : { refused };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export async function vnishAct(
  web: DeviceAddress,
  token: string,
  order: DeviceOrder,
  context: ReadContext,
): Promise<ActionResult> {
  const headers = { authorization: `Bearer ${token}` };
  const post = async (path: string, body?: unknown): Promise<ActionResult> => {
    try {
      const reply = await requestText(deviceUrl(web.host, web.port, `/api/v1/${path}`), {
        method: 'POST',
        timeoutMs: context.limits.totalTimeoutMs,
        maxBytes: 65_536,
        overflow: 'truncate',
        headers,
        ...(body !== undefined && { body }),
      });
      return reply.ok
        ? { status: 'done', message: `VNish ${path}: HTTP ${String(reply.status)}` }
        : {
            status: 'failed',
            message: `VNish ${path}: HTTP ${String(reply.status)} ${reply.text.slice(0, 200)}`.trim(),
          };
    } catch (error) {
      return {
        status: 'failed',
        message: `VNish ${path}: ${error instanceof HttpDeviceError ? error.reason : String(error)}`,
      };
    }
  };
  const get = async (path: string): Promise<unknown> =>
    (
      await getJson(deviceUrl(web.host, web.port, `/api/v1/${path}`), {
        timeoutMs: context.limits.totalTimeoutMs,
        maxBytes: 1 << 20,
        headers,
      })
    ).body;
  switch (order.action) {
    case 'sleep':
      return post('mining/stop');
    case 'resume':
      return post('mining/start');
    case 'reboot':
      return post('system/reboot');
    case 'set-power-target': {
      const watts = order.params.powerTargetW;
      if (watts === undefined) {
        return { status: 'failed', message: 'set-power-target needs powerTargetW' };
      }
      try {
        const listed = await get('autotune/presets');
        const presets = records(Array.isArray(listed) ? listed : record(listed)?.presets)
          .map((preset) => str(preset.name))
          .filter(
            (name): name is string => name !== undefined && num(name) !== undefined && /^\d+$/.test(name),
          );
        const chosen = presets
          .filter((name) => Number(name) <= watts)
          .sort((a, b) => Number(b) - Number(a))[0];
        if (chosen === undefined) {
          return {
            status: 'failed',
            message: `no VNish preset draws ${String(watts)} W or less (presets: ${presets.join(', ') || 'none'})`,
          };
        }
        const overclock = record(record(record(await get('settings'))?.miner)?.overclock) ?? {};
        const result = await post('settings', { miner: { overclock: { ...overclock, preset: chosen } } });
        return result.status === 'done'
          ? { ...result, message: `preset ${chosen} W: ${result.message}` }
          : result;
      } catch (error) {
        return {
          status: 'failed',
          message: `VNish presets: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
    }
    case 'set-fan':
    case 'switch-pool':
      return {
        status: 'unsupported',
        message:
          'VNish pool and cooling settings are not documented in a form the agent can check: set them in its web interface',
      };
  }
}

import type { ActionParams, MinerState } from '@hashwatt/schemas';
import { deviceUrl, HttpDeviceError, requestText } from '../protocol/http-json.ts';
import type { ActionResult, DeviceAddress, DeviceOrder, ReadContext } from './driver.ts';
import { num, record, records, str, type Record_ } from './fields.ts';
import { webJson } from './web-call.ts';

/**
 * VNish (AnthillOS) on Antminers: its own web API on port 80, not the stock CGI. Facts
 * from the OpenAPI "xminer-api" (asic-rs meta/vnish/v1.3.4/api-doc.json), the public
 * "VNish API Documentation" (VNish 1.2.6 on an S19), 256foundation/asic-rs
 * `asic-rs-firmwares/vnish/src/backends/v1_2_0/mod.rs` and UpstreamData/pyasic
 * `pyasic/web/vnish.py`, `pyasic/config/{pools,fans}.py`:
 * - `POST /api/v1/unlock {"pw"}` gives the token for `Authorization: Bearer`; a wrong
 *   password is 403 (401 on older builds), too many tries 429;
 * - sleep `POST mining/stop`, resume `mining/start`, reboot `system/reboot`, each read
 *   back from `GET status` `miner_state` (reboot: its `{"after"}` answer);
 * - `POST settings {"miner":{…}}` sets `pools` (`url`, `user`, `pass`), `cooling.mode`
 *   (`{"name":"auto"}` or `{"name":"manual","param":<duty %>}`) and `overclock.preset`,
 *   the power target: only an autotune preset (named by its watts, "3100"), the highest not
 *   above the target. Each is read back from `GET settings`; where the save answers
 *   `restart_required`, `mining/restart` applies it.
 * Errors come as `{"err": …}`.
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
        body: { pw: login.password },
      });
    } catch (error) {
      // No answer at all is no VNish here; an answer too large or too slow is VNish's fault.
      return error instanceof HttpDeviceError && error.status !== undefined
        ? { refused: `VNish POST /api/v1/unlock: ${error.reason}` }
        : undefined;
    }
    // Stock firmware answers 404, or its digest challenge for every path.
    if (reply.status === 404 || /^Digest/i.test(reply.headers.get('www-authenticate') ?? '')) {
      return undefined;
    }
    const token = reply.ok ? str(record(parse(reply.text))?.token) : undefined;
    if (token !== undefined) {
      return { token };
    }
    if (reply.status === 429) {
      return { refused: 'VNish refuses unlocking for now: too many tries (HTTP 429)' };
    }
    refused =
      reply.status === 401 || reply.status === 403
        ? `VNish refused the password of ${login.username} (HTTP ${String(reply.status)})`
        : `VNish POST /api/v1/unlock: HTTP ${String(reply.status)}, no token in the answer`;
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

type Call = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<unknown>;

/**
 * `miner_state` values (the OpenAPI's MinerState, asic-rs meta/vnish/v1.3.4/api-doc.json)
 * that say the miner stopped, or is on its way to mining.
 */
const STOPPED = ['stopped', 'shutting-down'];
const STARTING = ['initializing', 'starting', 'auto-tuning', 'restarting'];
const RUNNING = ['mining', ...STARTING];

/**
 * What VNish's `GET /api/v1/status` says of a miner that does not hash, as a sample's
 * state: stopped (by `mining/stop`, how the agent puts it to sleep) is sleeping; on its
 * way to mining is starting. `mining` without a hashrate, or a value not listed there,
 * settles nothing: the state is inferred, the value kept as the evidence.
 */
export function vnishState(minerState: string): MinerState | undefined {
  if (STOPPED.includes(minerState)) {
    return 'sleeping';
  }
  return STARTING.includes(minerState) ? 'starting' : undefined;
}

/** `miner_state` from `GET /api/v1/status`, unlocked first; undefined where no VNish answers. */
export async function vnishMinerState(web: DeviceAddress, context: ReadContext): Promise<string | undefined> {
  const unlocked = await vnishUnlock(web, context);
  if (unlocked === undefined) {
    return undefined;
  }
  if ('refused' in unlocked) {
    throw new Error(unlocked.refused);
  }
  const status = await vnishCall(web, unlocked.token, context)('GET', 'status');
  const state = str(record(status)?.miner_state);
  if (state === undefined) {
    throw new Error('VNish GET /api/v1/status: no miner_state in the reply');
  }
  return state;
}

/** Calls under `/api/v1/` with the token; a reply `{"err": …}` is the refusal. */
function vnishCall(web: DeviceAddress, token: string, context: ReadContext): Call {
  return (method, path, body) =>
    webJson(
      web,
      { method, path: `/api/v1/${path}`, ...(body !== undefined && { body }) },
      {
        firmware: 'VNish',
        timeoutMs: context.limits.totalTimeoutMs,
        headers: { authorization: `Bearer ${token}` },
        refusal: (reply) => str(record(reply)?.err),
      },
    );
}

export async function vnishAct(
  web: DeviceAddress,
  token: string,
  order: DeviceOrder,
  context: ReadContext,
): Promise<ActionResult> {
  const call = vnishCall(web, token, context);
  try {
    switch (order.action) {
      case 'sleep':
        return await mining(call, 'stop', STOPPED);
      case 'resume':
        return await mining(call, 'start', RUNNING);
      case 'reboot': {
        const after = num(record(await call('POST', 'system/reboot'))?.after);
        return {
          status: 'done',
          message: `VNish system/reboot accepted${after === undefined ? '' : `: it reboots in ${String(after)} s`}`,
        };
      }
      case 'set-power-target':
        return await setPreset(call, order.params.powerTargetW);
      case 'set-fan':
        return await setCooling(call, order.params);
      case 'switch-pool':
        return await switchPool(call, order.params);
    }
  } catch (error) {
    return { status: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
}

/** Stops or starts mining; done once `status` says the miner is in one of `expected`. */
async function mining(
  call: Call,
  verb: 'stop' | 'start',
  expected: readonly string[],
): Promise<ActionResult> {
  await call('POST', `mining/${verb}`);
  const state = str(record(await call('GET', 'status'))?.miner_state) ?? 'not given';
  return expected.includes(state)
    ? { status: 'done', message: `VNish mining/${verb}: status reads miner_state ${state}` }
    : {
        status: 'failed',
        message: `VNish took mining/${verb}, but status still reads miner_state ${state}`,
      };
}

/** The miner's settings (`GET settings` `miner`): what a write keeps and a read back checks. */
async function minerSettings(call: Call): Promise<Record_> {
  const miner = record(record(await call('GET', 'settings'))?.miner);
  if (miner === undefined) {
    throw new Error('VNish GET /api/v1/settings: no miner settings in the reply');
  }
  return miner;
}

/**
 * Saves `miner` settings and reads them back: done when `applied` finds the change,
 * restarting mining first where the save says it takes a restart.
 */
async function save(
  call: Call,
  miner: Record<string, unknown>,
  applied: (settings: Record_) => string | undefined,
  what: string,
): Promise<ActionResult> {
  const result = record(await call('POST', 'settings', { miner }));
  let restarted = '';
  if (result?.restart_required === true) {
    await call('POST', 'mining/restart');
    restarted = ', mining restarted to apply it';
  }
  const after = result?.reboot_required === true ? '; VNish applies it at its next reboot' : '';
  const wrong = applied(await minerSettings(call));
  return wrong === undefined
    ? { status: 'done', message: `VNish ${what}${restarted}${after}` }
    : { status: 'failed', message: `VNish took the settings, but reads back ${wrong}` };
}

/**
 * The power target as VNish allows it: the highest autotune preset not above it (an
 * untuned one is tuned first, as asic-rs notes), said in the result.
 */
async function setPreset(call: Call, watts: number | undefined): Promise<ActionResult> {
  if (watts === undefined) {
    return { status: 'failed', message: 'set-power-target needs powerTargetW' };
  }
  const listed = await call('GET', 'autotune/presets');
  const presets = records(Array.isArray(listed) ? listed : record(listed)?.presets).flatMap((preset) => {
    const name = str(preset.name);
    return name !== undefined && /^\d+$/.test(name)
      ? [{ name, watts: Number(name), pretty: str(preset.pretty), tuned: preset.status === 'tuned' }]
      : [];
  });
  const chosen = presets.filter((preset) => preset.watts <= watts).sort((a, b) => b.watts - a.watts)[0];
  if (chosen === undefined) {
    const lowest = Math.min(...presets.map((preset) => preset.watts));
    return {
      status: 'failed',
      message:
        presets.length === 0
          ? 'VNish lists no preset named by its watts'
          : `no VNish preset draws ${String(watts)} W or less: the lowest is ${String(lowest)} W`,
    };
  }
  const miner = await minerSettings(call);
  const overclock = { ...record(miner.overclock), preset: chosen.name };
  return save(
    call,
    { overclock },
    (settings) => {
      const preset = str(record(settings.overclock)?.preset);
      return preset === chosen.name ? undefined : `preset ${preset ?? 'none'}, not ${chosen.name}`;
    },
    `preset ${chosen.name}${chosen.pretty === undefined ? '' : ` (${chosen.pretty})`}, the highest not above ${String(watts)} W${chosen.tuned ? '' : ', untuned: VNish tunes it first'}`,
  );
}

/** The fans: VNish's own control (`auto`) or a fixed duty (`manual`, `param` in %). */
async function setCooling(call: Call, params: ActionParams): Promise<ActionResult> {
  const { fanMode, fanPercent } = params;
  if (fanMode === undefined || (fanMode === 'manual' && fanPercent === undefined)) {
    return { status: 'failed', message: 'set-fan needs fanMode, and fanPercent when manual' };
  }
  const mode = fanMode === 'auto' ? { name: 'auto' } : { name: 'manual', param: fanPercent };
  const miner = await minerSettings(call);
  return save(
    call,
    { cooling: { ...record(miner.cooling), mode } },
    (settings) => {
      const read = record(record(settings.cooling)?.mode);
      const same = read?.name === mode.name && (fanMode === 'auto' || num(read.param) === fanPercent);
      return same ? undefined : `cooling mode ${JSON.stringify(read ?? null)}`;
    },
    fanMode === 'auto' ? 'fans on auto' : `fans fixed at ${String(fanPercent)} %`,
  );
}

/** The new pool first, the ones set before kept behind it as backups, with their passwords. */
async function switchPool(call: Call, params: ActionParams): Promise<ActionResult> {
  const { poolUrl, poolUser, poolPassword } = params;
  if (poolUrl === undefined || poolUser === undefined) {
    return { status: 'failed', message: 'switch-pool needs poolUrl and poolUser' };
  }
  const miner = await minerSettings(call);
  const kept = records(miner.pools)
    .filter((pool) => !(str(pool.url) === poolUrl && str(pool.user) === poolUser))
    .flatMap((pool) => {
      const url = str(pool.url);
      const user = str(pool.user);
      return url === undefined || user === undefined ? [] : [{ url, user, pass: str(pool.pass) ?? 'x' }];
    });
  const pools = [{ url: poolUrl, user: poolUser, pass: poolPassword ?? 'x' }, ...kept];
  return save(
    call,
    { pools },
    (settings) => {
      const first = records(settings.pools)[0];
      return str(first?.url) === poolUrl && str(first?.user) === poolUser
        ? undefined
        : `${str(first?.url) ?? 'no pool'} first, not ${poolUrl}`;
    },
    `pool ${poolUrl} first, ${String(kept.length)} backup(s) kept`,
  );
}

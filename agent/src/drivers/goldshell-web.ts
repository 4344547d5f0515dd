import type { ActionParams } from '@hashwatt/schemas';
import { deviceUrl, getJson } from '../protocol/http-json.ts';
import {
  unsupported,
  type ActionResult,
  type DeviceAddress,
  type DeviceOrder,
  type ReadContext,
} from './driver.ts';
import { count, record, records, str, type Record_ } from './fields.ts';
import { webJson } from './web-call.ts';

/**
 * Goldshell's web API (`/mcb/*`): its login, and the writes it documents. Facts from
 * UpstreamData/pyasic `pyasic/web/goldshell.py` and `pyasic/miners/backends/goldshell.py`
 * (`PUT` with a JSON body for every write; `newpool` and `delpool` take `url`, `user`,
 * `pass`, delpool the pool's `dragid` too; sleep and wake select the `powerplans` entry of
 * `level` 3 or 0 as `select` in `PUT /mcb/setting`), from `pyasic/config/mining/__init__.py`
 * (the levels), from the API module of Goldshell's own web interface (`restartmcbminer`:
 * `PUT /mcb/restart`) and from a public TypeScript pool switch (log in, `GET /mcb/pools`,
 * `PUT /mcb/delpool` each, `PUT /mcb/newpool`, then `GET /mcb/pools` whose first entry must
 * be the new pool). The firmware documents no power target and no fan control.
 */

export async function goldshellLogIn(device: DeviceAddress, context: ReadContext): Promise<string> {
  const logins = context.credentials?.goldshell ?? [{ username: 'admin', password: '123456789' }];
  let last = 'no login to try';
  for (const login of logins) {
    const query = new URLSearchParams({
      username: login.username,
      password: login.password,
      cipher: 'false',
    });
    try {
      const { body } = await getJson(deviceUrl(device.host, device.port, `/user/login?${query.toString()}`), {
        timeoutMs: context.limits.totalTimeoutMs,
        maxBytes: 65_536,
      });
      const jwt = str(record(body)?.['JWT Token']);
      if (jwt !== undefined) {
        return jwt;
      }
      last = `login as ${login.username}: no JWT Token in the answer`;
    } catch (error) {
      last = `login as ${login.username}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  throw new Error(last);
}

type Call = (method: 'GET' | 'PUT', path: string, body?: unknown) => Promise<unknown>;

/** The power plan levels pyasic selects: normal and sleep. */
const NORMAL_LEVEL = 0;
export const SLEEP_LEVEL = 3;

export async function goldshellAct(
  device: DeviceAddress,
  order: DeviceOrder,
  context: ReadContext,
): Promise<ActionResult> {
  if (order.action === 'set-power-target' || order.action === 'set-fan') {
    return unsupported('Goldshell', order.action);
  }
  try {
    const jwt = await goldshellLogIn(device, context);
    const call: Call = (method, path, body) =>
      webJson(
        device,
        { method, path: `/mcb/${path}`, ...(body !== undefined && { body }) },
        {
          firmware: 'Goldshell',
          timeoutMs: context.limits.totalTimeoutMs,
          headers: { authorization: `Bearer ${jwt}` },
        },
      );
    switch (order.action) {
      case 'reboot':
        await call('PUT', 'restart');
        return { status: 'done', message: 'Goldshell PUT /mcb/restart accepted: the miner restarts' };
      case 'sleep':
        return await selectPlan(call, SLEEP_LEVEL, 'sleep');
      case 'resume':
        return await selectPlan(call, NORMAL_LEVEL, 'normal');
      case 'switch-pool':
        return await switchPool(call, order.params);
    }
  } catch (error) {
    return { status: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
}

/** Selects the power plan of `level`; done when `GET /mcb/setting` reads it selected. */
async function selectPlan(call: Call, level: number, name: string): Promise<ActionResult> {
  const setting = await readSetting(call);
  const plans = records(setting.powerplans);
  const index = plans.findIndex((plan) => count(plan.level) === level);
  if (index < 0) {
    return {
      status: 'unsupported',
      message: `this Goldshell lists no ${name} power plan (level ${String(level)}; it has ${plans.map((plan) => String(plan.level)).join(', ') || 'none'})`,
    };
  }
  await call('PUT', 'setting', { ...setting, select: index });
  const selected = count((await readSetting(call)).select);
  return selected === index
    ? {
        status: 'done',
        message: `Goldshell power plan ${String(index)} (level ${String(level)}, ${name}) selected`,
      }
    : {
        status: 'failed',
        message: `Goldshell took the setting, but reads back power plan ${selected === undefined ? 'none' : String(selected)}, not ${String(index)}`,
      };
}

async function readSetting(call: Call): Promise<Record_> {
  const setting = record(await call('GET', 'setting'));
  if (setting === undefined) {
    throw new Error('Goldshell GET /mcb/setting: the reply is not an object');
  }
  return setting;
}

/**
 * The new pool first and the others kept behind it: it is added before any is deleted,
 * so the miner never stands without a pool; then the old ones are deleted and added again
 * after it (with their passwords, which Goldshell lists).
 */
async function switchPool(call: Call, params: ActionParams): Promise<ActionResult> {
  const { poolUrl, poolUser, poolPassword } = params;
  if (poolUrl === undefined || poolUser === undefined) {
    return { status: 'failed', message: 'switch-pool needs poolUrl and poolUser' };
  }
  const listed = await call('GET', 'pools');
  if (!Array.isArray(listed)) {
    throw new Error('Goldshell GET /mcb/pools: the reply is not a list');
  }
  const old = records(listed).filter((pool) => !(str(pool.url) === poolUrl && str(pool.user) === poolUser));
  await call('PUT', 'newpool', { url: poolUrl, user: poolUser, pass: poolPassword ?? 'x' });
  if (
    !records(await call('GET', 'pools')).some(
      (pool) => str(pool.url) === poolUrl && str(pool.user) === poolUser,
    )
  ) {
    return {
      status: 'failed',
      message: `Goldshell took the new pool, but does not list ${poolUrl}: its pools are left as they were`,
    };
  }
  const lost: string[] = [];
  for (const pool of old) {
    // Each deletion renumbers the list: the pool is named by its `dragid` as listed now.
    const now = records(await call('GET', 'pools')).find(
      (entry) => str(entry.url) === str(pool.url) && str(entry.user) === str(pool.user),
    );
    if (now !== undefined) {
      await call('PUT', 'delpool', { ...entryOf(now), dragid: count(now.dragid) ?? 0 });
    }
  }
  for (const pool of old) {
    await call('PUT', 'newpool', entryOf(pool)).catch(() => {
      lost.push(str(pool.url) ?? '?');
    });
  }
  const first = records(await call('GET', 'pools'))[0];
  if (str(first?.url) !== poolUrl || str(first?.user) !== poolUser) {
    return {
      status: 'failed',
      message: `Goldshell took the pools, but reads back ${str(first?.url) ?? 'no pool'} first, not ${poolUrl}`,
    };
  }
  return lost.length > 0
    ? {
        status: 'failed',
        message: `Goldshell mines on ${poolUrl}, but refused the backup(s) ${lost.join(', ')} again`,
      }
    : { status: 'done', message: `Goldshell pool ${poolUrl} first, ${String(old.length)} backup(s) kept` };
}

/** A listed pool as newpool and delpool take it; "x", what pools take for none, where it lists no password. */
function entryOf(pool: Record_): { url: string; user: string; pass: string } {
  return { url: str(pool.url) ?? '', user: str(pool.user) ?? '', pass: str(pool.pass) ?? 'x' };
}

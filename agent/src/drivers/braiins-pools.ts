import { deviceUrl, getJson, HttpDeviceError, requestText } from '../protocol/http-json.ts';
import type { ActionResult, DeviceAddress, DeviceOrder, ReadContext } from './driver.ts';
import { record, records, str } from './fields.ts';

/**
 * A pool switch on Braiins OS 25.07 and later, over its REST API: the miner's one pool
 * group is written again with `PUT /api/v1/pools/batch` (setBatchPools), the new pool
 * first and the group's other pools kept behind it as backups. The batch, not
 * `PUT /pools/{uid}`, because 25.07 lists its group without a uid (the captured reply);
 * asic-rs sets pools the same way. The request is a list of PoolGroupConfiguration of the
 * "Braiins OS Public REST API" 1.7.0 (mirrored in api-evangelist/braiins-academy
 * openapi/_original/…-public-rest-api-openapi.json at 97993f63; the same message in
 * braiins/bos-plus-api proto/bos/v1/pool.proto at 1499459a): `name` (at least one
 * character: BOS+ refuses an empty one, 256foundation/asic-rs PR #331), `pools[]` of
 * `url`, `user`, optional `password` and `enabled`, the load-balance strategy; uids are
 * left for the miner to give. Several groups share the hashrate by quota, and the batch
 * would drop all but one: that is refused, as is a miner with no group at all.
 */
export async function switchBraiinsPool(
  device: DeviceAddress,
  token: string,
  order: DeviceOrder,
  context: ReadContext,
): Promise<ActionResult> {
  const { poolUrl, poolUser, poolPassword } = order.params;
  if (poolUrl === undefined || poolUser === undefined) {
    return { status: 'failed', message: 'switch-pool needs poolUrl and poolUser' };
  }
  const headers = { authorization: token };
  let groups;
  try {
    const { body } = await getJson(deviceUrl(device.host, device.port, '/api/v1/pools/'), {
      timeoutMs: context.limits.totalTimeoutMs,
      maxBytes: context.limits.maxBytes,
      headers,
    });
    groups = records(body);
  } catch (error) {
    return { status: 'failed', message: `GET /api/v1/pools/: ${reasonOf(error)}` };
  }
  const group = groups[0];
  const name = str(group?.name);
  if (group === undefined || name === undefined || groups.length > 1) {
    return {
      status: 'failed',
      message:
        groups.length > 1
          ? `Braiins OS shares the work among ${String(groups.length)} pool groups (${groups.map((each) => str(each.name) ?? '?').join(', ')}): rewriting one would move only its share; set the pools in its web interface`
          : group === undefined
            ? 'Braiins OS lists no pool group to put the pool in'
            : 'Braiins OS lists its pool group without a name',
    };
  }
  const kept = records(group.pools)
    .filter((pool) => !(str(pool.url) === poolUrl && str(pool.user) === poolUser))
    .flatMap((pool) => {
      const url = str(pool.url);
      const user = str(pool.user);
      // The miner does not say its pools' passwords: a kept backup goes without one.
      return url === undefined || user === undefined ? [] : [{ url, user, enabled: pool.enabled !== false }];
    });
  const strategy = record(group.strategy);
  const path = '/api/v1/pools/batch';
  const configuration = {
    name,
    pools: [
      {
        url: poolUrl,
        user: poolUser,
        ...(poolPassword !== undefined && { password: poolPassword }),
        enabled: true,
      },
      ...kept,
    ],
    ...(strategy !== undefined && { load_balance_strategy: strategy }),
  };
  try {
    const reply = await requestText(deviceUrl(device.host, device.port, path), {
      method: 'PUT',
      timeoutMs: context.limits.totalTimeoutMs,
      maxBytes: 1 << 20,
      overflow: 'truncate',
      headers,
      body: [configuration],
    });
    if (!reply.ok) {
      return {
        status: 'failed',
        message: `PUT ${path}: HTTP ${String(reply.status)} ${reply.text.slice(0, 300)}`.trim(),
      };
    }
    const first = records(records(parseJson(reply.text))[0]?.pools)[0];
    return str(first?.url) === poolUrl
      ? {
          status: 'done',
          message: `PUT ${path}: HTTP ${String(reply.status)}, ${poolUrl} first in group "${name}" with ${String(kept.length)} backup(s)`,
        }
      : {
          status: 'failed',
          message: `PUT ${path}: HTTP ${String(reply.status)}, but the group it returned does not start with ${poolUrl}`,
        };
  } catch (error) {
    return { status: 'failed', message: `PUT ${path}: ${reasonOf(error)}` };
  }
}

function reasonOf(error: unknown): string {
  return error instanceof HttpDeviceError
    ? error.reason
    : error instanceof Error
      ? error.message
      : String(error);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

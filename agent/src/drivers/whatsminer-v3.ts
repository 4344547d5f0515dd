import { createHash } from 'node:crypto';
import type { DeviceMessage, Fan, HashBoard, MinerPool } from '@hashwatt/schemas';
import { framedRequest } from '../protocol/framed-json.ts';
import {
  defineDriver,
  unsupported,
  type ActionResult,
  type DeviceAddress,
  type DeviceOrder,
  type ReadContext,
  type Replies,
} from './driver.ts';
import { count, defined, num, record, records, scaled, str, type Record_ } from './fields.ts';
import { identifyBitcoinModel, nominalOf } from './models.ts';

/**
 * Whatsminer firmware from late 2024 on (API v3, TCP 4433, length-prefixed JSON):
 * `get.device.info` (identity, board serials, error codes) and `get.miner.status` for
 * summary, edevs and pools, hashrates in TH/s.
 */

const REQUESTS = [
  ['info', { cmd: 'get.device.info' }],
  ['summary', { cmd: 'get.miner.status', param: 'summary' }],
  ['edevs', { cmd: 'get.miner.status', param: 'edevs' }],
  ['pools', { cmd: 'get.miner.status', param: 'pools' }],
] as const;

export const whatsminerV3 = defineDriver(
  { name: 'whatsminer-v3', port: 4433, firmware: 'whatsminer', make: 'Whatsminer', act: whatsminerV3Act },
  async (device, context): Promise<Replies<ReadonlyMap<string, Record_>>> => {
    const settled = await Promise.allSettled(
      REQUESTS.map(([, body]) => framedRequest(device, body, context.limits)),
    );
    const bodies = new Map<string, Record_>();
    const sources: string[] = [];
    const warnings: string[] = [];
    settled.forEach((result, i) => {
      const [name, body] = REQUESTS[i] ?? ['', { cmd: '' }];
      const source = `v3:${body.cmd}${'param' in body ? `:${body.param}` : ''}`;
      const reply = result.status === 'fulfilled' ? record(result.value) : undefined;
      if (reply && num(reply.code) === 0) {
        bodies.set(name, record(reply.msg) ?? {});
        sources.push(source);
      } else {
        warnings.push(
          `${source}: ${result.status === 'rejected' ? (result.reason as Error).message : `code ${str(reply?.code) ?? 'none'} ${str(reply?.msg) ?? ''}`}`,
        );
      }
    });
    if (bodies.size === 0) {
      throw new Error(warnings.join('; '));
    }
    return { bodies, sources, warnings };
  },
  (bodies) => {
    const info = bodies.get('info') ?? {};
    const miner = record(info.miner) ?? {};
    const network = record(info.network);
    const summary = record(bodies.get('summary')?.summary) ?? {};
    const power = num(summary['power-realtime']);
    // "false" once the miner service is stopped (set.miner.service stop): asleep (pyasic from_btminer_v3).
    const working = str(miner.working);
    const realtime = num(summary['hash-realtime']);
    const boardTemps = Array.isArray(summary['board-temperature'])
      ? (summary['board-temperature'] as unknown[])
      : [];
    const boards = records(bodies.get('edevs')?.edevs).map((board, position): HashBoard => {
      const slot = count(board.id) ?? position;
      return {
        slot,
        ...defined({
          hashrate: scaled(num(board['hash-realtime']), 1e12),
          expectedHashrate: scaled(num(board['factory-hash']), 1e12),
          chips: count(board['effective-chips']),
          boardTempC: num(boardTemps[slot]),
          chipTempC: num(board['chip-temp-max']),
          frequencyMhz: num(board.freq),
          serial: str(miner[`pcbsn${String(slot)}`]),
        }),
      };
    });
    const fans: Fan[] = [summary['fan-speed-in'], summary['fan-speed-out']]
      .map((rpm, id) => ({ id, rpm: num(rpm) }))
      .filter((fan): fan is { id: number; rpm: number } => fan.rpm !== undefined);
    const pools = records(bodies.get('pools')?.pools).map((pool, index): MinerPool => ({
      index,
      url: str(pool.url) ?? '',
      user: str(pool.account) ?? '',
      active: pool['stratum-active'] === true,
      alive: str(pool.status)?.toLowerCase() === 'alive',
    }));
    const facts = identifyBitcoinModel(str(miner.type), 'Whatsminer');
    return {
      identity: {
        make: 'Whatsminer',
        firmware: 'whatsminer',
        algorithm: facts.algorithm,
        ...nominalOf(facts),
        ...defined({
          model: str(miner.type),
          firmwareVersion: str(record(info.system)?.fwversion),
          serial: str(miner['miner-sn']),
          mac: str(network?.mac),
          hostname: str(network?.hostname),
        }),
      },
      parts: {
        ...defined({
          hashrate: scaled(realtime, 1e12),
          rawHashrate:
            realtime === undefined ? undefined : { value: realtime, unit: 'TH/s', field: 'hash-realtime' },
          expectedHashrate: scaled(num(summary['factory-hash']), 1e12),
          powerW: power,
          powerSource: power === undefined ? undefined : ('miner' as const),
          powerLimitW: num(summary['power-limit']),
          uptimeSeconds: count(summary.elapsed),
        }),
        boards,
        fans,
        pools,
        messages: errors(info),
        ...(working !== undefined && { stateEvidence: `v3:get.device.info miner.working=${working}` }),
        ...(working?.toLowerCase() === 'false' && { state: 'sleeping' as const }),
      },
    };
  },
);

/** `error-code` of get.device.info: `{code: since, reason}` entries. */
function errors(info: Record_): DeviceMessage[] {
  return records(info['error-code']).flatMap((entry) => {
    const reason = str(entry.reason);
    return Object.entries(entry)
      .filter(([key]) => key !== 'reason')
      .map(([code, since]) => ({
        code,
        severity: 'error' as const,
        message: `Whatsminer error ${code}${reason === undefined ? '' : `: ${reason}`} (since ${str(since) ?? '?'})`,
      }));
  });
}

/**
 * v3 writes carry `ts`, `account` and a token: the first 8 characters of
 * base64(sha256(cmd + password + salt + ts)), the salt from get.device.info (pyasic
 * BTMinerV3RPCAPI). The password is the "whatsminer" login of the agent's config
 * ("super" unless changed). Success is code 0.
 */
async function whatsminerV3Act(
  device: DeviceAddress,
  order: DeviceOrder,
  context: ReadContext,
): Promise<ActionResult> {
  const write = {
    sleep: ['set.miner.service', 'stop'],
    resume: ['set.miner.service', 'start'],
    reboot: ['set.system.reboot', undefined],
    'set-power-target': ['set.miner.power_limit', order.params.powerTargetW],
  }[order.action as 'sleep' | 'resume' | 'reboot' | 'set-power-target'] as [string, unknown] | undefined;
  if (!write) {
    return unsupported('Whatsminer (API v3)', order.action);
  }
  const [cmd, param] = write;
  try {
    const info = record(await framedRequest(device, { cmd: 'get.device.info' }, context.limits));
    const salt = str(record(info?.msg)?.salt);
    if (salt === undefined) {
      return { status: 'failed', message: 'get.device.info gave no salt to sign the command with' };
    }
    const logins = context.credentials?.whatsminer ?? [{ username: 'super', password: 'super' }];
    let last = 'no login to try';
    for (const login of logins) {
      const ts = Math.floor(context.now().getTime() / 1000);
      const token = createHash('sha256')
        .update(`${cmd}${login.password}${salt}${String(ts)}`)
        .digest('base64')
        .slice(0, 8);
      const reply = record(
        await framedRequest(
          device,
          { cmd, ...(param !== undefined && { param }), ts, account: login.username, token },
          context.limits,
        ),
      );
      if (num(reply?.code) === 0) {
        return { status: 'done', message: `${cmd}: ${str(reply?.msg) ?? 'ok'}` };
      }
      last = `${cmd}: code ${str(reply?.code) ?? 'none'} ${str(reply?.msg) ?? ''}`.trim();
    }
    return { status: 'failed', message: last };
  } catch (error) {
    return { status: 'failed', message: `${cmd}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

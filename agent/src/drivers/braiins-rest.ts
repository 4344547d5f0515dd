import type { Fan, HashBoard, MinerPool, MinerState } from '@hashwatt/schemas';
import { deviceUrl, getJson } from '../protocol/http-json.ts';
import {
  defineDriver,
  unsupported,
  type ActionResult,
  type DeviceAddress,
  type DeviceOrder,
  type ReadContext,
} from './driver.ts';
import { count, defined, num, record, records, scaled, str, type Record_ } from './fields.ts';
import { switchBraiinsPool } from './braiins-pools.ts';
import { getPaths, httpAct } from './http.ts';

/**
 * Braiins OS 25.07 and later: the public REST API on port 80 (`/api/v1`, OpenAPI
 * "Braiins OS Public REST API"). A login gives a token for the Authorization header.
 * Quantities describe themselves ({"gigahash_per_second": …}, {"watt": …}); the
 * tuner's power target is where curtailment by power, not just sleep, happens.
 */

const PATHS = [
  '/api/v1/miner/details',
  '/api/v1/miner/stats',
  '/api/v1/miner/hw/hashboards',
  '/api/v1/cooling/state',
  '/api/v1/pools/',
  '/api/v1/performance/tuner-state',
  '/api/v1/miner/errors',
] as const;

async function logIn(device: DeviceAddress, context: ReadContext): Promise<string> {
  const logins = context.credentials?.braiins ?? [{ username: 'root', password: '' }];
  let last = 'no login to try';
  for (const login of logins) {
    try {
      const { body } = await getJson(deviceUrl(device.host, device.port, '/api/v1/auth/login'), {
        timeoutMs: context.limits.totalTimeoutMs,
        method: 'POST',
        body: { username: login.username, password: login.password },
      });
      const token = str(record(body)?.token);
      if (token !== undefined) {
        return token;
      }
      last = 'the login answer held no token';
    } catch (error) {
      last = `login as ${login.username}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  throw new Error(last);
}

const gh = (value: unknown): number | undefined => scaled(num(record(value)?.gigahash_per_second), 1e9);
const celsius = (value: unknown): number | undefined => num(record(value)?.degree_c);

export const braiinsRest = defineDriver(
  { name: 'braiins-rest', port: 80, firmware: 'braiins', make: 'Antminer', act: braiinsRestAct },
  async (device, context) =>
    getPaths(device, PATHS, context, { authorization: await logIn(device, context) }),
  (bodies) => {
    const body = (path: (typeof PATHS)[number]): Record_ => record(bodies.get(path)) ?? {};
    const details = body('/api/v1/miner/details');
    const stats = body('/api/v1/miner/stats');
    const minerStats = record(stats.miner_stats) ?? {};
    const realtime = record(record(minerStats.real_hashrate)?.last_5s)?.gigahash_per_second;
    const poolStats = record(stats.pool_stats) ?? {};
    const power = num(record(record(stats.power_stats)?.approximated_consumption)?.watt);
    const tuner = record(record(body('/api/v1/performance/tuner-state').mode_state)?.powertargetmodestate);
    const name = str(record(details.miner_identity)?.name);
    const accepted = count(poolStats.accepted_shares);
    const rejected = count(poolStats.rejected_shares);
    const boards = records(body('/api/v1/miner/hw/hashboards').hashboards).map(
      (board, position): HashBoard => ({
        slot: (count(board.id) ?? position + 1) - 1,
        ...defined({
          hashrate: gh(record(record(board.stats)?.real_hashrate)?.last_5s),
          expectedHashrate: gh(record(board.stats)?.nominal_hashrate),
          chips: count(board.chips_count),
          boardTempC: celsius(board.board_temp),
          chipTempC: celsius(record(board.highest_chip_temp)?.temperature),
          frequencyMhz: scaled(num(record(board.current_frequency)?.hertz), 1e-6),
          serial: str(board.serial_number),
        }),
      }),
    );
    const fans = records(body('/api/v1/cooling/state').fans).map((fan, position): Fan => ({
      id: count(fan.position) ?? position,
      ...defined({ rpm: num(fan.rpm), percent: scaled(num(fan.target_speed_ratio), 100) }),
    }));
    const pools = records(bodies.get('/api/v1/pools/'))
      .flatMap((group) => records(group.pools))
      .map((pool, index): MinerPool => {
        const shares = record(pool.stats);
        return {
          index,
          url: str(pool.url) ?? '',
          user: str(pool.user) ?? '',
          active: pool.active === true,
          alive: pool.alive === true,
          ...defined({
            accepted: count(shares?.accepted_shares),
            rejected: count(shares?.rejected_shares),
            stale: count(shares?.stale_shares),
          }),
        };
      });
    return {
      identity: {
        make: name?.split(' ')[0] ?? 'Antminer',
        firmware: 'braiins',
        algorithm: 'sha256d',
        ...defined({
          model: str(name?.split(' ').slice(1).join(' ')),
          firmwareVersion: str(record(details.bos_version)?.current),
          serial: str(details.serial_number),
          mac: str(details.mac_address),
          hostname: str(details.hostname),
        }),
      },
      parts: {
        ...defined({
          hashrate: scaled(num(realtime), 1e9),
          rawHashrate:
            num(realtime) === undefined
              ? undefined
              : { value: num(realtime) ?? 0, unit: 'GH/s', field: 'miner_stats.real_hashrate.last_5s' },
          expectedHashrate: gh(minerStats.nominal_hashrate),
          powerW: power,
          powerSource: power === undefined ? undefined : ('miner' as const),
          powerLimitW: num(record(tuner?.current_target)?.watt),
          shares:
            accepted !== undefined && rejected !== undefined
              ? { accepted, rejected, ...defined({ stale: count(poolStats.stale_shares) }) }
              : undefined,
          uptimeSeconds: count(details.bosminer_uptime_s),
        }),
        boards,
        fans,
        pools,
        messages: records(body('/api/v1/miner/errors').errors).map((error) => ({
          severity: 'warning' as const,
          message: str(error.message) ?? 'an error without a message',
        })),
        ...braiinsState(
          minerStatus(details.status),
          body('/api/v1/performance/tuner-state').overall_tuner_state,
          num(realtime),
        ),
      },
    };
  },
);

/**
 * `miner/details` `status`, Braiins OS's MinerStatus (a number, or its name in some
 * releases): NOT_STARTED 1 (stopped) and PAUSED 3 are asleep, SUSPENDED 4 is a fault,
 * NORMAL 2 and RESTRICTED 5 mine if they hash. An unknown value leaves the state to the hashrate.
 */
export function minerStatus(status: unknown): { state?: MinerState; stateEvidence?: string } {
  const value = str(status);
  if (value === undefined) {
    return {};
  }
  const name = value.toUpperCase().replace(/^MINER_STATUS_/, '');
  const code = /^\d+$/.test(name) ? Number(name) : MINER_STATUS.indexOf(name);
  const evidence = `http:/api/v1/miner/details status=${value}${
    /^\d+$/.test(name) && MINER_STATUS[code] !== undefined ? ` (${MINER_STATUS[code] ?? ''})` : ''
  }`;
  // NORMAL and RESTRICTED hash: whether they do is the hashrate's to say.
  const state: MinerState | undefined =
    code === 1 || code === 3 ? 'sleeping' : code === 4 ? 'error' : undefined;
  return { stateEvidence: evidence, ...(state && { state }) };
}

/** MinerStatus by its number (the BOS+ API's proto enum). */
const MINER_STATUS = ['UNSPECIFIED', 'NOT_STARTED', 'NORMAL', 'PAUSED', 'SUSPENDED', 'RESTRICTED'];

/** TunerState by its number (braiins/bos-plus-api `proto/bos/v1/performance.proto`). */
const TUNER_STATE = ['UNSPECIFIED', 'DISABLED', 'STABLE', 'TUNING', 'ERROR', 'CONTINUOUS', 'PREHEAT'];

/**
 * The miner status, and where it leaves the state to the hashrate, the tuner's: a miner
 * whose tuner is still TUNING or PREHEAT and that does not hash yet is starting (the
 * tuner runs after every start and power-target change); hashing, it mines.
 */
export function braiinsState(
  status: { state?: MinerState; stateEvidence?: string },
  tunerState: unknown,
  hashrateGhs: number | undefined,
): { state?: MinerState; stateEvidence?: string } {
  const value = str(tunerState);
  if (status.state !== undefined || value === undefined) {
    return status;
  }
  const name = value.toUpperCase().replace(/^TUNER_STATE_/, '');
  const word = /^\d+$/.test(name) ? (TUNER_STATE[Number(name)] ?? name) : name;
  const evidence = [
    status.stateEvidence,
    `http:/api/v1/performance/tuner-state overall_tuner_state=${value}${word === value ? '' : ` (${word})`}`,
  ]
    .filter(Boolean)
    .join(', ');
  const warming = (word === 'TUNING' || word === 'PREHEAT') && (hashrateGhs ?? 0) <= 0;
  return { stateEvidence: evidence, ...(warming && { state: 'starting' as const }) };
}

/**
 * The fans' mode as `PUT /api/v1/cooling/mode` takes it (SetCoolingModeRequest of
 * braiins/bos-plus-api `proto/bos/v1/cooling.proto`): `manual` at `fan_speed_ratio`
 * (0.0–1.0); `auto` with no field set, which resets the mode's fields to the firmware's
 * defaults (its target, hot and dangerous temperatures).
 */
export function coolingMode(
  order: DeviceOrder,
): { auto: object } | { manual: { fan_speed_ratio: number } } | undefined {
  const { fanMode, fanPercent } = order.params;
  if (fanMode === 'auto') {
    return { auto: {} };
  }
  return fanMode === 'manual' && fanPercent !== undefined
    ? { manual: { fan_speed_ratio: fanPercent / 100 } }
    : undefined;
}

/**
 * Pause, resume and reboot are `PUT /actions/…`; a power target is
 * `PUT /performance/power-target`; the fans' mode `PUT /cooling/mode`; a pool switch
 * rewrites the pool group (braiins-pools.ts).
 */
async function braiinsRestAct(
  device: DeviceAddress,
  order: DeviceOrder,
  context: ReadContext,
): Promise<ActionResult> {
  const cooling = order.action === 'set-fan' ? coolingMode(order) : undefined;
  if (order.action === 'set-fan' && cooling === undefined) {
    return { status: 'failed', message: 'set-fan needs fanMode, and fanPercent when manual' };
  }
  const request = {
    sleep: ['/api/v1/actions/pause', undefined],
    resume: ['/api/v1/actions/resume', undefined],
    reboot: ['/api/v1/actions/reboot', undefined],
    'set-power-target': ['/api/v1/performance/power-target', { watt: order.params.powerTargetW }],
    'set-fan': ['/api/v1/cooling/mode', cooling],
  }[order.action as 'sleep' | 'resume' | 'reboot' | 'set-power-target' | 'set-fan'] as
    [string, unknown] | undefined;
  if (!request && order.action !== 'switch-pool') {
    return unsupported('Braiins OS (REST)', order.action);
  }
  let token: string;
  try {
    token = await logIn(device, context);
  } catch (error) {
    return { status: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
  if (!request) {
    return switchBraiinsPool(device, token, order, context);
  }
  const [path, body] = request;
  return httpAct(device, path, context, body, { method: 'PUT', headers: { authorization: token } });
}

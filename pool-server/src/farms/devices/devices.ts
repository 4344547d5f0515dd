import type {
  DevicePatch,
  EfficiencyFigure,
  FarmDevice,
  FarmPower,
  MinerState,
  PowerFigure,
  PowerSource,
} from '@hashwatt/schemas';
import type { Queryable } from '../../db/pool.ts';
import { HwError } from '../../errors.ts';
import { HASHES_PER_DIFFICULTY } from '../economics/hashprice.ts';

const HOUR_MS = 3_600_000;
/**
 * A reading older than this is not the power now: the agent polls every 30 s, so ten
 * minutes without one means the device or the agent has gone quiet.
 */
const STALE_READING_MS = 10 * 60_000;

interface DeviceRow {
  readonly id: string;
  readonly device: string;
  readonly make: string;
  readonly model: string | null;
  readonly firmware: string;
  readonly firmware_version: string | null;
  readonly serial: string | null;
  readonly mac: string | null;
  readonly algorithm: string;
  readonly first_seen: Date;
  readonly last_seen: Date;
  readonly last_state: MinerState;
  readonly rack: string | null;
  readonly shelf: string | null;
  readonly slot: string | null;
  readonly nominal_hashrate: number | null;
  readonly nominal_power_w: number | null;
  readonly pool_user: string | null;
  readonly hashrate: number | null;
  readonly expected_hashrate: number | null;
  readonly power_w: number | null;
  readonly power_source: PowerSource | null;
  readonly sample_at: Date | null;
  readonly chip_temp_c: number | null;
  readonly hour_reported: number | null;
  /** Null when no worker has the device's pool user; 0 when it has one that sent nothing. */
  readonly hour_difficulty: number | null;
  /** The worker's first minute inside the hour: a worker new to the pool is measured over its own time. */
  readonly first_bucket: Date | null;
}

export interface DeviceListing {
  readonly nowMs: number;
  /** A device whose reported and measured hashrate differ by more than this, in %, is flagged. */
  readonly gapAlertPercent: number;
}

/** The host of the agent's `host:port` (or `[v6]:port`) name for a device. */
function hostOf(device: string): string {
  if (device.startsWith('[')) {
    return device.slice(1, device.indexOf(']'));
  }
  const colon = device.lastIndexOf(':');
  return colon === -1 ? device : device.slice(0, colon);
}

const iso = (atMs: number): string => new Date(atMs).toISOString().replace('.000Z', 'Z');

/** What a device's power may be shown as, from its latest reading and its nameplate. */
export function devicePower(
  device: {
    readonly state: MinerState;
    readonly powerW: number | null;
    readonly powerSource: PowerSource | null;
    readonly nominalPowerW: number | null;
    readonly sampleAtMs: number | null;
  },
  nowMs: number,
): PowerFigure {
  const unknown = (reason: string): PowerFigure => ({ watts: null, basis: 'unknown', source: null, reason });
  if (device.sampleAtMs === null) {
    return unknown('the device has never reported');
  }
  if (device.sampleAtMs < nowMs - STALE_READING_MS) {
    return unknown(`no reading from the device since ${iso(device.sampleAtMs)}`);
  }
  if (device.state === 'unreachable') {
    return unknown('the device is unreachable');
  }
  if (device.powerW !== null) {
    return device.powerSource === 'nameplate'
      ? {
          watts: device.powerW,
          basis: 'estimated',
          source: 'nameplate',
          reason: 'the agent estimated it from the nameplate',
        }
      : { watts: device.powerW, basis: 'measured', source: device.powerSource ?? 'miner', reason: null };
  }
  if (device.state === 'sleeping') {
    return unknown('the device is asleep and does not report its power');
  }
  if (device.nominalPowerW !== null) {
    return {
      watts: device.nominalPowerW,
      basis: 'estimated',
      source: 'nameplate',
      reason: 'the device does not report its power: its nameplate power',
    };
  }
  return unknown('the device does not report its power and has no nameplate power set');
}

/** J/TH from a power figure and a hashrate, as sure as the power is. */
export function efficiencyOf(
  power: PowerFigure,
  hashrate: number | null,
  what = 'the device',
): EfficiencyFigure {
  const unknown = (reason: string): EfficiencyFigure => ({ joulesPerTh: null, basis: 'unknown', reason });
  if (power.watts === null) {
    return unknown(`its power is unknown: ${power.reason ?? 'no reading'}`);
  }
  if (hashrate === null) {
    return unknown(`${what} reports no hashrate`);
  }
  if (hashrate <= 0) {
    return unknown(`${what} is not hashing`);
  }
  return {
    joulesPerTh: power.watts / (hashrate / 1e12),
    basis: power.basis === 'measured' ? 'measured' : 'estimated',
    reason: power.basis === 'measured' ? null : `from estimated power: ${power.reason ?? ''}`,
  };
}

function hourOf(row: DeviceRow, nowMs: number, gapAlertPercent: number): FarmDevice['hour'] {
  const reportedHashrate = row.hour_reported;
  const seconds =
    row.first_bucket === null ? 3_600 : Math.min(3_600, (nowMs - row.first_bucket.getTime()) / 1000 + 60);
  const poolHashrate =
    row.hour_difficulty === null ? null : (row.hour_difficulty * HASHES_PER_DIFFICULTY) / seconds;
  const gapPercent =
    reportedHashrate !== null && poolHashrate !== null && reportedHashrate > 0
      ? ((reportedHashrate - poolHashrate) / reportedHashrate) * 100
      : null;
  return {
    reportedHashrate,
    poolHashrate,
    gapPercent,
    alert: gapPercent !== null && Math.abs(gapPercent) > gapAlertPercent,
  };
}

/**
 * A farm's devices with their latest reading and their last hour two ways: the mean
 * of what each said, and what the pool measured from the shares of the worker named
 * as its pool user. One statement, each device by its own index probes.
 */
export async function listDevices(
  db: Queryable,
  farmId: string,
  listing: DeviceListing,
  onlyId?: string,
): Promise<FarmDevice[]> {
  const { rows } = await db.query<DeviceRow>(
    `SELECT d.id::text, d.device, d.make, d.model, d.firmware, d.firmware_version, d.serial, d.mac, d.algorithm,
            d.first_seen, d.last_seen, d.last_state, d.rack, d.shelf, d.slot, d.nominal_hashrate, d.nominal_power_w,
            d.pool_user, s.hashrate, s.expected_hashrate, s.power_w, s.power_source, s.time AS sample_at, s.chip_temp_c,
            h.hour_reported, p.hour_difficulty, p.first_bucket
       FROM devices d
       LEFT JOIN LATERAL (
         SELECT time, hashrate, expected_hashrate, power_w, power_source, chip_temp_c FROM miner_samples
          WHERE device_id = d.id ORDER BY time DESC LIMIT 1
       ) s ON true
       LEFT JOIN LATERAL (
         SELECT avg(hashrate) AS hour_reported FROM miner_samples
          WHERE device_id = d.id AND hashrate IS NOT NULL
            AND time > to_timestamp($2::double precision / 1000) AND time <= to_timestamp($3::double precision / 1000)
       ) h ON true
       LEFT JOIN LATERAL (
         SELECT coalesce(sum(r.accepted_difficulty), 0) AS hour_difficulty, min(r.bucket) AS first_bucket
           FROM workers w
           LEFT JOIN share_rollups_minute r ON r.worker_id = w.id
                AND r.bucket >= to_timestamp($2::double precision / 1000) AND r.bucket < to_timestamp($3::double precision / 1000)
          WHERE w.name = d.pool_user
         HAVING count(w.id) > 0
       ) p ON true
      WHERE d.farm_id = $1 AND ($4::bigint IS NULL OR d.id = $4)
      ORDER BY d.device`,
    [farmId, listing.nowMs - HOUR_MS, listing.nowMs, onlyId ?? null],
  );
  return rows.map((row) => {
    const power = devicePower(
      {
        state: row.last_state,
        powerW: row.power_w,
        powerSource: row.power_source,
        nominalPowerW: row.nominal_power_w,
        sampleAtMs: row.sample_at?.getTime() ?? null,
      },
      listing.nowMs,
    );
    return {
      id: row.id,
      device: row.device,
      make: row.make,
      model: row.model,
      firmware: row.firmware,
      firmwareVersion: row.firmware_version,
      serial: row.serial,
      mac: row.mac,
      algorithm: row.algorithm,
      firstSeen: row.first_seen.toISOString(),
      lastSeen: row.last_seen.toISOString(),
      state: row.last_state,
      hashrate: row.hashrate,
      expectedHashrate: row.expected_hashrate,
      powerW: row.power_w,
      power,
      efficiency: efficiencyOf(power, row.hashrate),
      chipTempC: row.chip_temp_c,
      ip: hostOf(row.device),
      location: { rack: row.rack, shelf: row.shelf, slot: row.slot },
      nominalHashrate: row.nominal_hashrate,
      nominalPowerW: row.nominal_power_w,
      poolUser: row.pool_user,
      hour: hourOf(row, listing.nowMs, listing.gapAlertPercent),
    };
  });
}

/** A farm meter's latest reading, whenever it was. */
export interface MeterNow {
  readonly name: string;
  readonly watts: number | null;
  readonly atMs: number | null;
}

/** Why the meters cannot give the power now, or null when they can. */
function meterProblem(meters: readonly MeterNow[], nowMs: number): string | null {
  const named = (meter: MeterNow): string => (meters.length === 1 ? 'the meter' : `meter "${meter.name}"`);
  const never = meters.find((meter) => meter.atMs === null);
  if (never) {
    return `${named(never)} has never reported`;
  }
  const silent = meters.find((meter) => (meter.atMs ?? 0) < nowMs - STALE_READING_MS);
  return silent ? `${named(silent)} has been silent since ${iso(silent.atMs ?? 0)}` : null;
}

/** "a, b and 3 more": the first few names of a list. */
function some(names: readonly string[]): string {
  return names.length <= 3
    ? names.join(', ')
    : `${names.slice(0, 3).join(', ')} and ${String(names.length - 3)} more`;
}

/**
 * A farm's power now: its meters' total when every meter is fresh, otherwise the sum of its
 * devices' figures; estimated when any device's is, unknown (null) when any device's is.
 * A meter reading nothing while devices hash is not believed.
 */
export function farmPowerOf(
  farmId: string,
  devices: readonly FarmDevice[],
  meters: readonly MeterNow[],
  nowMs: number,
): FarmPower {
  // An old or unreachable device's last hashrate is not its hashrate now.
  const reported = devices.filter(
    (device) =>
      device.hashrate !== null &&
      device.state !== 'unreachable' &&
      Date.parse(device.lastSeen) >= nowMs - STALE_READING_MS,
  );
  const hashrate =
    reported.length === 0 ? null : reported.reduce((sum, device) => sum + (device.hashrate ?? 0), 0);
  const count = (basis: PowerFigure['basis']): number =>
    devices.filter((device) => device.power.basis === basis).length;
  const meterWatts = meters.some((meter) => meter.watts === null)
    ? null
    : meters.reduce((sum, meter) => sum + (meter.watts ?? 0), 0);
  const times = meters.map((meter) => meter.atMs).filter((atMs): atMs is number => atMs !== null);
  const meterIssue = meters.length === 0 ? 'the farm has no meter' : meterProblem(meters, nowMs);
  const hashing = (hashrate ?? 0) > 0;
  const problem =
    meterIssue ??
    (meterWatts !== null && meterWatts < 1 && hashing ? 'the meter reads 0 W while devices hash' : null);
  const power = problem === null && meterWatts !== null ? metered(meterWatts) : fromDevices(devices, problem);
  const silentHashing = devices.filter((device) => device.state === 'mining' && device.hashrate === null);
  return {
    farmId,
    power,
    hashrate,
    efficiency:
      silentHashing.length > 0 && power.watts !== null
        ? {
            joulesPerTh: null,
            basis: 'unknown',
            reason: `devices that mine report no hashrate: ${some(silentHashing.map((device) => device.device))}`,
          }
        : efficiencyOf(power, hashrate, 'the farm'),
    devices: {
      total: devices.length,
      measured: count('measured'),
      estimated: count('estimated'),
      unknown: count('unknown'),
    },
    meter:
      meters.length === 0
        ? null
        : {
            watts: meterWatts,
            at: times.length === 0 ? null : new Date(Math.min(...times)).toISOString(),
            fresh: meterIssue === null,
          },
  };
}

function metered(watts: number): PowerFigure {
  return { watts, basis: 'measured', source: 'meter', reason: null };
}

function fromDevices(devices: readonly FarmDevice[], meterProblem: string | null): PowerFigure {
  const why = (reason: string): string => (meterProblem === null ? reason : `${meterProblem}; ${reason}`);
  if (devices.length === 0) {
    return { watts: null, basis: 'unknown', source: null, reason: why('the farm has no devices') };
  }
  const unknown = devices.filter((device) => device.power.watts === null);
  if (unknown.length > 0) {
    const named = unknown.map((device) => `${device.device} (${device.power.reason ?? 'unknown'})`);
    return {
      watts: null,
      basis: 'unknown',
      source: null,
      reason: why(
        `${String(unknown.length)} of ${String(devices.length)} devices have no power figure: ${some(named)}`,
      ),
    };
  }
  const watts = devices.reduce((sum, device) => sum + (device.power.watts ?? 0), 0);
  const estimated = devices.filter((device) => device.power.basis === 'estimated').length;
  if (estimated === 0) {
    return { watts, basis: 'measured', source: 'miner', reason: meterProblem };
  }
  return {
    watts,
    basis: 'estimated',
    source: 'nameplate',
    reason: why(`${String(estimated)} of ${String(devices.length)} devices estimated from nameplate power`),
  };
}

/** Every meter of a farm with its latest reading. */
async function metersNow(db: Queryable, farmId: string): Promise<MeterNow[]> {
  const { rows } = await db.query<{ name: string; time: Date | null; power_w: number | null }>(
    `SELECT m.name, s.time, s.power_w
       FROM meters m
       LEFT JOIN LATERAL (
         SELECT time, power_w FROM meter_samples WHERE meter_id = m.id ORDER BY time DESC LIMIT 1
       ) s ON true
      WHERE m.farm_id = $1
      ORDER BY m.name`,
    [farmId],
  );
  return rows.map((row) => ({ name: row.name, watts: row.power_w, atMs: row.time?.getTime() ?? null }));
}

/** A farm's power now, from its meters and devices. */
export async function farmPower(db: Queryable, farmId: string, listing: DeviceListing): Promise<FarmPower> {
  const [devices, meters] = await Promise.all([listDevices(db, farmId, listing), metersNow(db, farmId)]);
  return farmPowerOf(farmId, devices, meters, listing.nowMs);
}

const PATCHABLE = {
  rack: 'rack',
  shelf: 'shelf',
  slot: 'slot',
  nominalHashrate: 'nominal_hashrate',
  nominalPowerW: 'nominal_power_w',
} as const satisfies Record<keyof DevicePatch, string>;

/** Sets where a device stands and what it is rated at; the device as listed after. */
export async function updateDevice(
  db: Queryable,
  farmId: string,
  deviceId: string,
  patch: DevicePatch,
  listing: DeviceListing,
): Promise<FarmDevice> {
  const fields = (Object.keys(PATCHABLE) as (keyof DevicePatch)[]).filter((key) => patch[key] !== undefined);
  if (fields.length > 0) {
    const { rowCount } = await db.query(
      `UPDATE devices SET ${fields.map((key, index) => `${PATCHABLE[key]} = $${String(index + 3)}`).join(', ')}
        WHERE farm_id = $1 AND id = $2`,
      [farmId, deviceId, ...fields.map((key) => patch[key])],
    );
    if (rowCount === 0) {
      throw new HwError('HW_ERR_DEVICE_NOT_FOUND', undefined, 'params.deviceId');
    }
  }
  const [device] = await listDevices(db, farmId, listing, deviceId);
  if (!device) {
    throw new HwError('HW_ERR_DEVICE_NOT_FOUND', undefined, 'params.deviceId');
  }
  return device;
}

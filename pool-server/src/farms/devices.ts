import type { DevicePatch, FarmDevice, MinerState } from '@hashwatt/schemas';
import type { Database } from '../db/pool.ts';
import { HwError } from '../errors.ts';
import { HASHES_PER_DIFFICULTY } from './economics.ts';

const HOUR_MS = 3_600_000;

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
  db: Database,
  farmId: string,
  listing: DeviceListing,
  onlyId?: string,
): Promise<FarmDevice[]> {
  const { rows } = await db.query<DeviceRow>(
    `SELECT d.id::text, d.device, d.make, d.model, d.firmware, d.firmware_version, d.serial, d.mac, d.algorithm,
            d.first_seen, d.last_seen, d.last_state, d.rack, d.shelf, d.slot, d.nominal_hashrate, d.nominal_power_w,
            d.pool_user, s.hashrate, s.expected_hashrate, s.power_w, s.chip_temp_c,
            h.hour_reported, p.hour_difficulty, p.first_bucket
       FROM devices d
       LEFT JOIN LATERAL (
         SELECT hashrate, expected_hashrate, power_w, chip_temp_c FROM miner_samples
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
  return rows.map((row) => ({
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
    chipTempC: row.chip_temp_c,
    ip: hostOf(row.device),
    location: { rack: row.rack, shelf: row.shelf, slot: row.slot },
    nominalHashrate: row.nominal_hashrate,
    nominalPowerW: row.nominal_power_w,
    poolUser: row.pool_user,
    hour: hourOf(row, listing.nowMs, listing.gapAlertPercent),
  }));
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
  db: Database,
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

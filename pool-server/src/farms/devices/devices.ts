import type {
  CommandSupports,
  DevicePatch,
  FarmDevice,
  MinerState,
  PowerSource,
  StateReason,
} from '@hashwatt/schemas';
import type { Queryable } from '../../db/pool.ts';
import { HwError } from '../../errors.ts';
import { workerProtocols, workerWork, type WorkerWork } from '../../ledger/worker-production.ts';
import { HASHES_PER_DIFFICULTY } from '../economics/hashprice.ts';
import { isBitcoinAlgorithm } from './algorithms.ts';
import { devicePower, efficiencyOf } from './device-power.ts';

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
  readonly last_state_evidence: string | null;
  readonly last_state_reason: StateReason | null;
  readonly rack: string | null;
  readonly shelf: string | null;
  readonly slot: string | null;
  readonly nominal_hashrate: number | null;
  readonly nominal_power_w: number | null;
  readonly table_hashrate: number | null;
  readonly table_power_w: number | null;
  readonly pool_user: string | null;
  readonly commands: CommandSupports | null;
  readonly hashrate: number | null;
  readonly expected_hashrate: number | null;
  readonly power_w: number | null;
  readonly power_source: PowerSource | null;
  readonly sample_at: Date | null;
  readonly chip_temp_c: number | null;
  readonly hour_reported: number | null;
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

/**
 * The device's last hour as the pool measured it: `work` is undefined when no worker has
 * the device's pool user (not measured), and a worker new to the pool is measured over
 * its own time from its first minute inside the hour.
 */
function hourOf(
  reportedHashrate: number | null,
  work: WorkerWork | undefined,
  nowMs: number,
  gapAlertPercent: number,
): FarmDevice['hour'] {
  const seconds =
    work === undefined || work.firstBucketMs === null
      ? 3_600
      : Math.min(3_600, (nowMs - work.firstBucketMs) / 1000 + 60);
  const poolHashrate = work === undefined ? null : (work.difficulty * HASHES_PER_DIFFICULTY) / seconds;
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
 * as its pool user (asked of the ledger). One statement for the devices, each by its own
 * index probes, and one for their workers.
 */
export async function listDevices(
  db: Queryable,
  farmId: string,
  listing: DeviceListing,
  onlyId?: string,
): Promise<FarmDevice[]> {
  const { rows } = await db.query<DeviceRow>(
    `SELECT d.id::text, d.device, d.make, d.model, d.firmware, d.firmware_version, d.serial, d.mac, d.algorithm,
            d.first_seen, d.last_seen, d.last_state, d.last_state_evidence, d.last_state_reason, d.rack, d.shelf, d.slot, d.nominal_hashrate, d.nominal_power_w,
            d.pool_user, d.commands, s.hashrate, s.expected_hashrate, s.power_w, s.power_source, s.time AS sample_at, s.chip_temp_c,
            s.table_hashrate, s.table_power_w, h.hour_reported
       FROM devices d
       LEFT JOIN LATERAL (
         SELECT time, hashrate, expected_hashrate, power_w, power_source, chip_temp_c,
                (sample #>> '{identity,nominalHashrate}')::float8 AS table_hashrate,
                (sample #>> '{identity,nominalPowerW}')::float8 AS table_power_w
           FROM miner_samples
          WHERE device_id = d.id ORDER BY time DESC LIMIT 1
       ) s ON true
       LEFT JOIN LATERAL (
         SELECT avg(hashrate) AS hour_reported FROM miner_samples
          WHERE device_id = d.id AND hashrate IS NOT NULL
            AND time > to_timestamp($2::double precision / 1000) AND time <= to_timestamp($3::double precision / 1000)
       ) h ON true
      WHERE d.farm_id = $1 AND ($4::bigint IS NULL OR d.id = $4)
      ORDER BY d.device`,
    [farmId, listing.nowMs - HOUR_MS, listing.nowMs, onlyId ?? null],
  );
  const poolUsers = [...new Set(rows.map((row) => row.pool_user).filter((user) => user !== null))];
  const [work, protocols] = await Promise.all([
    workerWork(db, poolUsers, 'minute', listing.nowMs - HOUR_MS, listing.nowMs),
    workerProtocols(db, poolUsers),
  ]);
  return rows.map((row) => {
    // What the operator set, else the nameplate the agent's model table gives the model.
    const nominalPowerW = row.nominal_power_w ?? row.table_power_w;
    const bitcoin = isBitcoinAlgorithm(row.algorithm);
    const power = devicePower(
      {
        state: row.last_state,
        powerW: row.power_w,
        powerSource: row.power_source,
        nominalPowerW,
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
      stateEvidence: row.last_state_evidence,
      stateReason: row.last_state_reason,
      hashrate: row.hashrate,
      expectedHashrate: row.expected_hashrate,
      powerW: row.power_w,
      power,
      // J/TH is a figure of SHA-256 miners; another algorithm's hashes are not comparable.
      efficiency: bitcoin
        ? efficiencyOf(power, row.hashrate)
        : { joulesPerTh: null, basis: 'unknown', reason: `the device hashes ${row.algorithm}, not SHA-256` },
      chipTempC: row.chip_temp_c,
      ip: hostOf(row.device),
      location: { rack: row.rack, shelf: row.shelf, slot: row.slot },
      nominalHashrate: row.nominal_hashrate ?? row.table_hashrate,
      nominalPowerW,
      poolUser: row.pool_user,
      poolProtocol: row.pool_user === null ? null : (protocols.get(row.pool_user) ?? null),
      commands: row.commands,
      // The pool measures SHA-256 shares only: another algorithm's figure is not compared with them.
      hour: hourOf(
        row.hour_reported,
        row.pool_user === null || !bitcoin ? undefined : work.get(row.pool_user),
        listing.nowMs,
        listing.gapAlertPercent,
      ),
    };
  });
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

/** The pool users a farm's devices mine as: the names of their workers in the ledger. */
export async function farmPoolUsers(db: Queryable, farmId: string): Promise<string[]> {
  const { rows } = await db.query<{ pool_user: string }>(
    'SELECT DISTINCT pool_user FROM devices WHERE farm_id = $1 AND pool_user IS NOT NULL',
    [farmId],
  );
  return rows.map((row) => row.pool_user);
}

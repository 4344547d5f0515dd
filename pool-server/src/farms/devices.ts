import type { FarmDevice, MinerState } from '@hashwatt/schemas';
import type { Database } from '../db/pool.ts';

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
  readonly hashrate: number | null;
  readonly expected_hashrate: number | null;
  readonly power_w: number | null;
  readonly chip_temp_c: number | null;
}

/** A farm's devices with their latest reading (one index probe each, newest first by device_id, time). */
export async function listDevices(db: Database, farmId: string): Promise<FarmDevice[]> {
  const { rows } = await db.query<DeviceRow>(
    `SELECT d.id::text, d.device, d.make, d.model, d.firmware, d.firmware_version, d.serial, d.mac, d.algorithm,
            d.first_seen, d.last_seen, d.last_state, s.hashrate, s.expected_hashrate, s.power_w, s.chip_temp_c
       FROM devices d
       LEFT JOIN LATERAL (
         SELECT hashrate, expected_hashrate, power_w, chip_temp_c FROM miner_samples
          WHERE device_id = d.id ORDER BY time DESC LIMIT 1
       ) s ON true
      WHERE d.farm_id = $1
      ORDER BY d.device`,
    [farmId],
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
  }));
}

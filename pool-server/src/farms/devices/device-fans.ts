import type { Fan } from '@hashwatt/schemas';
import type { Queryable } from '../../db/pool.ts';

/** A device's fans as its latest reading gave them: each speed in rpm, and in % where reported. */
export interface FanSpeeds {
  readonly rpms: readonly number[];
  readonly percents: readonly number[];
}

/**
 * Each device's fan speeds as its latest reading of the last hour gave them, by device id;
 * a device that reported no fan speed (immersion and hydro machines have no fans) is
 * absent, never given a speed of 0.
 */
export async function latestFanSpeeds(
  db: Queryable,
  farmId: string,
  nowMs: number,
): Promise<Map<string, FanSpeeds>> {
  const { rows } = await db.query<{ id: string; fans: Fan[] | null }>(
    `SELECT d.id::text, s.fans
       FROM devices d
       JOIN LATERAL (
         SELECT sample->'fans' AS fans FROM miner_samples
          WHERE device_id = d.id AND time > to_timestamp($2::double precision / 1000) - interval '1 hour'
          ORDER BY time DESC LIMIT 1
       ) s ON true
      WHERE d.farm_id = $1`,
    [farmId, nowMs],
  );
  const speeds = new Map<string, FanSpeeds>();
  for (const row of rows) {
    const fans = row.fans ?? [];
    const rpms = fans.flatMap((fan) => (fan.rpm === undefined ? [] : [fan.rpm]));
    const percents = fans.flatMap((fan) => (fan.percent === undefined ? [] : [fan.percent]));
    if (rpms.length > 0 || percents.length > 0) {
      speeds.set(row.id, { rpms, percents });
    }
  }
  return speeds;
}

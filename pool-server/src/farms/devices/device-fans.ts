import type { Fan } from '@hashwatt/schemas';
import type { Queryable } from '../../db/pool.ts';

/**
 * Each device's fan speeds (rpm) as its latest reading of the last hour gave them, by
 * device id; a device that reported no rpm is absent, never given a speed of 0.
 */
export async function latestFanSpeeds(
  db: Queryable,
  farmId: string,
  nowMs: number,
): Promise<Map<string, number[]>> {
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
  const speeds = new Map<string, number[]>();
  for (const row of rows) {
    const rpms = (row.fans ?? []).flatMap((fan) => (fan.rpm === undefined ? [] : [fan.rpm]));
    if (rpms.length > 0) {
      speeds.set(row.id, rpms);
    }
  }
  return speeds;
}

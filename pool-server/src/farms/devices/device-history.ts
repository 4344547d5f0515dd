import type { BoardBucket, DeviceSeries, DeviceSeriesPoint } from '@hashwatt/schemas';
import type { Queryable } from '../../db/pool.ts';
import { HwError } from '../../errors.ts';
import { bucketStarts, frameFields, type SeriesFrame } from '../series-frame.ts';

/**
 * Boards kept a bucket: real machines have 3 or 4 (a few 6); a reading that claims
 * hundreds is broken or hostile, and would multiply every point of the answer.
 */
const MAX_BOARDS = 16;

interface BucketRow {
  readonly at: Date;
  readonly hashrate: number | null;
  readonly power_w: number | null;
  readonly chip_temp_c: number | null;
  readonly board_temp_c: number | null;
  readonly fan_min: number | null;
  readonly fan_max: number | null;
}

interface BoardRow {
  readonly at: Date;
  readonly slot: number;
  readonly chip_temp_c: number | null;
  readonly board_temp_c: number | null;
  readonly hashrate: number | null;
}

/** A number from a reading's JSON, or null when it is absent or not a finite number. */
const jsonNumber = (path: string): string =>
  `CASE WHEN jsonb_typeof(${path}) = 'number' THEN (${path})::double precision END`;

/**
 * One device's history: each bucket's mean hashrate and power, its hottest chip and
 * board, its slowest and fastest fan, and each board's own figures. A bucket without a
 * reading, or whose readings lack a figure, has null for it: a gap, never a 0.
 */
export async function deviceSeries(
  db: Queryable,
  farmId: string,
  deviceId: string,
  frame: SeriesFrame,
): Promise<DeviceSeries> {
  const owned = await db.query('SELECT 1 FROM devices WHERE farm_id = $1 AND id = $2', [farmId, deviceId]);
  if (owned.rowCount === 0) {
    throw new HwError('HW_ERR_DEVICE_NOT_FOUND', undefined, 'params.deviceId');
  }
  const params = [
    deviceId,
    new Date(frame.fromMs),
    new Date(frame.toMs),
    `${String(frame.bucketMs / 1000)} seconds`,
  ];
  const inRange = 's.device_id = $1 AND s.time >= $2 AND s.time < $3';
  const [buckets, boards] = await Promise.all([
    db.query<BucketRow>(
      `SELECT date_bin($4::interval, s.time, 'epoch') AS at, avg(s.hashrate) AS hashrate, avg(s.power_w) AS power_w,
              max(s.chip_temp_c)::double precision AS chip_temp_c, max(s.board_temp_c)::double precision AS board_temp_c,
              min(f.slowest) AS fan_min, max(f.fastest) AS fan_max
         FROM miner_samples s
         LEFT JOIN LATERAL (
           SELECT min(${jsonNumber("fan->'rpm'")}) AS slowest, max(${jsonNumber("fan->'rpm'")}) AS fastest
             FROM jsonb_array_elements(CASE WHEN jsonb_typeof(s.sample->'fans') = 'array' THEN s.sample->'fans' ELSE '[]' END) fan
         ) f ON true
        WHERE ${inRange}
        GROUP BY 1`,
      params,
    ),
    db.query<BoardRow>(
      `WITH board AS (
         SELECT date_bin($4::interval, s.time, 'epoch') AS at, ${jsonNumber("b->'slot'")} AS slot,
                ${jsonNumber("b->'chipTempC'")} AS chip, ${jsonNumber("b->'boardTempC'")} AS temp,
                ${jsonNumber("b->'hashrate'")} AS hashrate
           FROM miner_samples s,
                jsonb_array_elements(CASE WHEN jsonb_typeof(s.sample->'boards') = 'array' THEN s.sample->'boards' ELSE '[]' END) b
          WHERE ${inRange}
       ), slots AS (
         SELECT DISTINCT slot FROM board WHERE slot BETWEEN 0 AND 1000000 ORDER BY slot LIMIT ${String(MAX_BOARDS)}
       )
       SELECT at, slot::integer AS slot, max(chip) AS chip_temp_c, max(temp) AS board_temp_c, avg(hashrate) AS hashrate
         FROM board WHERE slot IN (SELECT slot FROM slots)
        GROUP BY at, slot ORDER BY at, slot`,
      params,
    ),
  ]);
  const byTime = new Map(buckets.rows.map((row) => [row.at.getTime(), row]));
  const boardsByTime = new Map<number, BoardBucket[]>();
  for (const row of boards.rows) {
    const list = boardsByTime.get(row.at.getTime()) ?? [];
    list.push({
      slot: row.slot,
      chipTempC: row.chip_temp_c,
      boardTempC: row.board_temp_c,
      hashrate: row.hashrate,
    });
    boardsByTime.set(row.at.getTime(), list);
  }
  const points = bucketStarts(frame).map((atMs): DeviceSeriesPoint => {
    const row = byTime.get(atMs);
    return {
      time: new Date(atMs).toISOString(),
      hashrate: row?.hashrate ?? null,
      powerW: row?.power_w ?? null,
      chipTempC: row?.chip_temp_c ?? null,
      boardTempC: row?.board_temp_c ?? null,
      fanRpmMin: row?.fan_min ?? null,
      fanRpmMax: row?.fan_max ?? null,
      boards: boardsByTime.get(atMs) ?? [],
    };
  });
  return { deviceId, ...frameFields(frame), points };
}

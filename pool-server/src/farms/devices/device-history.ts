import type { BoardBucket, DeviceSeries, DeviceSeriesPoint } from '@hashwatt/schemas';
import type { Queryable } from '../../db/pool.ts';
import { HwError } from '../../errors.ts';
import { bucketStarts, frameFields, type SeriesFrame } from '../series-frame.ts';

/** Boards a point lists, the lowest slots: real machines have 3 or 4 (a few 6). */
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

/**
 * One device's history: each bucket's mean hashrate and power, its hottest chip and
 * board, its slowest and fastest fan, and each board's own figures, from the 5-minute
 * rollups ingest keeps. A bucket without a reading, or whose readings lack a figure,
 * has null for it: a gap, never a 0.
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
  const [buckets, boards] = await Promise.all([
    db.query<BucketRow>(
      `SELECT date_bin($4::interval, r.bucket, 'epoch') AS at,
              sum(r.hashrate_sum) / nullif(sum(r.hashrate_count), 0) AS hashrate,
              sum(r.power_sum) / nullif(sum(r.power_count), 0) AS power_w,
              max(r.chip_temp_max)::double precision AS chip_temp_c,
              max(r.board_temp_max)::double precision AS board_temp_c,
              min(r.fan_rpm_min) AS fan_min, max(r.fan_rpm_max) AS fan_max
         FROM miner_rollups_5m r
        WHERE r.device_id = $1 AND r.bucket >= $2 AND r.bucket < $3
        GROUP BY 1`,
      params,
    ),
    db.query<BoardRow>(
      `WITH slots AS (
         SELECT DISTINCT slot FROM miner_board_rollups_5m
          WHERE device_id = $1 AND bucket >= $2 AND bucket < $3 ORDER BY slot LIMIT ${String(MAX_BOARDS)}
       )
       SELECT date_bin($4::interval, r.bucket, 'epoch') AS at, r.slot, max(r.chip_temp_max)::double precision AS chip_temp_c,
              max(r.board_temp_max)::double precision AS board_temp_c,
              sum(r.hashrate_sum) / nullif(sum(r.hashrate_count), 0) AS hashrate
         FROM miner_board_rollups_5m r
        WHERE r.device_id = $1 AND r.bucket >= $2 AND r.bucket < $3 AND r.slot IN (SELECT slot FROM slots)
        GROUP BY 1, 2 ORDER BY 1, 2`,
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

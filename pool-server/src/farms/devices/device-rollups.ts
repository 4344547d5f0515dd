import type { MinerSample } from '@hashwatt/schemas';
import type { Queryable } from '../../db/pool.ts';

/** The rollup's bucket: 5 minutes, aligned to the Unix epoch as the charts' buckets are. */
const ROLLUP_BUCKET_MS = 5 * 60_000;

/**
 * Board slots kept: real machines number theirs from 0 to 3 (a few to 5); a reading that
 * claims a slot beyond this is broken or hostile, and would grow the table without end.
 */
const MAX_BOARD_SLOT = 63;

interface BoardRollup {
  readonly slot: number;
  chipMax: number | null;
  boardMax: number | null;
  hashrateSum: number;
  hashrateCount: number;
}

interface Rollup {
  readonly deviceId: string;
  readonly bucketMs: number;
  readings: number;
  hashrateSum: number;
  hashrateCount: number;
  powerSum: number;
  powerCount: number;
  chipMax: number | null;
  boardMax: number | null;
  fanMin: number | null;
  fanMax: number | null;
  readonly boards: Map<number, BoardRollup>;
}

const larger = (a: number | null, b: number | undefined): number | null =>
  b === undefined ? a : a === null ? b : Math.max(a, b);
const smaller = (a: number | null, b: number | undefined): number | null =>
  b === undefined ? a : a === null ? b : Math.min(a, b);

/** The hottest board or chip (a GPU's core counts as a chip) a reading gives; undefined when none says. */
export function hottest(sample: MinerSample, field: 'chipTempC' | 'boardTempC'): number | undefined {
  const readings = [
    ...sample.boards.map((board) => board[field]),
    ...(field === 'chipTempC' ? (sample.gpus ?? []).map((gpu) => gpu.tempC) : []),
  ].filter((value): value is number => value !== undefined);
  return readings.length > 0 ? Math.max(...readings) : undefined;
}

/**
 * The hashrate a reading counts for: its own when the device mines; 0 when it says it is
 * asleep, idle, starting or failing, whatever figure its API still showed (kept in the
 * sample as evidence); none when it gave none.
 */
export function countedHashrate(sample: MinerSample): number | undefined {
  if (sample.hashrate === undefined || sample.state === 'mining') {
    return sample.hashrate;
  }
  return 0;
}

/**
 * Adds a batch's readings to their devices' 5-minute rollups, in the batch's transaction
 * (a batch is stored once, so it is counted once). Rows are upserted in key order, the
 * order concurrent batches would lock them in.
 */
export async function rollUpReadings(
  db: Queryable,
  farmId: string,
  deviceIds: ReadonlyMap<string, string>,
  samples: readonly MinerSample[],
): Promise<void> {
  const rollups = new Map<string, Rollup>();
  for (const sample of samples) {
    const deviceId = deviceIds.get(sample.device);
    if (deviceId === undefined) {
      continue;
    }
    const atMs = Date.parse(sample.at);
    const bucketMs = atMs - (((atMs % ROLLUP_BUCKET_MS) + ROLLUP_BUCKET_MS) % ROLLUP_BUCKET_MS);
    const key = `${deviceId}\u0000${String(bucketMs)}`;
    let rollup = rollups.get(key);
    if (!rollup) {
      rollup = {
        deviceId,
        bucketMs,
        readings: 0,
        hashrateSum: 0,
        hashrateCount: 0,
        powerSum: 0,
        powerCount: 0,
        chipMax: null,
        boardMax: null,
        fanMin: null,
        fanMax: null,
        boards: new Map(),
      };
      rollups.set(key, rollup);
    }
    rollup.readings += 1;
    const hashrate = countedHashrate(sample);
    if (hashrate !== undefined) {
      rollup.hashrateSum += hashrate;
      rollup.hashrateCount += 1;
    }
    if (sample.powerW !== undefined) {
      rollup.powerSum += sample.powerW;
      rollup.powerCount += 1;
    }
    rollup.chipMax = larger(rollup.chipMax, hottest(sample, 'chipTempC'));
    rollup.boardMax = larger(rollup.boardMax, hottest(sample, 'boardTempC'));
    for (const fan of sample.fans) {
      rollup.fanMin = smaller(rollup.fanMin, fan.rpm);
      rollup.fanMax = larger(rollup.fanMax, fan.rpm);
    }
    for (const board of sample.boards) {
      if (board.slot > MAX_BOARD_SLOT) {
        continue;
      }
      let into = rollup.boards.get(board.slot);
      if (!into) {
        into = { slot: board.slot, chipMax: null, boardMax: null, hashrateSum: 0, hashrateCount: 0 };
        rollup.boards.set(board.slot, into);
      }
      into.chipMax = larger(into.chipMax, board.chipTempC);
      into.boardMax = larger(into.boardMax, board.boardTempC);
      if (board.hashrate !== undefined) {
        into.hashrateSum += board.hashrate;
        into.hashrateCount += 1;
      }
    }
  }
  if (rollups.size === 0) {
    return;
  }
  const rows = [...rollups.values()].sort(
    (a, b) => Number(BigInt(a.deviceId) - BigInt(b.deviceId)) || a.bucketMs - b.bucketMs,
  );
  const column = <T>(pick: (row: Rollup) => T): T[] => rows.map(pick);
  await db.query(
    `INSERT INTO miner_rollups_5m AS r (bucket, device_id, farm_id, readings, hashrate_sum, hashrate_count, power_sum,
                                        power_count, chip_temp_max, board_temp_max, fan_rpm_min, fan_rpm_max)
     SELECT to_timestamp(i.bucket_ms / 1000), i.device_id, $1, i.readings, i.hashrate_sum, i.hashrate_count,
            i.power_sum, i.power_count, i.chip, i.board, i.fan_min, i.fan_max
       FROM unnest($2::double precision[], $3::bigint[], $4::int[], $5::float8[], $6::int[], $7::float8[], $8::int[],
                   $9::real[], $10::real[], $11::float8[], $12::float8[])
            AS i (bucket_ms, device_id, readings, hashrate_sum, hashrate_count, power_sum, power_count, chip, board,
                  fan_min, fan_max)
     ON CONFLICT (device_id, bucket) DO UPDATE SET
       readings = r.readings + EXCLUDED.readings,
       hashrate_sum = r.hashrate_sum + EXCLUDED.hashrate_sum,
       hashrate_count = r.hashrate_count + EXCLUDED.hashrate_count,
       power_sum = r.power_sum + EXCLUDED.power_sum,
       power_count = r.power_count + EXCLUDED.power_count,
       chip_temp_max = greatest(r.chip_temp_max, EXCLUDED.chip_temp_max),
       board_temp_max = greatest(r.board_temp_max, EXCLUDED.board_temp_max),
       fan_rpm_min = least(r.fan_rpm_min, EXCLUDED.fan_rpm_min),
       fan_rpm_max = greatest(r.fan_rpm_max, EXCLUDED.fan_rpm_max)`,
    [
      farmId,
      column((row) => row.bucketMs),
      column((row) => row.deviceId),
      column((row) => row.readings),
      column((row) => row.hashrateSum),
      column((row) => row.hashrateCount),
      column((row) => row.powerSum),
      column((row) => row.powerCount),
      column((row) => row.chipMax),
      column((row) => row.boardMax),
      column((row) => row.fanMin),
      column((row) => row.fanMax),
    ],
  );
  const boards = rows.flatMap((row) =>
    [...row.boards.values()]
      .sort((a, b) => a.slot - b.slot)
      .map((board) => ({ ...board, deviceId: row.deviceId, bucketMs: row.bucketMs })),
  );
  if (boards.length === 0) {
    return;
  }
  await db.query(
    `INSERT INTO miner_board_rollups_5m AS r (bucket, device_id, slot, chip_temp_max, board_temp_max, hashrate_sum,
                                              hashrate_count)
     SELECT to_timestamp(i.bucket_ms / 1000), i.device_id, i.slot, i.chip, i.board, i.hashrate_sum, i.hashrate_count
       FROM unnest($1::double precision[], $2::bigint[], $3::int[], $4::real[], $5::real[], $6::float8[], $7::int[])
            AS i (bucket_ms, device_id, slot, chip, board, hashrate_sum, hashrate_count)
     ON CONFLICT (device_id, bucket, slot) DO UPDATE SET
       chip_temp_max = greatest(r.chip_temp_max, EXCLUDED.chip_temp_max),
       board_temp_max = greatest(r.board_temp_max, EXCLUDED.board_temp_max),
       hashrate_sum = r.hashrate_sum + EXCLUDED.hashrate_sum,
       hashrate_count = r.hashrate_count + EXCLUDED.hashrate_count`,
    [
      boards.map((board) => board.bucketMs),
      boards.map((board) => board.deviceId),
      boards.map((board) => board.slot),
      boards.map((board) => board.chipMax),
      boards.map((board) => board.boardMax),
      boards.map((board) => board.hashrateSum),
      boards.map((board) => board.hashrateCount),
    ],
  );
}

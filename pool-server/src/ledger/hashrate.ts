import type { Database } from '../db/pool.ts';
import { ROLLUP_COLUMNS } from './rollups.ts';

/** Whose hashrate: the whole pool, one account (all its workers), or one worker. */
export type HashrateScope =
  | { readonly kind: 'pool' }
  | { readonly kind: 'account'; readonly account: string }
  | { readonly kind: 'worker'; readonly account: string; readonly worker: string };

/** 10 minutes, 1 hour, 24 hours. */
export const HASHRATE_WINDOWS_SECONDS: readonly number[] = [600, 3_600, 86_400];

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Hashes a share of difficulty 1 stands for on average. */
const HASHES_PER_DIFFICULTY = 2 ** 32;

export interface HashrateEstimate {
  readonly windowSeconds: number;
  /** Hashes per second. */
  readonly hashrate: number;
  /** The time the shares were counted over: the window, widened to whole minutes. */
  readonly spanSeconds: number;
  readonly accepted: number;
  readonly difficulty: number;
}

export interface ChartPoint {
  readonly timeMs: number;
  readonly hashrate: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly stale: number;
}

/** The hashrate that `difficulty` of accepted shares over `seconds` stands for. */
export function hashrateOf(difficulty: number, seconds: number): number {
  return seconds > 0 ? (difficulty * HASHES_PER_DIFFICULTY) / seconds : 0;
}

const COLUMNS = ROLLUP_COLUMNS;
const ACCOUNT_ID = '(SELECT id FROM accounts WHERE name = $4)';
const WORKER_ID = `(SELECT id FROM workers WHERE account_id = ${ACCOUNT_ID} AND name = $5)`;
const IN_RANGE = 'bucket >= $1 AND bucket < $2';

/**
 * The rollup rows of a scope between $1 and $2 ($4, $5 its names): the pool's hours
 * (`hourly`) or minutes; an account's hours or minutes, or a worker's minutes, each
 * with the increments not folded yet.
 */
function rowsOf(scope: HashrateScope, hourly: boolean): { readonly sql: string; readonly params: unknown[] } {
  switch (scope.kind) {
    case 'pool':
      return {
        sql: `SELECT ${COLUMNS} FROM ${hourly ? 'share_rollups_pool_hour' : 'share_rollups_pool_minute'} WHERE ${IN_RANGE}`,
        params: [],
      };
    case 'account':
      return {
        sql: `SELECT ${COLUMNS} FROM ${hourly ? 'share_rollups_hour' : 'share_rollups_minute'}
               WHERE account_id = ${ACCOUNT_ID} AND ${IN_RANGE}
              UNION ALL
              SELECT ${COLUMNS} FROM share_rollup_deltas WHERE account_id = ${ACCOUNT_ID} AND ${IN_RANGE}`,
        params: [scope.account],
      };
    case 'worker':
      return {
        sql: `SELECT ${COLUMNS} FROM share_rollups_minute WHERE worker_id = ${WORKER_ID} AND ${IN_RANGE}
              UNION ALL
              SELECT ${COLUMNS} FROM share_rollup_deltas
               WHERE account_id = ${ACCOUNT_ID} AND worker_id = ${WORKER_ID} AND ${IN_RANGE}`,
        params: [scope.account, scope.worker],
      };
  }
}

interface BucketRow {
  readonly time_ms: string;
  readonly difficulty: number;
  readonly accepted: string;
  readonly rejected: string;
  readonly stale: string;
}

async function buckets(
  db: Database,
  scope: HashrateScope,
  fromMs: number,
  toMs: number,
  bucketMs: number,
): Promise<BucketRow[]> {
  const source = rowsOf(scope, bucketMs % HOUR_MS === 0);
  // date_bin groups the rollups into the chart's buckets, aligned to the Unix epoch.
  const { rows } = await db.query<BucketRow>(
    `SELECT (extract(epoch FROM date_bin($3::interval, r.bucket, 'epoch')) * 1000)::bigint::text AS time_ms,
            sum(r.accepted_difficulty) AS difficulty, sum(r.accepted)::text AS accepted,
            sum(r.rejected)::text AS rejected, sum(r.stale)::text AS stale
       FROM (${source.sql}) r
      GROUP BY 1 ORDER BY 1`,
    [new Date(fromMs), new Date(toMs), `${String(bucketMs / 1000)} seconds`, ...source.params],
  );
  return rows;
}

/** Where a window ending at `nowMs` starts: the minute its start falls in. */
export function windowStart(nowMs: number, windowSeconds: number): number {
  const start = nowMs - windowSeconds * 1000;
  return start - (((start % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
}

/** A window's estimate from what was accepted since its start. */
export function estimateOf(
  windowSeconds: number,
  nowMs: number,
  totals: { readonly difficulty: number; readonly accepted: number },
): HashrateEstimate {
  const spanSeconds = (nowMs - windowStart(nowMs, windowSeconds)) / 1000;
  return {
    windowSeconds,
    hashrate: hashrateOf(totals.difficulty, spanSeconds),
    spanSeconds,
    accepted: totals.accepted,
    difficulty: totals.difficulty,
  };
}

/**
 * Hashrate over each window ending now, from the minute rollups: a window starts at the
 * minute its start falls in, and the hashrate is what was accepted since then over the
 * exact time since then. A minute holds only shares of that minute, so nothing outside
 * the span is counted and nothing inside it is missed.
 */
export async function hashrates(
  db: Database,
  scope: HashrateScope,
  nowMs: number,
  windowsSeconds: readonly number[] = HASHRATE_WINDOWS_SECONDS,
): Promise<HashrateEstimate[]> {
  const earliest = Math.min(...windowsSeconds.map((seconds) => windowStart(nowMs, seconds)));
  const rows = await buckets(db, scope, earliest, nowMs + 1, MINUTE_MS);
  return windowsSeconds.map((windowSeconds) => {
    const start = windowStart(nowMs, windowSeconds);
    const totals = { difficulty: 0, accepted: 0 };
    for (const row of rows) {
      if (Number(row.time_ms) >= start) {
        totals.difficulty += row.difficulty;
        totals.accepted += Number(row.accepted);
      }
    }
    return estimateOf(windowSeconds, nowMs, totals);
  });
}

/**
 * A hashrate chart: one point per bucket from `fromMs` (rounded down to a bucket) to
 * `toMs`, empty buckets as zero. Buckets of whole hours read the hourly rollups where the
 * scope has them (the pool, accounts): a 30-day chart reads 720 rows.
 */
export async function hashrateChart(
  db: Database,
  scope: HashrateScope,
  range: { readonly fromMs: number; readonly toMs: number; readonly bucketSeconds: number },
): Promise<ChartPoint[]> {
  const bucketMs = range.bucketSeconds * 1000;
  if (!Number.isInteger(range.bucketSeconds) || bucketMs % MINUTE_MS !== 0 || bucketMs <= 0) {
    throw new RangeError(`a chart bucket is a whole number of minutes, not ${String(range.bucketSeconds)} s`);
  }
  if (!(range.toMs > range.fromMs)) {
    throw new RangeError('a chart ends after it starts');
  }
  const first = range.fromMs - (((range.fromMs % bucketMs) + bucketMs) % bucketMs);
  const rows = await buckets(db, scope, first, range.toMs, bucketMs);
  const byTime = new Map(rows.map((row) => [Number(row.time_ms), row]));
  const points: ChartPoint[] = [];
  for (let timeMs = first; timeMs < range.toMs; timeMs += bucketMs) {
    const row = byTime.get(timeMs);
    points.push({
      timeMs,
      hashrate: hashrateOf(row?.difficulty ?? 0, range.bucketSeconds),
      accepted: Number(row?.accepted ?? 0),
      rejected: Number(row?.rejected ?? 0),
      stale: Number(row?.stale ?? 0),
    });
  }
  return points;
}

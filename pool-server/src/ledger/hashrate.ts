import type { Database } from '../db/pool.ts';
import { poolRunning, ranDuring } from './pool-uptime.ts';
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
  /** Hashes per second; null when not measured: before the scope's first share, or the pool down (hashrateChart). */
  readonly hashrate: number | null;
  readonly accepted: number;
  readonly rejected: number;
  readonly stale: number;
}

/** The hashrate that `difficulty` of accepted shares over `seconds` stands for. */
export function hashrateOf(difficulty: number, seconds: number): number {
  return seconds > 0 ? (difficulty * HASHES_PER_DIFFICULTY) / seconds : 0;
}

const COLUMNS = ROLLUP_COLUMNS;
const ACCOUNT_ID = '(SELECT id FROM accounts WHERE name = $3)';
const WORKER_ID = `(SELECT id FROM workers WHERE account_id = ${ACCOUNT_ID} AND name = $4)`;
const IN_RANGE = 'bucket >= $1 AND bucket < $2';

/**
 * The rollup rows of a scope between $1 and $2 ($3, $4 its names): hours (`hourly`) or
 * minutes of the pool, an account or a worker, with the increments not folded yet.
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
        sql: `SELECT ${COLUMNS} FROM ${hourly ? 'share_rollups_worker_hour' : 'share_rollups_minute'}
               WHERE account_id = ${ACCOUNT_ID} AND worker_id = ${WORKER_ID} AND ${IN_RANGE}
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
  const interval = `$${String(source.params.length + 3)}::interval`;
  // date_bin groups the rollups into the chart's buckets, aligned to the Unix epoch.
  const { rows } = await db.query<BucketRow>(
    `SELECT (extract(epoch FROM date_bin(${interval}, r.bucket, 'epoch')) * 1000)::bigint::text AS time_ms,
            sum(r.accepted_difficulty) AS difficulty, sum(r.accepted)::text AS accepted,
            sum(r.rejected)::text AS rejected, sum(r.stale)::text AS stale
       FROM (${source.sql}) r
      GROUP BY 1 ORDER BY 1`,
    [new Date(fromMs), new Date(toMs), ...source.params, `${String(bucketMs / 1000)} seconds`],
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
 * Where the rows of a span come from: minutes in [fromMs, edgeMs) and from cutMs on,
 * whole hours in [edgeMs, cutMs). Every window starts at fromMs, at an hour boundary,
 * or from cutMs on, so each is counted from its first minute exactly, and a day costs
 * 24 hours and two hours of minutes per worker instead of 1,440 minutes.
 */
export interface SpanLayout {
  readonly fromMs: number;
  readonly edgeMs: number;
  readonly cutMs: number;
}

const floorHour = (ms: number): number => ms - (((ms % HOUR_MS) + HOUR_MS) % HOUR_MS);

export function spanLayout(nowMs: number, windowsSeconds: readonly number[]): SpanLayout {
  const [fromMs = nowMs, second = nowMs] = windowsSeconds
    .map((seconds) => windowStart(nowMs, seconds))
    .sort((a, b) => a - b);
  const edgeMs = floorHour(fromMs) === fromMs ? fromMs : floorHour(fromMs) + HOUR_MS;
  return { fromMs, edgeMs, cutMs: Math.max(edgeMs, floorHour(second)) };
}

/**
 * The rows of an account (or one of its workers) over a span, from $1 to $2, with $3 the
 * edge and $4 the cut (SpanLayout), $5 the account and $6 the worker: worker_id, bucket
 * and the counts, the increments not folded yet included.
 */
export function spanRows(worker: boolean): string {
  const account = '(SELECT id FROM accounts WHERE name = $5)';
  // A worker's rows are read with its account's: TimescaleDB segments compressed rollups by account first.
  const own = worker
    ? `account_id = ${account} AND worker_id = (SELECT id FROM workers WHERE account_id = ${account} AND name = $6)`
    : `account_id = ${account}`;
  const columns = `worker_id, ${ROLLUP_COLUMNS}`;
  return `SELECT ${columns} FROM share_rollups_minute
           WHERE ${own} AND bucket >= $1 AND bucket < $2 AND (bucket < $3 OR bucket >= $4)
          UNION ALL
          SELECT ${columns} FROM share_rollups_worker_hour WHERE ${own} AND bucket >= $3 AND bucket < $4
          UNION ALL
          SELECT ${columns} FROM share_rollup_deltas WHERE ${own} AND bucket >= $1 AND bucket < $2`;
}

export function spanParams(layout: SpanLayout, toMs: number, account: string, worker?: string): unknown[] {
  return [
    new Date(layout.fromMs),
    new Date(toMs),
    new Date(layout.edgeMs),
    new Date(layout.cutMs),
    account,
    ...(worker === undefined ? [] : [worker]),
  ];
}

/**
 * Hashrate over each window ending now: a window starts at the minute its start falls
 * in, and the hashrate is what was accepted since then over the exact time since then.
 * A minute holds only shares of that minute, so nothing outside the span is counted and
 * nothing inside it is missed. The pool reads its minutes; accounts and workers their
 * hours where whole hours lie inside every window that reaches them (spanLayout).
 */
export async function hashrates(
  db: Database,
  scope: HashrateScope,
  nowMs: number,
  windowsSeconds: readonly number[] = HASHRATE_WINDOWS_SECONDS,
): Promise<HashrateEstimate[]> {
  const layout = spanLayout(nowMs, windowsSeconds);
  const rows =
    scope.kind === 'pool'
      ? (await buckets(db, scope, layout.fromMs, nowMs + 1, MINUTE_MS)).map((row) => ({
          timeMs: Number(row.time_ms),
          difficulty: row.difficulty,
          accepted: Number(row.accepted),
        }))
      : (
          await db.query<{ time_ms: string; difficulty: number; accepted: string }>(
            `SELECT (extract(epoch FROM bucket) * 1000)::bigint::text AS time_ms,
                    sum(accepted_difficulty) AS difficulty, sum(accepted)::text AS accepted
               FROM (${spanRows(scope.kind === 'worker')}) r GROUP BY bucket`,
            spanParams(layout, nowMs + 1, scope.account, scope.kind === 'worker' ? scope.worker : undefined),
          )
        ).rows.map((row) => ({
          timeMs: Number(row.time_ms),
          difficulty: row.difficulty,
          accepted: Number(row.accepted),
        }));
  return windowsSeconds.map((windowSeconds) => {
    const start = windowStart(nowMs, windowSeconds);
    const totals = { difficulty: 0, accepted: 0 };
    for (const row of rows) {
      if (row.timeMs >= start) {
        totals.difficulty += row.difficulty;
        totals.accepted += row.accepted;
      }
    }
    return estimateOf(windowSeconds, nowMs, totals);
  });
}

/** Whether the pool has ever had a share from the account, or from the worker of the account. */
export async function scopeKnown(
  db: Database,
  scope: Exclude<HashrateScope, { kind: 'pool' }>,
): Promise<boolean> {
  const { rowCount } = await db.query(
    scope.kind === 'account'
      ? 'SELECT 1 FROM accounts WHERE name = $1'
      : 'SELECT 1 FROM workers w JOIN accounts a ON a.id = w.account_id WHERE a.name = $1 AND w.name = $2',
    scope.kind === 'account' ? [scope.account] : [scope.account, scope.worker],
  );
  return rowCount !== null && rowCount > 0;
}

/**
 * Where a scope's rows lie for its first share, $1 its account and $2 its worker: its
 * hourly rollups (kept for good) and its minutes (kept 400 days) with the increments not
 * folded yet.
 */
function firstShareSources(scope: HashrateScope): {
  readonly hours: string;
  readonly minutes: readonly string[];
  readonly own: string;
  readonly params: unknown[];
} {
  const account = '(SELECT id FROM accounts WHERE name = $1)';
  switch (scope.kind) {
    case 'pool':
      return {
        hours: 'share_rollups_pool_hour',
        minutes: ['share_rollups_pool_minute'],
        own: 'TRUE',
        params: [],
      };
    case 'account':
      return {
        hours: 'share_rollups_hour',
        minutes: ['share_rollups_minute', 'share_rollup_deltas'],
        own: `account_id = ${account}`,
        params: [scope.account],
      };
    case 'worker':
      return {
        hours: 'share_rollups_worker_hour',
        minutes: ['share_rollups_minute', 'share_rollup_deltas'],
        own: `account_id = ${account} AND worker_id = (SELECT id FROM workers WHERE account_id = ${account} AND name = $2)`,
        params: [scope.account, scope.worker],
      };
  }
}

/**
 * When the scope's first accepted share came, ever: its minute while the minute rollups
 * still hold it, else its hour. Null when none has come. Each table is read by its index,
 * oldest row first, so an account with years of rows costs a few index reads.
 */
export async function firstShareMs(db: Database, scope: HashrateScope): Promise<number | null> {
  const sources = firstShareSources(scope);
  const oldest = (table: string): string =>
    `(SELECT bucket FROM ${table} WHERE ${sources.own} AND accepted > 0 ORDER BY bucket LIMIT 1)`;
  // The first minute is the first share unless the minutes of an earlier hour have been dropped.
  const { rows } = await db.query<{ first: Date | null }>(
    `SELECT CASE WHEN minute IS NOT NULL AND (hour IS NULL OR hour >= date_bin('1 hour', minute, 'epoch'))
                 THEN minute ELSE hour END AS first
       FROM (SELECT ${oldest(sources.hours)} AS hour, least(${sources.minutes.map(oldest).join(', ')}) AS minute) f`,
    sources.params,
  );
  return rows[0]?.first?.getTime() ?? null;
}

/**
 * A hashrate chart: one point per bucket from `fromMs` (rounded down to a bucket) to
 * `toMs`. Buckets of whole hours read the hourly rollups where the scope has them (the
 * pool, accounts): a 30-day chart reads 720 rows. A bucket without accepted shares has
 * hashrate null, not measured, when it ends before the scope's first accepted share
 * (the account's, or the first the pool ever stored) or when the pool was not accepting
 * miners at any time in it (pool_uptime); 0 when it was. Before the pool's running record
 * begins (data older than migration 0034) a bucket after the first share reads 0, as it
 * did. Its shares by outcome are counts, 0 when none came.
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
  const [rows, firstShare, running] = await Promise.all([
    buckets(db, scope, first, range.toMs, bucketMs),
    firstShareMs(db, scope),
    poolRunning(db, first, range.toMs),
  ]);
  const byTime = new Map(rows.map((row) => [Number(row.time_ms), row]));
  const points: ChartPoint[] = [];
  for (let timeMs = first; timeMs < range.toMs; timeMs += bucketMs) {
    const row = byTime.get(timeMs);
    const measured =
      Number(row?.accepted ?? 0) > 0 ||
      (firstShare !== null &&
        timeMs + bucketMs > firstShare &&
        ranDuring(running, timeMs, timeMs + bucketMs));
    points.push({
      timeMs,
      hashrate: measured ? hashrateOf(row?.difficulty ?? 0, range.bucketSeconds) : null,
      accepted: Number(row?.accepted ?? 0),
      rejected: Number(row?.rejected ?? 0),
      stale: Number(row?.stale ?? 0),
    });
  }
  return points;
}

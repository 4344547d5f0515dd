import type { WorkerSeries } from '@hashwatt/schemas';
import type { Database } from '../db/pool.ts';
import { hashrateChart } from '../ledger/hashrate.ts';
import { workerWorkSeries } from '../ledger/worker-production.ts';
import { poolHashrateOf, POOL_ALGORITHM } from './farm-history.ts';
import { bucketSpanMs, frameFields, type SeriesFrame } from './series-frame.ts';

/**
 * One worker's history as the pool measured it, by the farm history's rule (poolHashrateOf):
 * a bucket's hashrate is the work its accepted shares carried; 0 only after the worker's
 * first share and while it was connected, which the pool learns from a device mining as
 * the worker (its pool user) that reported hashing in the bucket; null otherwise, "not
 * measured": before its first share, and while no device of it said it hashed (asleep,
 * off, silent, or a rig no farm reports). Its shares by outcome are counts the pool made,
 * 0 when none came.
 */

/** Per bucket start, how many devices mining as `worker` reported hashing in it. */
async function devicesHashing(
  db: Database,
  worker: string,
  frame: SeriesFrame,
): Promise<Map<number, number>> {
  const { rows } = await db.query<{ at: Date; hashing: string }>(
    `SELECT at, count(*)::text AS hashing
       FROM (SELECT date_bin($3::interval, r.bucket, 'epoch') AS at, r.device_id
               FROM miner_rollups_5m r JOIN devices d ON d.id = r.device_id
              WHERE d.pool_user = $1 AND d.algorithm = $4 AND r.bucket >= $2 AND r.bucket < $5
              GROUP BY 1, 2
             HAVING sum(r.hashrate_sum) / nullif(sum(r.hashrate_count), 0) > 0) hashing
      GROUP BY at`,
    [
      worker,
      new Date(frame.fromMs),
      `${String(frame.bucketMs / 1000)} seconds`,
      POOL_ALGORITHM,
      new Date(frame.toMs),
    ],
  );
  return new Map(rows.map((row) => [row.at.getTime(), Number(row.hashing)]));
}

export async function workerSeries(
  db: Database,
  scope: { readonly account: string; readonly worker: string },
  frame: SeriesFrame,
): Promise<WorkerSeries> {
  const [counts, work, hashing] = await Promise.all([
    hashrateChart(
      db,
      { kind: 'worker', ...scope },
      { fromMs: frame.fromMs, toMs: frame.toMs, bucketSeconds: frame.bucketMs / 1000 },
    ),
    workerWorkSeries(db, [scope.worker], frame),
    devicesHashing(db, scope.worker, frame),
  ]);
  return {
    ...scope,
    ...frameFields(frame),
    points: counts.map((point) => ({
      time: new Date(point.timeMs).toISOString(),
      // Over the time the bucket has run: the last one only until now.
      hashrate: poolHashrateOf(work, {
        atMs: point.timeMs,
        seconds: bucketSpanMs(frame, point.timeMs) / 1000,
        linkedHashing: hashing.get(point.timeMs) ?? 0,
      }),
      accepted: point.accepted,
      rejected: point.rejected,
      stale: point.stale,
    })),
  };
}

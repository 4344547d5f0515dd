import type { FarmSeries, FarmSeriesPoint, RestrictedWindow, SeriesSpan } from '@hashwatt/schemas';
import type { Queryable } from '../db/pool.ts';
import { workerWorkSeries, type WorkerWorkSeries } from '../ledger/worker-production.ts';
import { farmEnergySeries } from './curtailment/orders.ts';
import { farmPoolUsers } from './devices/devices.ts';
import { HASHES_PER_DIFFICULTY } from './economics/hashprice.ts';
import { MAX_READING_GAP_MS } from './energy/energy-summary.ts';
import { meterFailureSpans } from './energy/meter-failures.ts';
import { localClock, localMidnight, type MeterReading } from './energy/meter-energy.ts';
import { windowsForFarm } from './energy/tariffs.ts';
import { bucketSpanMs, bucketStarts, frameFields, type SeriesFrame } from './series-frame.ts';

/**
 * A farm's history: what its devices reported (hashrate, power) against what the pool
 * measured from their workers' shares, the energy its meters counted, and the restricted
 * windows and curtailment orders of the range for the chart to shade.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** The only algorithm the pool measures: other machines' H/s are not comparable. */
export const POOL_ALGORITHM = 'sha256d';

interface DeviceBucketRow {
  readonly at: Date;
  readonly hashrate: number | null;
  readonly reporting: string;
  readonly power_w: number | null;
  /** Devices that mine as a pool user and reported hashing in the bucket. */
  readonly linked_hashing: string;
}

/**
 * What the pool measured from the farm's workers in one bucket, H/s. A number when it had
 * something to measure: the work their shares carried, or 0 when workers were connected
 * (a device mining as one of them reported hashing) and submitted nothing. Null when it
 * had nothing to measure: no device mines as a worker the pool knows, the bucket comes
 * before the workers' first share (they were not on the pool yet), or no share came while
 * no linked device reported hashing (nothing was connected: asleep, off, or silent).
 */
export function poolHashrateOf(
  work: WorkerWorkSeries | undefined,
  bucket: { readonly atMs: number; readonly seconds: number; readonly linkedHashing: number },
): number | null {
  if (work === undefined) {
    return null;
  }
  const difficulty = work.byBucket.get(bucket.atMs) ?? 0;
  if (difficulty > 0) {
    return (difficulty * HASHES_PER_DIFFICULTY) / bucket.seconds;
  }
  const onPool = work.firstWorkMs !== null && bucket.atMs >= work.firstWorkMs;
  return onPool && bucket.linkedHashing > 0 ? 0 : null;
}

/** Each bucket's energy and the time the meters cover in it, from their running totals. */
export function meterBuckets(
  readings: readonly MeterReading[],
  frame: SeriesFrame,
): Map<number, { wh: number; coveredMs: number }> {
  const buckets = new Map<number, { wh: number; coveredMs: number }>();
  const sorted = [...readings].sort((a, b) => a.atMs - b.atMs);
  for (let i = 1; i < sorted.length; i += 1) {
    const start = sorted[i - 1] as MeterReading;
    const end = sorted[i] as MeterReading;
    const span = end.atMs - start.atMs;
    const wh = end.energyWh - start.energyWh;
    // A meter that went back lost the interval's energy; a long silence says nothing of when it was drawn.
    if (span <= 0 || span > MAX_READING_GAP_MS || wh < 0) {
      continue;
    }
    let at = start.atMs;
    while (at < end.atMs) {
      const bucket = frame.fromMs + Math.floor((at - frame.fromMs) / frame.bucketMs) * frame.bucketMs;
      const next = Math.min(end.atMs, bucket + frame.bucketMs);
      const into = buckets.get(bucket) ?? { wh: 0, coveredMs: 0 };
      into.wh += (wh * (next - at)) / span;
      into.coveredMs += next - at;
      buckets.set(bucket, into);
      at = next;
    }
  }
  return buckets;
}

const minutesOf = (clock: string): number => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/** The local date after `date` (YYYY-MM-DD), by the Gregorian calendar the windows are written in. */
const nextDate = (date: string): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

/**
 * Where each restricted window falls in [fromMs, toMs): every local day it is valid on,
 * from its daily start to its end (the next day's when it runs past midnight), clipped.
 */
export function windowSpans(
  windows: readonly RestrictedWindow[],
  timezone: string,
  fromMs: number,
  toMs: number,
): SeriesSpan[] {
  const local = localClock(timezone);
  const spans: SeriesSpan[] = [];
  const lastDate = local(toMs).date;
  // A window that began the evening before the range and runs past midnight reaches into it.
  for (let date = local(fromMs - DAY_MS).date; date <= lastDate; date = nextDate(date)) {
    const midnight = localMidnight(date, local);
    for (const window of windows) {
      if (date < window.validFrom || (window.validTo !== null && date > window.validTo)) {
        continue;
      }
      const startMinute = minutesOf(window.from);
      const endMinute = minutesOf(window.to);
      const startMs = midnight + startMinute * MINUTE_MS;
      const endMs = midnight + (endMinute > startMinute ? endMinute : endMinute + 24 * 60) * MINUTE_MS;
      if (endMs > fromMs && startMs < toMs) {
        spans.push({
          kind: 'restricted-window',
          id: window.id,
          from: new Date(Math.max(startMs, fromMs)).toISOString(),
          to: new Date(Math.min(endMs, toMs)).toISOString(),
          class: window.class,
        });
      }
    }
  }
  return spans;
}

async function orderSpans(db: Queryable, farmId: string, frame: SeriesFrame): Promise<SeriesSpan[]> {
  const { rows } = await db.query<{ id: string; starts_at: Date; ends_at: Date }>(
    `SELECT id::text, starts_at, ends_at FROM curtailment_orders
      WHERE farm_id = $1 AND ends_at > $2 AND starts_at < $3 ORDER BY starts_at, id`,
    [farmId, new Date(frame.fromMs), new Date(frame.toMs)],
  );
  return rows.map((row) => ({
    kind: 'curtailment-order',
    id: row.id,
    from: new Date(Math.max(row.starts_at.getTime(), frame.fromMs)).toISOString(),
    to: new Date(Math.min(row.ends_at.getTime(), frame.toMs)).toISOString(),
    class: null,
  }));
}

export async function farmSeries(
  db: Queryable,
  farm: { readonly id: string; readonly timezone: string },
  frame: SeriesFrame,
): Promise<FarmSeries> {
  // Per device first, then summed: a device polled more often than its neighbours weighs the
  // same. Read from the devices' 5-minute rollups, kept by ingest. The algorithm is the
  // device's, as its latest reading named it: an ASIC hashes one.
  const devices = db.query<DeviceBucketRow>(
    `WITH device_buckets AS (
       SELECT date_bin($4::interval, r.bucket, 'epoch') AS at, r.device_id,
              bool_or(d.pool_user IS NOT NULL) AS linked,
              sum(r.hashrate_sum) FILTER (WHERE d.algorithm = $5)
                / nullif(sum(r.hashrate_count) FILTER (WHERE d.algorithm = $5), 0) AS hashrate,
              sum(r.power_sum) / nullif(sum(r.power_count), 0) AS power_w
         FROM miner_rollups_5m r JOIN devices d ON d.id = r.device_id
        WHERE r.farm_id = $1 AND r.bucket >= $2 AND r.bucket < $3
        GROUP BY 1, 2
     )
     SELECT at, sum(hashrate) AS hashrate, count(hashrate)::text AS reporting, sum(power_w) AS power_w,
            count(*) FILTER (WHERE linked AND hashrate > 0)::text AS linked_hashing
       FROM device_buckets GROUP BY at`,
    [
      farm.id,
      new Date(frame.fromMs),
      new Date(frame.toMs),
      `${String(frame.bucketMs / 1000)} seconds`,
      POOL_ALGORITHM,
    ],
  );
  const [deviceRows, work, readings, windows, orders] = await Promise.all([
    devices,
    farmPoolUsers(db, farm.id).then((users) => workerWorkSeries(db, users, frame)),
    farmEnergySeries(db, farm.id, frame.fromMs - MAX_READING_GAP_MS, frame.toMs),
    windowsForFarm(db, farm.id),
    orderSpans(db, farm.id, frame),
  ]);
  const failedReads = await meterFailureSpans(db, farm.id, frame);
  const byTime = new Map(deviceRows.rows.map((row) => [row.at.getTime(), row]));
  const meters = meterBuckets(readings, frame);
  const points = bucketStarts(frame).map((atMs): FarmSeriesPoint => {
    const row = byTime.get(atMs);
    const metered = meters.get(atMs);
    const seconds = bucketSpanMs(frame, atMs) / 1000;
    return {
      time: new Date(atMs).toISOString(),
      reportedHashrate: row?.hashrate ?? null,
      reportingDevices: Number(row?.reporting ?? 0),
      poolHashrate: poolHashrateOf(work, {
        atMs,
        seconds,
        linkedHashing: Number(row?.linked_hashing ?? 0),
      }),
      meterPowerW:
        metered === undefined || metered.coveredMs === 0
          ? null
          : (metered.wh * 3_600_000) / metered.coveredMs,
      energyKwh: metered === undefined || metered.coveredMs === 0 ? null : metered.wh / 1000,
      devicePowerW: row?.power_w ?? null,
    };
  });
  const spans = [
    ...windowSpans(windows, farm.timezone, frame.fromMs, frame.toMs),
    ...orders,
    ...failedReads,
  ].sort((a, b) => a.from.localeCompare(b.from) || a.kind.localeCompare(b.kind));
  return { farmId: farm.id, ...frameFields(frame), points, spans };
}

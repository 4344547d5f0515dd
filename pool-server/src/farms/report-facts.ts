import type { CurtailmentOrder, EnergySummary, Farm } from '@hashwatt/schemas';
import type { Database } from '../db/pool.ts';
import { farmEnergy } from './energy-report.ts';
import { listOrders } from './orders.ts';

/** Expected hashes per unit of share difficulty. */
const HASHES_PER_DIFFICULTY = 2 ** 32;

/** What a regulator report says about one farm over its period. */
export interface FarmFacts {
  readonly farm: Farm;
  readonly organisation: string;
  readonly energy: EnergySummary;
  /** Orders in force at some moment of the period, oldest first, each with its measured compliance. */
  readonly orders: readonly CurtailmentOrder[];
  readonly hashrate: {
    /** The devices' own figures: the mean and the highest of the farm's hourly totals. */
    readonly reportedAverage: number;
    readonly reportedPeak: number;
    /** What the pool measured from the shares of the workers the devices mine as, over the whole period. */
    readonly poolAverage: number;
  };
  /** Satoshis credited to the farm's accounts, in proportion to the farm's part of each account's work each day. */
  readonly minedSats: number;
  readonly devicesByModel: readonly { readonly model: string; readonly count: number }[];
}

export interface ReportFacts {
  readonly fromMs: number;
  readonly toMs: number;
  readonly farms: readonly FarmFacts[];
}

interface HashrateRow {
  readonly reported_average: number | null;
  readonly reported_peak: number | null;
  readonly pool_difficulty: number | null;
}

async function farmHashrate(
  db: Database,
  farmId: string,
  fromMs: number,
  toMs: number,
): Promise<FarmFacts['hashrate']> {
  // Hourly totals of per-device hourly means: a device polled less often than its
  // neighbours weighs the same, and an hour with no readings is no reading, not zero.
  const { rows } = await db.query<HashrateRow>(
    `WITH device_hours AS (
       SELECT date_trunc('hour', time) AS hour, device_id, avg(hashrate) AS hashrate
         FROM miner_samples
        WHERE farm_id = $1 AND hashrate IS NOT NULL
          AND time >= to_timestamp($2::double precision / 1000) AND time < to_timestamp($3::double precision / 1000)
        GROUP BY 1, 2
     ), farm_hours AS (
       SELECT hour, sum(hashrate) AS hashrate FROM device_hours GROUP BY hour
     )
     SELECT (SELECT avg(hashrate) FROM farm_hours) AS reported_average,
            (SELECT max(hashrate) FROM farm_hours) AS reported_peak,
            (SELECT sum(r.accepted_difficulty)
               FROM share_rollups_worker_hour r
              WHERE r.worker_id IN (SELECT w.id FROM devices d JOIN workers w ON w.name = d.pool_user WHERE d.farm_id = $1)
                AND r.bucket >= to_timestamp($2::double precision / 1000)
                AND r.bucket < to_timestamp($3::double precision / 1000)) AS pool_difficulty`,
    [farmId, fromMs, toMs],
  );
  const row = rows[0];
  return {
    reportedAverage: row?.reported_average ?? 0,
    reportedPeak: row?.reported_peak ?? 0,
    poolAverage: ((row?.pool_difficulty ?? 0) * HASHES_PER_DIFFICULTY) / ((toMs - fromMs) / 1000),
  };
}

async function minedSats(db: Database, farmId: string, fromMs: number, toMs: number): Promise<number> {
  // An account may mine from several farms (and from machines no farm knows): each
  // day's credits to it are shared by the work each farm's workers did for it that day.
  const { rows } = await db.query<{ sats: string | null }>(
    `WITH farm_workers AS (
       SELECT w.id, w.account_id FROM devices d JOIN workers w ON w.name = d.pool_user WHERE d.farm_id = $1
     ), work AS (
       SELECT date_trunc('day', r.bucket) AS day, r.account_id,
              sum(r.accepted_difficulty) FILTER (WHERE r.worker_id IN (SELECT id FROM farm_workers)) AS farm_part,
              sum(r.accepted_difficulty) AS account_part
         FROM share_rollups_worker_hour r
        WHERE r.account_id IN (SELECT account_id FROM farm_workers)
          AND r.bucket >= to_timestamp($2::double precision / 1000) AND r.bucket < to_timestamp($3::double precision / 1000)
        GROUP BY 1, 2
     ), credits AS (
       SELECT date_trunc('day', e.created_at) AS day, split_part(e.book, ':', 2)::bigint AS account_id,
              sum(e.amount) AS sats
         FROM ledger_entries e
        WHERE e.kind IN ('block-credit', 'pps-credit', 'block-orphaned')
          AND split_part(e.book, ':', 1) IN ('immature', 'miner')
          AND split_part(e.book, ':', 2) IN (SELECT account_id::text FROM farm_workers)
          AND e.created_at >= to_timestamp($2::double precision / 1000) AND e.created_at < to_timestamp($3::double precision / 1000)
        GROUP BY 1, 2
     )
     SELECT floor(sum(c.sats * w.farm_part / w.account_part))::text AS sats
       FROM credits c JOIN work w USING (day, account_id)
      WHERE w.account_part > 0`,
    [farmId, fromMs, toMs],
  );
  return Number(rows[0]?.sats ?? 0);
}

async function devicesByModel(
  db: Database,
  farmId: string,
  fromMs: number,
  toMs: number,
): Promise<FarmFacts['devicesByModel']> {
  const { rows } = await db.query<{ model: string; count: number }>(
    `SELECT coalesce(model, make) AS model, count(*)::int AS count FROM devices
      WHERE farm_id = $1 AND first_seen < to_timestamp($3::double precision / 1000)
        AND last_seen >= to_timestamp($2::double precision / 1000)
      GROUP BY 1 ORDER BY 2 DESC, 1`,
    [farmId, fromMs, toMs],
  );
  return rows;
}

/** Everything a report states about a farm over [fromMs, toMs), read from stored data only. */
export async function farmFacts(
  db: Database,
  farm: Farm,
  fromMs: number,
  toMs: number,
  nowMs: number,
): Promise<FarmFacts> {
  const period = { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
  const [organisation, energy, orders, hashrate, mined, models] = await Promise.all([
    db.query<{ name: string }>('SELECT name FROM organisations WHERE id = $1', [farm.organisationId]),
    farmEnergy(db, farm, period),
    listOrders(db, farm.id, nowMs),
    farmHashrate(db, farm.id, fromMs, toMs),
    minedSats(db, farm.id, fromMs, toMs),
    devicesByModel(db, farm.id, fromMs, toMs),
  ]);
  return {
    farm,
    organisation: organisation.rows[0]?.name ?? '',
    energy,
    orders: orders
      .filter((order) => Date.parse(order.startsAt) < toMs && Date.parse(order.endsAt) > fromMs)
      .reverse(),
    hashrate,
    minedSats: mined,
    devicesByModel: models,
  };
}

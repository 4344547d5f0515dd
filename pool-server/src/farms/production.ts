import type { Queryable } from '../db/pool.ts';
import { HASHES_PER_DIFFICULTY, SATS_PER_BTC } from './economics/hashprice.ts';

/**
 * What a farm produced, from the pool's side and its own: hashrate as its devices
 * reported it and as the pool measured it from their workers' shares (a device is
 * linked to its worker by the pool user it mines as), and the coins credited for it.
 */

export interface FarmHashrate {
  /** The devices' own figures: the mean and the highest of the farm's hourly totals; null with no reading. */
  readonly reportedAverage: number | null;
  readonly reportedPeak: number | null;
  /**
   * What the pool measured from the shares of the workers the devices mine as, over the
   * whole period; null when no device mines as a worker the pool knows (0 is a measurement).
   */
  readonly poolAverage: number | null;
}

interface HashrateRow {
  readonly reported_average: number | null;
  readonly reported_peak: number | null;
  readonly pool_difficulty: number | null;
  readonly linked_workers: number;
}

/** A farm's hashrate over [fromMs, toMs): as its devices reported it, and as the pool measured it. */
export async function farmHashrate(
  db: Queryable,
  farmId: string,
  fromMs: number,
  toMs: number,
): Promise<FarmHashrate> {
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
            (SELECT count(*)::int FROM devices d JOIN workers w ON w.name = d.pool_user
              WHERE d.farm_id = $1) AS linked_workers,
            (SELECT sum(r.accepted_difficulty)
               FROM share_rollups_worker_hour r
              WHERE r.worker_id IN (SELECT w.id FROM devices d JOIN workers w ON w.name = d.pool_user WHERE d.farm_id = $1)
                AND r.bucket >= to_timestamp($2::double precision / 1000)
                AND r.bucket < to_timestamp($3::double precision / 1000)) AS pool_difficulty`,
    [farmId, fromMs, toMs],
  );
  const row = rows[0];
  return {
    reportedAverage: row?.reported_average ?? null,
    reportedPeak: row?.reported_peak ?? null,
    poolAverage:
      row === undefined || row.linked_workers === 0
        ? null
        : ((row.pool_difficulty ?? 0) * HASHES_PER_DIFFICULTY) / ((toMs - fromMs) / 1000),
  };
}

/** Satoshis as a decimal string of bitcoin, 8 places: no float ever rounds an amount of coin. */
export function btcAmount(sats: number): string {
  const whole = Math.floor(sats / SATS_PER_BTC);
  const rest = sats - whole * SATS_PER_BTC;
  return `${String(whole)}.${String(rest).padStart(8, '0')}`;
}

/** What the pool credited one account for a farm's work over a period. */
export interface AccountCredit {
  readonly account: string;
  /** Where the account is paid; null when it has none set. */
  readonly address: string | null;
  readonly sats: number;
}

/**
 * Satoshis credited to each of the farm's accounts over [fromMs, toMs), in proportion
 * to the farm's part of each account's work each day.
 */
export async function accountCredits(
  db: Queryable,
  farmId: string,
  fromMs: number,
  toMs: number,
): Promise<AccountCredit[]> {
  // An account may mine from several farms (and from machines no farm knows): each
  // day's credits to it are shared by the work each farm's workers did for it that day.
  const { rows } = await db.query<{ account: string; address: string | null; sats: string }>(
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
     SELECT a.name AS account, a.payout_address AS address,
            floor(sum(c.sats * w.farm_part / w.account_part))::text AS sats
       FROM credits c JOIN work w USING (day, account_id) JOIN accounts a ON a.id = c.account_id
      WHERE w.account_part > 0
      GROUP BY a.id ORDER BY a.name`,
    [farmId, fromMs, toMs],
  );
  return rows.map((row) => ({ account: row.account, address: row.address, sats: Number(row.sats) }));
}

/** Satoshis credited to the farm's accounts over [fromMs, toMs), all accounts together. */
export async function attributedSats(
  db: Queryable,
  farmId: string,
  fromMs: number,
  toMs: number,
): Promise<number> {
  const credits = await accountCredits(db, farmId, fromMs, toMs);
  return credits.reduce((sum, credit) => sum + credit.sats, 0);
}

/** A payout the pool sent to one of the farm's accounts: what a filing lists as coins received. */
export interface AccountPayout {
  readonly sentAtMs: number;
  readonly account: string;
  readonly address: string;
  readonly sats: number;
  readonly txid: string;
}

/**
 * The payouts sent over [fromMs, toMs) to the accounts the farm's devices mine for. An
 * account that also mines elsewhere is paid for all its work: the payout is listed whole.
 */
export async function accountPayouts(
  db: Queryable,
  farmId: string,
  fromMs: number,
  toMs: number,
): Promise<AccountPayout[]> {
  const { rows } = await db.query<{
    sent_at: Date;
    account: string;
    address: string;
    sats: string;
    txid: string;
  }>(
    `SELECT p.sent_at, a.name AS account, i.address, i.amount::text AS sats, p.txid
       FROM payout_items i JOIN payouts p ON p.id = i.payout_id JOIN accounts a ON a.id = i.account_id
      WHERE p.status = 'sent' AND p.txid IS NOT NULL
        AND p.sent_at >= to_timestamp($2::double precision / 1000) AND p.sent_at < to_timestamp($3::double precision / 1000)
        AND i.account_id IN (SELECT w.account_id FROM devices d JOIN workers w ON w.name = d.pool_user
                              WHERE d.farm_id = $1)
      ORDER BY p.sent_at, a.name`,
    [farmId, fromMs, toMs],
  );
  return rows.map((row) => ({
    sentAtMs: row.sent_at.getTime(),
    account: row.account,
    address: row.address,
    sats: Number(row.sats),
    txid: row.txid,
  }));
}

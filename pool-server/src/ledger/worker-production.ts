import type { WorkerProtocol } from '@hashwatt/schemas';
import type { Queryable } from '../db/pool.ts';

/**
 * What named workers produced, as the ledger recorded it: the difficulty their shares
 * carried (from the rollups), the coins credited to the accounts they mine for, and the
 * payouts sent to those accounts. Callers outside the ledger (a farm links each device
 * to the worker named as its pool user) ask here rather than reading these tables.
 * Workers are unique per account, so a name several accounts mine as counts all of them.
 */

/** What the workers of one name did over a period. */
export interface WorkerWork {
  /** Accepted difficulty summed over the period; 0 when the worker sent nothing in it. */
  readonly difficulty: number;
  /** The start of the earliest rollup bucket with work in the period; null when there is none. */
  readonly firstBucketMs: number | null;
}

/** The rollup a figure is read from: minutes for the last hour, hours for days and months. */
export type RollupGrain = 'minute' | 'hour';

const ROLLUP_TABLES: Readonly<Record<RollupGrain, string>> = {
  minute: 'share_rollups_minute',
  hour: 'share_rollups_worker_hour',
};

/**
 * Each named worker's accepted difficulty over [fromMs, toMs), by name. A name the pool
 * knows no worker by has no entry, so an empty map means "not measured", not zero.
 */
export async function workerWork(
  db: Queryable,
  names: readonly string[],
  grain: RollupGrain,
  fromMs: number,
  toMs: number,
): Promise<Map<string, WorkerWork>> {
  if (names.length === 0) {
    return new Map();
  }
  const { rows } = await db.query<{ name: string; difficulty: number; first_bucket: Date | null }>(
    `SELECT w.name, coalesce(sum(r.accepted_difficulty), 0) AS difficulty, min(r.bucket) AS first_bucket
       FROM workers w
       LEFT JOIN ${ROLLUP_TABLES[grain]} r ON r.worker_id = w.id
            AND r.bucket >= to_timestamp($2::double precision / 1000) AND r.bucket < to_timestamp($3::double precision / 1000)
      WHERE w.name = ANY($1::text[])
      GROUP BY w.name`,
    [names, fromMs, toMs],
  );
  return new Map(
    rows.map((row) => [
      row.name,
      { difficulty: row.difficulty, firstBucketMs: row.first_bucket?.getTime() ?? null },
    ]),
  );
}

/**
 * The protocol each named worker last connected with, by name (of several accounts'
 * workers of one name, the latest connection's). A name with none recorded has no entry.
 */
export async function workerProtocols(
  db: Queryable,
  names: readonly string[],
): Promise<Map<string, WorkerProtocol>> {
  if (names.length === 0) {
    return new Map();
  }
  const { rows } = await db.query<{ name: string; protocol: WorkerProtocol }>(
    `SELECT DISTINCT ON (name) name, protocol FROM workers
      WHERE name = ANY($1::text[]) AND protocol IS NOT NULL
      ORDER BY name, protocol_at DESC`,
    [names],
  );
  return new Map(rows.map((row) => [row.name, row.protocol]));
}

/** The named workers' work, bucket by bucket, and since when they have mined on the pool at all. */
export interface WorkerWorkSeries {
  /** Accepted difficulty by bucket start; a bucket with no work is absent. */
  readonly byBucket: ReadonlyMap<number, number>;
  /**
   * The start of the earliest rollup bucket in which any of them sent work, ever: a minute
   * while the minute rollups still hold it, else the hour. Null when none has sent any.
   */
  readonly firstWorkMs: number | null;
}

/**
 * The named workers' accepted difficulty together, in buckets of `bucketMs` aligned to the
 * Unix epoch over [fromMs, toMs), by bucket start: a bucket of whole hours reads the
 * hourly rollups, a shorter one the minutes, and the increments not folded yet are
 * counted either way. Undefined when the pool knows none of the names, which is "not
 * measured", not zero.
 */
export async function workerWorkSeries(
  db: Queryable,
  names: readonly string[],
  range: { readonly fromMs: number; readonly toMs: number; readonly bucketMs: number },
): Promise<WorkerWorkSeries | undefined> {
  if (names.length === 0) {
    return undefined;
  }
  const known = await db.query<{ id: string }>('SELECT id::text FROM workers WHERE name = ANY($1::text[])', [
    names,
  ]);
  if (known.rows.length === 0) {
    return undefined;
  }
  const ids = known.rows.map((row) => row.id);
  const table = ROLLUP_TABLES[range.bucketMs % 3_600_000 === 0 ? 'hour' : 'minute'];
  const [buckets, first] = await Promise.all([
    db.query<{ at: Date; difficulty: number }>(
      `SELECT date_bin($4::interval, r.bucket, 'epoch') AS at, sum(r.accepted_difficulty) AS difficulty
         FROM (SELECT bucket, accepted_difficulty FROM ${table}
                WHERE worker_id = ANY($1::bigint[]) AND bucket >= $2 AND bucket < $3
               UNION ALL
               SELECT bucket, accepted_difficulty FROM share_rollup_deltas
                WHERE worker_id = ANY($1::bigint[]) AND bucket >= $2 AND bucket < $3) r
        GROUP BY 1`,
      [ids, new Date(range.fromMs), new Date(range.toMs), `${String(range.bucketMs / 1000)} seconds`],
    ),
    // The minute rollups are kept for a while only: their first minute is the first work
    // when it falls in the hourly rollups' first hour (or there is none), else that hour is.
    db.query<{ first: Date | null }>(
      `WITH f AS (
         SELECT (SELECT min(bucket) FROM ${ROLLUP_TABLES.hour} WHERE worker_id = ANY($1::bigint[])) AS hour,
                least((SELECT min(bucket) FROM ${ROLLUP_TABLES.minute} WHERE worker_id = ANY($1::bigint[])),
                      (SELECT min(bucket) FROM share_rollup_deltas WHERE worker_id = ANY($1::bigint[]))) AS minute
       )
       SELECT CASE WHEN minute IS NOT NULL AND (hour IS NULL OR hour >= date_trunc('hour', minute)) THEN minute
                   ELSE hour END AS first
         FROM f`,
      [ids],
    ),
  ]);
  return {
    byBucket: new Map(buckets.rows.map((row) => [row.at.getTime(), row.difficulty])),
    firstWorkMs: first.rows[0]?.first?.getTime() ?? null,
  };
}

/** The difficulty the named workers sent over a period together; null when none of them is known. */
export function totalDifficulty(work: ReadonlyMap<string, WorkerWork>): number | null {
  return work.size === 0 ? null : [...work.values()].reduce((sum, worker) => sum + worker.difficulty, 0);
}

/** What the pool credited one account for the named workers' work over a period. */
export interface AccountCredit {
  readonly account: string;
  /** Where the account is paid; null when it has none set. */
  readonly address: string | null;
  readonly sats: number;
}

/**
 * Satoshis credited over [fromMs, toMs) to each account the named workers mine for, in
 * proportion to those workers' part of the account's work each day.
 */
export async function workerCredits(
  db: Queryable,
  names: readonly string[],
  fromMs: number,
  toMs: number,
): Promise<AccountCredit[]> {
  if (names.length === 0) {
    return [];
  }
  // An account may mine from several farms (and from machines no farm knows): each
  // day's credits to it are shared by the work the named workers did for it that day.
  const { rows } = await db.query<{ account: string; address: string | null; sats: string }>(
    `WITH named_workers AS (
       SELECT w.id, w.account_id FROM workers w WHERE w.name = ANY($1::text[])
     ), work AS (
       SELECT date_trunc('day', r.bucket) AS day, r.account_id,
              sum(r.accepted_difficulty) FILTER (WHERE r.worker_id IN (SELECT id FROM named_workers)) AS named_part,
              sum(r.accepted_difficulty) AS account_part
         FROM share_rollups_worker_hour r
        WHERE r.account_id IN (SELECT account_id FROM named_workers)
          AND r.bucket >= to_timestamp($2::double precision / 1000) AND r.bucket < to_timestamp($3::double precision / 1000)
        GROUP BY 1, 2
     ), credits AS (
       SELECT date_trunc('day', e.created_at) AS day, split_part(e.book, ':', 2)::bigint AS account_id,
              sum(e.amount) AS sats
         FROM ledger_entries e
        WHERE e.kind IN ('block-credit', 'pps-credit', 'block-orphaned')
          AND split_part(e.book, ':', 1) IN ('immature', 'miner')
          AND split_part(e.book, ':', 2) IN (SELECT account_id::text FROM named_workers)
          AND e.created_at >= to_timestamp($2::double precision / 1000) AND e.created_at < to_timestamp($3::double precision / 1000)
        GROUP BY 1, 2
     )
     SELECT a.name AS account, a.payout_address AS address,
            floor(sum(c.sats * w.named_part / w.account_part))::text AS sats
       FROM credits c JOIN work w USING (day, account_id) JOIN accounts a ON a.id = c.account_id
      WHERE w.account_part > 0
      GROUP BY a.id ORDER BY a.name`,
    [names, fromMs, toMs],
  );
  return rows.map((row) => ({ account: row.account, address: row.address, sats: Number(row.sats) }));
}

/** A payout the pool sent to an account: what a filing lists as coins received. */
export interface AccountPayout {
  readonly sentAtMs: number;
  readonly account: string;
  readonly address: string;
  readonly sats: number;
  readonly txid: string;
}

/**
 * The payouts sent over [fromMs, toMs) to the accounts the named workers mine for. An
 * account that also mines elsewhere is paid for all its work: the payout is listed whole.
 */
export async function workerPayouts(
  db: Queryable,
  names: readonly string[],
  fromMs: number,
  toMs: number,
): Promise<AccountPayout[]> {
  if (names.length === 0) {
    return [];
  }
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
        AND i.account_id IN (SELECT w.account_id FROM workers w WHERE w.name = ANY($1::text[]))
      ORDER BY p.sent_at, a.name`,
    [names, fromMs, toMs],
  );
  return rows.map((row) => ({
    sentAtMs: row.sent_at.getTime(),
    account: row.account,
    address: row.address,
    sats: Number(row.sats),
    txid: row.txid,
  }));
}

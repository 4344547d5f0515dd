import type { Block, Payment } from '@hashwatt/schemas';
import type { Database } from '../db/pool.ts';

const TEN_MINUTES_MS = 600_000;

/** Accounts and workers with a share accepted in the last 10 minutes (folded or not yet). */
export async function activeCounts(
  db: Database,
  nowMs: number,
): Promise<{ readonly miners: number; readonly workers: number }> {
  const { rows } = await db.query<{ miners: string; workers: string }>(
    `SELECT count(DISTINCT account_id)::text AS miners, count(DISTINCT worker_id)::text AS workers
       FROM (SELECT account_id, worker_id FROM share_rollups_minute WHERE bucket >= $1 AND accepted > 0
             UNION ALL
             SELECT account_id, worker_id FROM share_rollup_deltas WHERE bucket >= $1 AND accepted > 0) active`,
    [new Date(nowMs - TEN_MINUTES_MS)],
  );
  return { miners: Number(rows[0]?.miners ?? 0), workers: Number(rows[0]?.workers ?? 0) };
}

interface BlockRow {
  readonly height: number;
  readonly hash: string;
  readonly reward: string;
  readonly fees: string;
  readonly finder: string | null;
  readonly finder_worker: string;
  readonly effort: number | null;
  readonly scheme: Block['scheme'];
  readonly status: Block['status'];
  readonly confirmations: number;
  readonly found_at: Date;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** The cursor of the next page (milliseconds since the epoch), null on the last. */
  readonly next: number | null;
}

function pageOf<T, R extends { readonly cursor: Date }>(
  rows: readonly R[],
  limit: number,
  map: (row: R) => T,
): Page<T> {
  const last = rows[rows.length - 1];
  return { items: rows.map(map), next: rows.length === limit && last ? last.cursor.getTime() : null };
}

/** Found blocks, newest first, before `beforeMs` when given. */
export async function recentBlocks(db: Database, limit: number, beforeMs?: number): Promise<Page<Block>> {
  const { rows } = await db.query<BlockRow & { cursor: Date }>(
    `SELECT b.height, b.hash, b.reward::text, b.fees::text, a.name AS finder, b.finder_worker, b.effort, b.scheme,
            b.status, b.confirmations, b.found_at, b.found_at AS cursor
       FROM blocks b LEFT JOIN accounts a ON a.id = b.finder_account_id
      WHERE $2::timestamptz IS NULL OR b.found_at < $2
      ORDER BY b.found_at DESC LIMIT $1`,
    [limit, beforeMs === undefined ? null : new Date(beforeMs)],
  );
  return pageOf(rows, limit, (row) => ({
    height: row.height,
    hash: row.hash,
    reward: Number(row.reward),
    fees: Number(row.fees),
    finder: row.finder ?? '',
    worker: row.finder_worker,
    effort: row.effort,
    scheme: row.scheme,
    status: row.status,
    confirmations: row.confirmations,
    foundAt: row.found_at.toISOString(),
  }));
}

/** Payouts sent, newest first, before `beforeMs` when given. */
export async function recentPayments(db: Database, limit: number, beforeMs?: number): Promise<Page<Payment>> {
  const { rows } = await db.query<{
    id: string;
    txid: string;
    total: string;
    recipients: number;
    sent_at: Date;
    cursor: Date;
  }>(
    `SELECT p.id, p.txid, p.total::text, (SELECT count(*)::int FROM payout_items i WHERE i.payout_id = p.id) AS recipients,
            p.sent_at, p.sent_at AS cursor
       FROM payouts p
      WHERE p.status = 'sent' AND ($2::timestamptz IS NULL OR p.sent_at < $2)
      ORDER BY p.sent_at DESC LIMIT $1`,
    [limit, beforeMs === undefined ? null : new Date(beforeMs)],
  );
  return pageOf(rows, limit, (row) => ({
    id: row.id,
    txid: row.txid,
    total: Number(row.total),
    recipients: row.recipients,
    sentAt: row.sent_at.toISOString(),
  }));
}

import type { Database } from '../db/pool.ts';

/** `rejected` counts every refusal but the stale ones; duplicate and low_difficulty are among them. */
const COUNTS = [
  'accepted_difficulty',
  'accepted',
  'rejected',
  'stale',
  'duplicate',
  'low_difficulty',
] as const;

/** The columns every pool rollup table has, bucket first. */
export const ROLLUP_COLUMNS = `bucket, ${COUNTS.join(', ')}`;

/** The counts of rollup rows summed, in ROLLUP_COLUMNS' order after the bucket. */
export const ROLLUP_SUMS = COUNTS.map((column) => `sum(${column})`).join(', ');

/** An upsert's tail that adds the new counts to those of the row already there. */
export function accumulateOnConflict(table: string, key: string): string {
  return `ON CONFLICT (${key}) DO UPDATE SET ${COUNTS.map((column) => `${column} = ${table}.${column} + EXCLUDED.${column}`).join(', ')}`;
}

/**
 * Folds the rollup increments stored batches appended (share_rollup_deltas) into the
 * per-worker minute, per-worker hour and per-account hour rollups, in one statement: what it deletes it
 * adds, so a fold interrupted anywhere leaves nothing counted twice or lost, and a
 * batch committed meanwhile waits for the next fold. Rows are upserted in key order,
 * the order concurrent folds would lock them in. Returns the increments folded.
 */
export async function foldRollups(db: Database): Promise<number> {
  const sums = ROLLUP_SUMS;
  const { rows } = await db.query<{ folded: string }>(
    `WITH moved AS (
       DELETE FROM share_rollup_deltas RETURNING *
     ), minute AS (
       INSERT INTO share_rollups_minute (worker_id, account_id, ${ROLLUP_COLUMNS})
       SELECT worker_id, min(account_id), bucket, ${sums}
         FROM moved GROUP BY worker_id, bucket ORDER BY worker_id, bucket
       ${accumulateOnConflict('share_rollups_minute', 'worker_id, bucket')}
     ), worker_hour AS (
       INSERT INTO share_rollups_worker_hour (worker_id, account_id, ${ROLLUP_COLUMNS})
       SELECT worker_id, min(account_id), date_bin('1 hour', bucket, 'epoch'), ${sums}
         FROM moved GROUP BY worker_id, 3 ORDER BY worker_id, 3
       ${accumulateOnConflict('share_rollups_worker_hour', 'worker_id, bucket')}
     ), hour AS (
       INSERT INTO share_rollups_hour (account_id, ${ROLLUP_COLUMNS})
       SELECT account_id, date_bin('1 hour', bucket, 'epoch'), ${sums}
         FROM moved GROUP BY account_id, 2 ORDER BY account_id, 2
       ${accumulateOnConflict('share_rollups_hour', 'account_id, bucket')}
     )
     SELECT count(*)::text AS folded FROM moved`,
  );
  return Number(rows[0]?.folded ?? 0);
}

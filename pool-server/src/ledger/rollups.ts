import type { Database } from '../db/pool.ts';

/**
 * Folds the rollup increments stored batches appended (share_rollup_deltas) into the
 * per-worker minute and per-account hour rollups, in one statement: what it deletes it
 * adds, so a fold interrupted anywhere leaves nothing counted twice or lost, and a
 * batch committed meanwhile waits for the next fold. Rows are upserted in key order,
 * the order concurrent folds would lock them in. Returns the increments folded.
 */
export async function foldRollups(db: Database): Promise<number> {
  const { rows } = await db.query<{ folded: string }>(
    `WITH moved AS (
       DELETE FROM share_rollup_deltas RETURNING *
     ), minute AS (
       INSERT INTO share_rollups_minute (bucket, worker_id, account_id, accepted_difficulty, accepted, rejected, stale)
       SELECT bucket, worker_id, min(account_id), sum(accepted_difficulty), sum(accepted), sum(rejected), sum(stale)
         FROM moved GROUP BY worker_id, bucket ORDER BY worker_id, bucket
       ON CONFLICT (worker_id, bucket) DO UPDATE SET
         accepted_difficulty = share_rollups_minute.accepted_difficulty + EXCLUDED.accepted_difficulty,
         accepted = share_rollups_minute.accepted + EXCLUDED.accepted,
         rejected = share_rollups_minute.rejected + EXCLUDED.rejected,
         stale = share_rollups_minute.stale + EXCLUDED.stale
     ), hour AS (
       INSERT INTO share_rollups_hour (bucket, account_id, accepted_difficulty, accepted, rejected, stale)
       SELECT date_bin('1 hour', bucket, 'epoch'), account_id, sum(accepted_difficulty), sum(accepted), sum(rejected), sum(stale)
         FROM moved GROUP BY account_id, 1 ORDER BY account_id, 1
       ON CONFLICT (account_id, bucket) DO UPDATE SET
         accepted_difficulty = share_rollups_hour.accepted_difficulty + EXCLUDED.accepted_difficulty,
         accepted = share_rollups_hour.accepted + EXCLUDED.accepted,
         rejected = share_rollups_hour.rejected + EXCLUDED.rejected,
         stale = share_rollups_hour.stale + EXCLUDED.stale
     )
     SELECT count(*)::text AS folded FROM moved`,
  );
  return Number(rows[0]?.folded ?? 0);
}

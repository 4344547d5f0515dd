-- Each worker per hour, folded with its minutes: a miner's page reads a day as 24 hours per
-- worker and the minutes of the hours at either end, not 1,440 minutes per worker.
CREATE TABLE share_rollups_worker_hour (
  bucket timestamptz NOT NULL,
  worker_id bigint NOT NULL,
  account_id bigint NOT NULL,
  accepted_difficulty double precision NOT NULL DEFAULT 0,
  accepted integer NOT NULL DEFAULT 0,
  rejected integer NOT NULL DEFAULT 0,
  stale integer NOT NULL DEFAULT 0,
  PRIMARY KEY (worker_id, bucket)
);
CREATE INDEX share_rollups_worker_hour_account ON share_rollups_worker_hour (account_id, bucket);

INSERT INTO share_rollups_worker_hour (bucket, worker_id, account_id, accepted_difficulty, accepted, rejected, stale)
  SELECT date_bin('1 hour', bucket, 'epoch'), worker_id, min(account_id), sum(accepted_difficulty), sum(accepted),
         sum(rejected), sum(stale)
    FROM share_rollups_minute GROUP BY 1, 2;

-- Folds add to counters of rows that exist: room on each page lets PostgreSQL update them
-- in place (HOT), which an index holding the counters would forbid. Readers of more than
-- the last hours go to the hour tables, so the minutes' account index needs no counters.
ALTER TABLE share_rollups_minute SET (fillfactor = 70);
ALTER TABLE share_rollups_worker_hour SET (fillfactor = 70);
ALTER TABLE share_rollups_hour SET (fillfactor = 70);
DROP INDEX share_rollups_minute_account;
CREATE INDEX share_rollups_minute_account ON share_rollups_minute (account_id, bucket);

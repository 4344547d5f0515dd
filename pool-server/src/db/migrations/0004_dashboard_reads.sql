-- What the dashboard reads, cheaply.

-- An account's minutes (its 10 min / 1 h / 24 h hashrate) from the index alone.
DROP INDEX share_rollups_minute_account;
CREATE INDEX share_rollups_minute_account ON share_rollups_minute (account_id, bucket)
  INCLUDE (accepted_difficulty, accepted, rejected, stale);
-- No reader goes by minute alone; one index fewer for every fold to maintain.
DROP INDEX share_rollups_minute_bucket;

-- The whole pool per hour: a 30-day pool chart reads 720 rows, not 43,200.
CREATE TABLE share_rollups_pool_hour (
  bucket timestamptz PRIMARY KEY,
  accepted_difficulty double precision NOT NULL DEFAULT 0,
  accepted integer NOT NULL DEFAULT 0,
  rejected integer NOT NULL DEFAULT 0,
  stale integer NOT NULL DEFAULT 0
);

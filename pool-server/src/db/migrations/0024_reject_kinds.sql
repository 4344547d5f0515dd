-- Refusals by kind, for the miners' pages: `rejected` still counts every refusal but
-- the stale ones, and these two are among them; the rest of `rejected` is invalid work.
-- Rows from before this migration hold no kinds, so their refusals read as invalid.
ALTER TABLE share_rollup_deltas
  ADD COLUMN duplicate integer NOT NULL DEFAULT 0,
  ADD COLUMN low_difficulty integer NOT NULL DEFAULT 0;
ALTER TABLE share_rollups_minute
  ADD COLUMN duplicate integer NOT NULL DEFAULT 0,
  ADD COLUMN low_difficulty integer NOT NULL DEFAULT 0;
ALTER TABLE share_rollups_worker_hour
  ADD COLUMN duplicate integer NOT NULL DEFAULT 0,
  ADD COLUMN low_difficulty integer NOT NULL DEFAULT 0;
ALTER TABLE share_rollups_hour
  ADD COLUMN duplicate integer NOT NULL DEFAULT 0,
  ADD COLUMN low_difficulty integer NOT NULL DEFAULT 0;
ALTER TABLE share_rollups_pool_minute
  ADD COLUMN duplicate integer NOT NULL DEFAULT 0,
  ADD COLUMN low_difficulty integer NOT NULL DEFAULT 0;
ALTER TABLE share_rollups_pool_hour
  ADD COLUMN duplicate integer NOT NULL DEFAULT 0,
  ADD COLUMN low_difficulty integer NOT NULL DEFAULT 0;

-- An account's minutes are still read from the index alone: it carries the new counts too.
DROP INDEX share_rollups_minute_account;
CREATE INDEX share_rollups_minute_account ON share_rollups_minute (account_id, bucket)
  INCLUDE (accepted_difficulty, accepted, rejected, stale, duplicate, low_difficulty);

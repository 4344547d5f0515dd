-- Share ingest at 100,000 shares/s: the write path appends, and the server folds.

-- Shares arrive in time order, so a BRIN index finds a time range at a fraction of a
-- B-tree's cost per row. Per-account reads go to the rollups, not to the shares.
DROP INDEX shares_time;
DROP INDEX shares_account_time;
CREATE INDEX shares_time_brin ON shares USING brin (time) WITH (pages_per_range = 32);

-- Each stored batch appends its rollup increments here (by COPY, in the batch's
-- transaction); the server folds them into share_rollups_minute and share_rollups_hour
-- every few seconds, deleting what it folded in the same statement. Readers add what
-- is not folded yet, so the rollups they see are always whole. No index: the table
-- holds a few seconds of increments, and an index would cost every batch more than
-- scanning them costs a reader.
CREATE TABLE share_rollup_deltas (
  bucket timestamptz NOT NULL,
  worker_id bigint NOT NULL,
  account_id bigint NOT NULL,
  accepted_difficulty double precision NOT NULL,
  accepted integer NOT NULL,
  rejected integer NOT NULL,
  stale integer NOT NULL
);

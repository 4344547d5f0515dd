-- The whole pool per minute: its hashrate and charts without summing every worker's rows.
CREATE TABLE share_rollups_pool_minute (
  bucket timestamptz PRIMARY KEY,
  accepted_difficulty double precision NOT NULL DEFAULT 0,
  accepted integer NOT NULL DEFAULT 0,
  rejected integer NOT NULL DEFAULT 0,
  stale integer NOT NULL DEFAULT 0
);

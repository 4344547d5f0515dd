-- When each Stratum node was accepting miners: one span a run, its last_seen moved on each
-- minute, so a chart tells a bucket while the pool was down (not measured, null) from one
-- while it ran and no share came (0). A span a run, not a row a minute: a node running for
-- a year is one row, and a chart reads the few spans that meet its range.
-- stopped: the run ended cleanly at last_seen; otherwise it stopped (a crash, a kill) at
-- most a minute after its last mark, and readers claim that minute.
CREATE TABLE pool_uptime (
  node_id integer NOT NULL,
  started_at timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  stopped boolean NOT NULL DEFAULT false,
  PRIMARY KEY (node_id, started_at),
  CHECK (last_seen >= started_at)
);
CREATE INDEX pool_uptime_last_seen ON pool_uptime (last_seen);

-- The protocol each worker last connected with (issue 30): Stratum V1, Stratum V2 on the
-- pool's jobs, or Stratum V2 with jobs the miner declared. NULL: it has not connected
-- since the pool began recording it. protocol_at orders the reports of several Stratum
-- nodes, whose batches may be stored out of order.
ALTER TABLE workers
  ADD COLUMN protocol text CHECK (protocol IN ('v1', 'v2', 'v2-declared')),
  ADD COLUMN protocol_at timestamptz,
  ADD CONSTRAINT workers_protocol_at CHECK ((protocol IS NULL) = (protocol_at IS NULL));

-- Applied only where the timescaledb extension could be created (TimescaleDB 2.x).
-- The tables and the queries stay those of migrations/; TimescaleDB partitions them by
-- time, compresses old chunks, drops what is past retention, and keeps pool_daily.

SELECT create_hypertable('shares', 'time', chunk_time_interval => interval '1 day', migrate_data => true);
ALTER TABLE shares SET (timescaledb.compress, timescaledb.compress_segmentby = 'account_id', timescaledb.compress_orderby = 'time');
SELECT add_compression_policy('shares', interval '3 days');
-- PPLNS windows and 24 h hashrate need days of raw shares; charts read the rollups.
SELECT add_retention_policy('shares', interval '90 days');

SELECT create_hypertable('share_rollups_minute', 'bucket', chunk_time_interval => interval '7 days', migrate_data => true);
ALTER TABLE share_rollups_minute SET (timescaledb.compress, timescaledb.compress_segmentby = 'worker_id');
SELECT add_compression_policy('share_rollups_minute', interval '14 days');
SELECT add_retention_policy('share_rollups_minute', interval '400 days');

SELECT create_hypertable('share_rollups_hour', 'bucket', chunk_time_interval => interval '30 days', migrate_data => true);

DROP VIEW pool_daily;
-- Continuous aggregates are materialized only by default in 2.13+; real time adds the newest hours.
CREATE MATERIALIZED VIEW pool_daily WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
  SELECT time_bucket(interval '1 day', bucket) AS day,
         sum(accepted_difficulty) AS accepted_difficulty,
         sum(accepted) AS accepted,
         sum(rejected) AS rejected,
         sum(stale) AS stale
    FROM share_rollups_hour
   GROUP BY 1
  WITH NO DATA;
SELECT add_continuous_aggregate_policy('pool_daily', start_offset => interval '3 days', end_offset => interval '1 hour', schedule_interval => interval '30 minutes');

-- The pool's minute rollups: a hypertable like the workers' ones, kept as long.
SELECT create_hypertable('share_rollups_pool_minute', 'bucket', chunk_time_interval => interval '30 days', migrate_data => true);
ALTER TABLE share_rollups_pool_minute SET (timescaledb.compress);
SELECT add_compression_policy('share_rollups_pool_minute', interval '60 days');
SELECT add_retention_policy('share_rollups_pool_minute', interval '400 days');

-- Workers' hours: a hypertable kept as long as their minutes.
SELECT create_hypertable('share_rollups_worker_hour', 'bucket', chunk_time_interval => interval '30 days', migrate_data => true);
ALTER TABLE share_rollups_worker_hour SET (timescaledb.compress, timescaledb.compress_segmentby = 'worker_id');
SELECT add_compression_policy('share_rollups_worker_hour', interval '14 days');
SELECT add_retention_policy('share_rollups_worker_hour', interval '400 days');

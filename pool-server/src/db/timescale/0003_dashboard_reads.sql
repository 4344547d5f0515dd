-- The pool's hourly rollups, a hypertable like its minutes.
SELECT create_hypertable('share_rollups_pool_hour', 'bucket', chunk_time_interval => interval '365 days', migrate_data => true);

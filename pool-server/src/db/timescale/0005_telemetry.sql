-- Farm telemetry: readings by time, compressed per device after a week. Miner readings
-- are kept 400 days; meter readings are the farm's energy record, which regulators
-- audit, so they are compressed and never dropped.
SELECT create_hypertable('miner_samples', 'time', chunk_time_interval => interval '1 day', migrate_data => true);
ALTER TABLE miner_samples SET (timescaledb.compress, timescaledb.compress_segmentby = 'device_id', timescaledb.compress_orderby = 'time');
SELECT add_compression_policy('miner_samples', interval '7 days');
SELECT add_retention_policy('miner_samples', interval '400 days');

SELECT create_hypertable('meter_samples', 'time', chunk_time_interval => interval '7 days', migrate_data => true);
ALTER TABLE meter_samples SET (timescaledb.compress, timescaledb.compress_segmentby = 'meter_id', timescaledb.compress_orderby = 'time');
SELECT add_compression_policy('meter_samples', interval '30 days');

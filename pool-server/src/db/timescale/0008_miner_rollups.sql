-- Devices' 5-minute rollups: kept as long as their readings, compressed once agents are
-- past sending late readings into them.
SELECT create_hypertable('miner_rollups_5m', 'bucket', chunk_time_interval => interval '7 days', migrate_data => true);
ALTER TABLE miner_rollups_5m SET (timescaledb.compress, timescaledb.compress_segmentby = 'device_id', timescaledb.compress_orderby = 'bucket');
SELECT add_compression_policy('miner_rollups_5m', interval '14 days');
SELECT add_retention_policy('miner_rollups_5m', interval '400 days');

SELECT create_hypertable('miner_board_rollups_5m', 'bucket', chunk_time_interval => interval '7 days', migrate_data => true);
ALTER TABLE miner_board_rollups_5m SET (timescaledb.compress, timescaledb.compress_segmentby = 'device_id', timescaledb.compress_orderby = 'bucket, slot');
SELECT add_compression_policy('miner_board_rollups_5m', interval '14 days');
SELECT add_retention_policy('miner_board_rollups_5m', interval '400 days');

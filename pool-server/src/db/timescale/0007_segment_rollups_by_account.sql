-- The miner pages read an account's minutes and hours (account_id = …), and a worker's
-- are read with its account too; segmenting by worker alone left those filters no index
-- on compressed chunks. A worker belongs to one account, so segmenting by both keeps the
-- same segments and compression ratio while the segment index leads with the account.
-- Chunks compressed before keep their settings until recompressed (TimescaleDB keeps
-- settings per chunk); db/README.md says how.
ALTER TABLE share_rollups_minute SET (timescaledb.compress, timescaledb.compress_segmentby = 'account_id, worker_id', timescaledb.compress_orderby = 'bucket DESC');
ALTER TABLE share_rollups_worker_hour SET (timescaledb.compress, timescaledb.compress_segmentby = 'account_id, worker_id', timescaledb.compress_orderby = 'bucket DESC');

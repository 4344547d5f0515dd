-- pool_daily was read by nothing: the charts read the pool's own minute and hour rollups
-- (ledger/hashrate.ts), which the pool folds exactly, so the continuous aggregate only
-- added a refresh job. Dropping it drops that job. On plain PostgreSQL the view of
-- migrations/0001 stays, unread: the applied timescale/0001 drops that view when a
-- database moves to TimescaleDB, so the schema files cannot drop it first.
DROP MATERIALIZED VIEW pool_daily;

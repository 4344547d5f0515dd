-- pool_daily was read by nothing: the charts read the pool's own minute and hour rollups
-- (ledger/hashrate.ts), which the pool folds exactly, so the continuous aggregate only
-- added a refresh job. Dropping it drops that job. The plain view of migrations/0001
-- comes back so that both paths keep one schema: timescale/0001, applied and never
-- edited, replaces that view, so the schema files cannot drop it.
DROP MATERIALIZED VIEW pool_daily;
CREATE VIEW pool_daily AS
  SELECT date_trunc('day', bucket) AS day,
         sum(accepted_difficulty) AS accepted_difficulty,
         sum(accepted) AS accepted,
         sum(rejected) AS rejected,
         sum(stale) AS stale
    FROM share_rollups_hour
   GROUP BY 1;

/**
 * Storage benchmark, on a real PostgreSQL (DATABASE_URL, or an embedded one started here):
 *
 * 1. Share ingest: batches of 10,000 accepted shares through ShareStore.store(), the
 *    writer's path (accounts and workers resolved, COPY into shares and of the rollup
 *    increments, the pool minute upserted, one transaction a batch), with the rollup
 *    fold running every 5 s as in the pool. The shares of a batch fall within 100 ms,
 *    as they do at 100,000 shares/s, from BENCH_WORKERS workers picked at random.
 * 2. Dashboard queries over BENCH_CHART_SHARES stored shares spread over 30 days
 *    (1,000 workers of 200 accounts): a 30-day hourly chart of one account, the 10 min /
 *    1 h / 24 h hashrates of an account and of a worker, and a 30-day pool chart.
 *
 * Run: pnpm bench (prints tables, then one JSON line). BENCH_QUICK=1 runs a small case.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../src/db/pool.ts';
import { hashrateChart, hashrates, type HashrateScope } from '../src/ledger/hashrate.ts';
import { foldRollups } from '../src/ledger/rollups.ts';
import { ShareStore, type ShareRecord } from '../src/ledger/share-store.ts';
import { postgresServer, scratchDatabase } from '../test/helpers/postgres.ts';
import { gitSha, machine } from './run-info.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const BATCH_SHARES = 10_000;
const INGEST_BATCHES = Number(process.env.BENCH_INGEST_BATCHES ?? (QUICK ? 10 : 300));
const WORKERS = Number(process.env.BENCH_WORKERS ?? (QUICK ? 5_000 : 100_000));
const WORKERS_PER_ACCOUNT = 5;
const CHART_SHARES = Number(process.env.BENCH_CHART_SHARES ?? (QUICK ? 200_000 : 10_000_000));
const CHART_ACCOUNTS = 200;
const CHART_WORKERS = 1_000;
const QUERY_RUNS = QUICK ? 20 : 300;
const DAY_MS = 86_400_000;
const FOLD_SECONDS = 5;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

function workerShare(worker: number, timeMs: number): ShareRecord {
  const account = Math.floor(worker / WORKERS_PER_ACCOUNT);
  return {
    timeMs,
    account: `bc1qbenchaccount${String(account)}`,
    worker: `rig${String(worker % WORKERS_PER_ACCOUNT)}`,
    payoutAddress: null,
    difficulty: 2 ** (10 + (worker % 8)),
    achieved: 2 ** (11 + (worker % 8)),
    height: 925_000,
    block: false,
    solo: worker % 50 === 0,
    networkDifficulty: 1.5e14,
    subsidy: 312_500_000,
    fees: 2_000_000,
  };
}

interface IngestResult {
  readonly shares: number;
  readonly sharesPerSecond: number;
  readonly batchP50Ms: number;
  readonly batchP99Ms: number;
}

async function ingest(db: Database): Promise<IngestResult> {
  const store = new ShareStore(db);
  let timeMs = Date.now() - DAY_MS;
  let nextWorker = 0;
  const batch = (pick: () => number) => {
    const shares: ShareRecord[] = [];
    for (let index = 0; index < BATCH_SHARES; index++) {
      // 100,000 shares/s: 10 us apart.
      timeMs += 0.01;
      shares.push(workerShare(pick(), Math.floor(timeMs)));
    }
    return { id: randomUUID(), nodeId: 0, shares, rejects: [] };
  };
  // Every worker once first: the measured batches find all accounts and workers known.
  for (let seen = 0; seen < WORKERS; seen += BATCH_SHARES) {
    await store.store(batch(() => nextWorker++ % WORKERS));
  }
  // Measured as it runs in the pool: the next batch is made while one is stored, and
  // the rollup fold runs every FOLD_SECONDS on its own connection, its time included.
  const random = () => Math.floor(Math.random() * WORKERS);
  let folding: Promise<number> = Promise.resolve(0);
  const foldTimer = setInterval(() => {
    folding = folding.then(() => foldRollups(db));
  }, FOLD_SECONDS * 1000);
  const durations: number[] = [];
  const started = process.hrtime.bigint();
  let next = batch(random);
  for (let index = 0; index < INGEST_BATCHES; index++) {
    const start = process.hrtime.bigint();
    const storing = store.store(next);
    next = batch(random);
    await storing;
    durations.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  clearInterval(foldTimer);
  await folding;
  await foldRollups(db);
  const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    shares: INGEST_BATCHES * BATCH_SHARES,
    sharesPerSecond: (INGEST_BATCHES * BATCH_SHARES) / elapsedSeconds,
    batchP50Ms: percentile(sorted, 50),
    batchP99Ms: percentile(sorted, 99),
  };
}

/**
 * 30 days of shares, written by SQL in chunks (the ingest path above is what is being
 * measured, not how the fixture is made), and the rollups the server keeps, from them.
 */
async function fillThirtyDays(db: Database, nowMs: number): Promise<void> {
  await db.query(
    `INSERT INTO accounts (id, name) SELECT g, 'bc1qchartaccount' || g FROM generate_series(1, $1::int) g`,
    [CHART_ACCOUNTS],
  );
  await db.query(
    `INSERT INTO workers (id, account_id, name)
       SELECT g, (g - 1) % $1::int + 1, 'rig' || g FROM generate_series(1, $2::int) g`,
    [CHART_ACCOUNTS, CHART_WORKERS],
  );
  const chunk = 1_000_000;
  for (let done = 0; done < CHART_SHARES; done += chunk) {
    await db.query(
      `INSERT INTO shares (time, account_id, worker_id, difficulty, achieved, height, result, solo, batch_id)
         SELECT $1::timestamptz - random() * interval '30 days', (w - 1) % $2::int + 1, w,
                65536, 131072, 925000, 0, false, $3
           FROM (SELECT (g % $4::int) + 1 AS w FROM generate_series(1, $5::int) g) s`,
      [new Date(nowMs), CHART_ACCOUNTS, randomUUID(), CHART_WORKERS, Math.min(chunk, CHART_SHARES - done)],
    );
  }
  const rollups = [
    ['share_rollups_minute', '1 minute', 'worker_id, account_id, '],
    ['share_rollups_worker_hour', '1 hour', 'worker_id, account_id, '],
    ['share_rollups_hour', '1 hour', 'account_id, '],
    ['share_rollups_pool_minute', '1 minute', ''],
    ['share_rollups_pool_hour', '1 hour', ''],
  ] as const;
  for (const [table, width, keys] of rollups) {
    await db.query(
      `INSERT INTO ${table} (${keys}bucket, accepted_difficulty, accepted)
         SELECT ${keys}date_bin('${width}', time, 'epoch'), sum(difficulty), count(*) FROM shares
          GROUP BY ${keys}date_bin('${width}', time, 'epoch')`,
    );
  }
  // What autovacuum does over 30 days: statistics, and the visibility map for index-only reads.
  await db.query('VACUUM ANALYZE');
}

interface QueryResult {
  readonly name: string;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly rows: number;
}

async function timeQuery(name: string, run: (index: number) => Promise<unknown[]>): Promise<QueryResult> {
  await run(0);
  const durations: number[] = [];
  let rows = 0;
  for (let index = 0; index < QUERY_RUNS; index++) {
    const start = process.hrtime.bigint();
    rows = (await run(index)).length;
    durations.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const sorted = durations.sort((a, b) => a - b);
  return { name, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), rows };
}

async function queries(db: Database, nowMs: number): Promise<QueryResult[]> {
  const account = (index: number): HashrateScope => ({
    kind: 'account',
    account: `bc1qchartaccount${String(((index * 37) % CHART_ACCOUNTS) + 1)}`,
  });
  const worker = (index: number): HashrateScope => {
    const id = ((index * 53) % CHART_WORKERS) + 1;
    return {
      kind: 'worker',
      account: `bc1qchartaccount${String(((id - 1) % CHART_ACCOUNTS) + 1)}`,
      worker: `rig${String(id)}`,
    };
  };
  const month = { fromMs: nowMs - 30 * DAY_MS, toMs: nowMs, bucketSeconds: 3_600 };
  const accountNow = (index: number) => hashrates(db, account(index), nowMs);
  const results = [
    await timeQuery('30-day hourly chart, one account', (index) => hashrateChart(db, account(index), month)),
    await timeQuery('10 min / 1 h / 24 h hashrate, one account', accountNow),
    await timeQuery('10 min / 1 h / 24 h hashrate, one worker', (index) =>
      hashrates(db, worker(index), nowMs),
    ),
    await timeQuery('30-day hourly chart, whole pool', () => hashrateChart(db, { kind: 'pool' }, month)),
  ];
  // The worst moment for readers: a whole fold interval of increments at 100,000 shares/s
  // from as many workers, waiting to be folded.
  const waiting = FOLD_SECONDS * 100_000;
  await db.query(
    `INSERT INTO share_rollup_deltas (bucket, worker_id, account_id, accepted_difficulty, accepted, rejected, stale)
       SELECT date_bin('1 minute', $1::timestamptz, 'epoch'), 10000 + g, 10000 + g / 5, 65536, 1, 0, 0
         FROM generate_series(1, $2::int) g`,
    [new Date(nowMs), waiting],
  );
  results.push(
    await timeQuery(`the same, with ${String(waiting)} increments waiting to be folded`, accountNow),
  );
  return results;
}

const postgres = await postgresServer();
try {
  const version = new pg.Client({ connectionString: postgres.url });
  await version.connect();
  const serverVersion = (await version.query<{ server_version: string }>('SHOW server_version')).rows[0]
    ?.server_version;
  await version.end();
  const host = `${machine()}, PostgreSQL ${serverVersion ?? '?'}`;
  console.log(`ledger storage: ${host}\n`);

  const ingestDb = await scratchDatabase(postgres.url, 'hashwatt_bench');
  const ingested = await ingest(ingestDb.db).finally(() => ingestDb.drop());
  console.log(
    `share ingest: ${String(ingested.shares)} shares in batches of ${String(BATCH_SHARES)} from ${String(WORKERS)} workers`,
  );
  console.log('| shares/s sustained | batch p50 | batch p99 |');
  console.log('|---:|---:|---:|');
  console.log(
    `| ${Math.round(ingested.sharesPerSecond).toLocaleString('en-US')} | ${ingested.batchP50Ms.toFixed(1)} ms | ${ingested.batchP99Ms.toFixed(1)} ms |\n`,
  );

  const chartDb = await scratchDatabase(postgres.url, 'hashwatt_bench');
  const nowMs = Date.now();
  const fillStart = Date.now();
  const results = await fillThirtyDays(chartDb.db, nowMs)
    .then(() => queries(chartDb.db, nowMs))
    .finally(() => chartDb.drop());
  console.log(
    `dashboard queries over ${String(CHART_SHARES)} shares in 30 days (${String(CHART_WORKERS)} workers, ${String(CHART_ACCOUNTS)} accounts; filled in ${String(Math.round((Date.now() - fillStart) / 1000))} s), ${String(QUERY_RUNS)} runs each`,
  );
  console.log('| query | p50 | p99 | rows out |');
  console.log('|---|---:|---:|---:|');
  for (const result of results) {
    console.log(
      `| ${result.name} | ${result.p50Ms.toFixed(2)} ms | ${result.p99Ms.toFixed(2)} ms | ${String(result.rows)} |`,
    );
  }
  console.log(
    JSON.stringify({
      bench: 'ledger-storage',
      git: gitSha(),
      machine: host,
      date: new Date().toISOString(),
      ingest: ingested,
      chartShares: CHART_SHARES,
      queries: results,
    }),
  );
} finally {
  await postgres.stop();
}

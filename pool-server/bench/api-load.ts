/**
 * API benchmark: the pool summary and miner pages at an even request rate (paced-http.ts),
 * and at saturation (autocannon, 32 connections), against a database holding a day of 10,000 workers' shares as the API
 * reads them (the rollups the pool keeps: every worker every minute for 24 hours; the
 * raw shares are not read by these routes). Miner pages are asked for accounts picked
 * at random, so most requests miss the two-second cache as real traffic would.
 *
 * The floor, in the same run: a bare node:http server (api-floor-server.ts) answering the
 * pool summary's own body, at the same rate and at saturation.
 *
 * Run: pnpm bench (prints its table and records it in bench-results/api-load.json).
 * BENCH_QUICK=1 runs a small case.
 */
import { fork } from 'node:child_process';
import autocannon from 'autocannon';
import type { Database } from '../src/db/pool.ts';
import { postgresServer, scratchDatabase } from '../test/helpers/postgres.ts';
import { pacedLoad, percentile } from './paced-http.ts';
import { ratio, startBench } from '../../scripts/bench-record.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const WORKERS = Number(process.env.BENCH_API_WORKERS ?? (QUICK ? 1_000 : 10_000));
const WORKERS_PER_ACCOUNT = 5;
const ACCOUNTS = WORKERS / WORKERS_PER_ACCOUNT;
const RATE = Number(process.env.BENCH_API_RATE ?? 2_000);
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? (QUICK ? 3 : 30));
const CONNECTIONS = 32;

const bench = startBench({
  id: 'api-load',
  title: 'HTTP API',
  about:
    "The API runs in its own process (`bench/api-server.ts`, logging to /dev/null at info) on the embedded PostgreSQL, whose database holds a day of workers (5 per account) as the API reads it: every worker's minutes for 24 hours, their hours, the accounts' and the pool's; 20 blocks; balances. Requests come at an even rate from `bench/paced-http.ts` over 32 keep-alive connections, each timed from when it was due (so a slow answer cannot hide the ones queued behind it); autocannon then measures the most each route answers with 32 connections always busy. Miner pages are asked for accounts picked at random, so the cache keeps being refreshed as real traffic would; the first-visit row asks each account once, nothing cached. The floor is a bare node:http server in its own process answering the pool summary's body, measured the same way.",
  notes: [
    "An uncached miner page costs a few database reads (its workers' day from `share_rollups_worker_hour` and the minutes), so the first visits of many miners at once queue behind each other; after that a page is answered from memory while at most four refreshes run in the background, with their expiry spread by a quarter either way so pages cached together do not all refresh together.",
  ],
  command: 'pnpm --filter @hashwatt/pool-server exec tsx bench/api-load.ts',
  conditions: {
    'workers (BENCH_API_WORKERS), 5 per account': WORKERS,
    'paced rate, requests/s (BENCH_API_RATE); first visits at an eighth of it': RATE,
    'seconds per paced route (BENCH_API_SECONDS)': SECONDS,
    'seconds at saturation (autocannon)': Math.min(SECONDS, 10),
    connections: CONNECTIONS,
    'niceness of the API process, the floor server and PostgreSQL': 'as the benchmark process (inherited)',
  },
});

/** A day of minutes for every worker, and what the pool derives from them. */
async function fillDay(db: Database): Promise<void> {
  await db.query(
    `INSERT INTO accounts (id, name, payout_address)
       SELECT g, 'bc1qapiaccount' || g, 'bc1qapiaccount' || g FROM generate_series(1, $1::int) g`,
    [ACCOUNTS],
  );
  await db.query(
    `INSERT INTO workers (id, account_id, name)
       SELECT g, (g - 1) / $2::int + 1, 'rig' || ((g - 1) % $2::int) FROM generate_series(1, $1::int) g`,
    [WORKERS, WORKERS_PER_ACCOUNT],
  );
  // A share of difficulty 65,536 every ~6 s per worker: about 45 TH/s each.
  await db.query(
    `INSERT INTO share_rollups_minute (bucket, worker_id, account_id, accepted_difficulty, accepted, rejected, stale)
       SELECT m, w, (w - 1) / $2::int + 1, 655360, 10, (w + extract(minute FROM m)::int) % 97 / 96, 0
         FROM generate_series(date_bin('1 minute', now() - interval '24 hours', 'epoch'), now(), interval '1 minute') m,
              generate_series(1, $1::int) w`,
    [WORKERS, WORKERS_PER_ACCOUNT],
  );
  const sums = 'sum(accepted_difficulty), sum(accepted), sum(rejected), sum(stale)';
  const columns = 'accepted_difficulty, accepted, rejected, stale';
  for (const statement of [
    `INSERT INTO share_rollups_worker_hour (bucket, worker_id, account_id, ${columns})
       SELECT date_bin('1 hour', bucket, 'epoch'), worker_id, min(account_id), ${sums} FROM share_rollups_minute GROUP BY 1, 2`,
    `INSERT INTO share_rollups_hour (bucket, account_id, ${columns})
       SELECT date_bin('1 hour', bucket, 'epoch'), account_id, ${sums} FROM share_rollups_minute GROUP BY 1, 2`,
    `INSERT INTO share_rollups_pool_minute (bucket, ${columns})
       SELECT bucket, ${sums} FROM share_rollups_minute GROUP BY 1`,
    `INSERT INTO share_rollups_pool_hour (bucket, ${columns})
       SELECT date_bin('1 hour', bucket, 'epoch'), ${sums} FROM share_rollups_minute GROUP BY 1`,
  ]) {
    await db.query(statement);
  }
  await db.query(
    `INSERT INTO blocks (hash, height, reward, fees, finder_account_id, finder_worker, network_difficulty, effort, scheme, status, confirmations, found_at)
       SELECT lpad(to_hex(g), 64, '0'), 924980 + g, 315000000, 2500000, g, 'rig0', 1.5e14, 0.9, 'pplns',
              CASE WHEN g > 15 THEN 'pending' ELSE 'confirmed' END, 21 - g, now() - (21 - g) * interval '1 hour'
         FROM generate_series(1, 20) g`,
  );
  await db.query(
    `INSERT INTO balances (book, amount) SELECT 'miner:' || g, 1000 * g FROM generate_series(1, $1::int) g`,
    [ACCOUNTS],
  );
  await db.query('VACUUM ANALYZE');
}

interface RouteResult {
  readonly route: string;
  readonly sent: number;
  readonly failed: number;
  readonly achievedRate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  /** What the route answers at most with 32 connections always busy (autocannon). */
  readonly saturationRate: number;
}

async function measure(
  port: number,
  route: string,
  path: () => string,
  load: { readonly rate: number; readonly seconds: number } = { rate: RATE, seconds: SECONDS },
): Promise<RouteResult> {
  const paced = await pacedLoad({ port, ...load, sockets: CONNECTIONS, path });
  const saturated = await autocannon({
    url: `http://127.0.0.1:${String(port)}`,
    connections: CONNECTIONS,
    duration: Math.min(SECONDS, 10),
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: path() }) }],
  });
  return {
    route,
    sent: paced.sent,
    failed: paced.failed,
    achievedRate: paced.ok / paced.seconds,
    p50Ms: percentile(paced.latencies, 50),
    p99Ms: percentile(paced.latencies, 99),
    p999Ms: percentile(paced.latencies, 99.9),
    maxMs: paced.latencies[paced.latencies.length - 1] ?? 0,
    saturationRate: saturated.requests.average,
  };
}

const postgres = await postgresServer();
const database = await scratchDatabase(postgres.url, 'hashwatt_api_bench');
try {
  const filling = Date.now();
  await fillDay(database.db);
  const filled = Math.round((Date.now() - filling) / 1000);
  const server = fork(new URL('./api-server.ts', import.meta.url), {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_DATABASE_URL: database.url },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('message', (message: { port: number }) => {
      resolve(message.port);
    });
    server.once('exit', (code) => {
      reject(new Error(`the API process exited (${String(code)})`));
    });
  });
  const account = () => `/api/miners/bc1qapiaccount${String(1 + Math.floor(Math.random() * ACCOUNTS))}`;
  const results: RouteResult[] = [];
  // A short warm-up, unmeasured: connections, JIT, the database's caches.
  await pacedLoad({ port, rate: RATE / 4, seconds: 1, sockets: 4, path: () => '/api/pool' });
  results.push(await measure(port, 'GET /api/pool', () => '/api/pool'));
  // Every account's first visit, nothing cached: what the database answers.
  let next = 0;
  const firstVisit = () => `/api/miners/bc1qapiaccount${String((next++ % ACCOUNTS) + 1)}`;
  const coldRate = RATE / 8;
  results.push(
    await measure(port, `GET /api/miners/:account, first visits at ${String(coldRate)}/s`, firstVisit, {
      rate: coldRate,
      seconds: ACCOUNTS / coldRate,
    }),
  );
  results.push(await measure(port, 'GET /api/miners/:account (random of all accounts)', account));
  const summaryBody = await (await fetch(`http://127.0.0.1:${String(port)}/api/pool`)).text();
  server.send({ kind: 'stop' });
  await new Promise((resolve) => server.once('exit', resolve));

  const floorServer = fork(new URL('./api-floor-server.ts', import.meta.url), {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, FLOOR_BODY: summaryBody },
  });
  const floorPort = await new Promise<number>((resolve, reject) => {
    floorServer.once('message', (message: { port: number }) => {
      resolve(message.port);
    });
    floorServer.once('exit', (code) => {
      reject(new Error(`the floor server exited (${String(code)})`));
    });
  });
  await pacedLoad({ port: floorPort, rate: RATE / 4, seconds: 1, sockets: 4, path: () => '/api/pool' });
  const floor = await measure(floorPort, "bare node:http server, the pool summary's body", () => '/api/pool');
  floorServer.send({ kind: 'stop' });
  await new Promise((resolve) => floorServer.once('exit', resolve));

  const ms = (value: number): string => `${value.toFixed(1)} ms`;
  bench.finish({
    columns: [
      'route',
      'sent',
      'failed',
      'answered/s',
      'p50',
      'p99',
      'p99.9',
      'max',
      'p99 ÷ floor',
      'saturation, requests/s',
      'saturation ÷ floor',
    ],
    rows: [...results, floor].map((row) => ({
      floor: row === floor,
      cells: [
        row.route,
        row.sent.toLocaleString('en-US'),
        String(row.failed),
        row.achievedRate.toFixed(0),
        ms(row.p50Ms),
        ms(row.p99Ms),
        ms(row.p999Ms),
        ms(row.maxMs),
        ratio(row.p99Ms, floor.p99Ms),
        row.saturationRate.toFixed(0),
        ratio(row.saturationRate, floor.saturationRate),
      ],
    })),
    conditions: { 'seconds to fill the database': filled },
  });
} finally {
  await database.drop();
  await postgres.stop();
}

/**
 * Dashboard benchmark, in Debian's Chromium (playwright-core), against the real API
 * serving the production build, on a database holding 30 days of the pool's minutes
 * and some blocks (what the pool overview reads):
 *   - first render of the pool overview: from navigation to the figures on screen,
 *     cold (a new browser context each run), median and worst of the runs;
 *   - uPlot with 30 days of per-minute points (43,200): the first draw, and redraws
 *     while zooming, each against the 16.7 ms of a 60 Hz frame.
 *
 *   - the JavaScript a first visit loads before the first page, gzipped and as served;
 *   - the same cold load on a throttled phone (Lighthouse's slow 4G: 150 ms RTT,
 *     1.6 Mbit/s, CPU four times slower): first contentful paint and figures on screen.
 *
 * Floors, in the same run: a cold first render of a one-line page from a bare node:http
 * server (plain and on the throttled phone), and the zoom loop's own wait without a chart.
 *
 * Run: pnpm bench (prints its table and records it in bench-results/dashboard-render.json).
 * BENCH_QUICK=1 runs fewer rounds.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { pino } from 'pino';
import { build } from 'vite';
import { buildApp } from '../../pool-server/src/api/app.ts';
import { sessionSettingsFrom } from '../../pool-server/src/accounts/sessions.ts';
import { loadConfig } from '../../pool-server/src/config.ts';
import { poolAlertThresholds } from '../../pool-server/src/farms/alert-thresholds.ts';
import { signerFromKey } from '../../pool-server/src/farms/reports/signing.ts';
import { postgresServer, scratchDatabase } from '../../pool-server/test/helpers/postgres.ts';
import { ratio, startBench, type BenchRow } from '../../scripts/bench-record.ts';
import { connectInfo } from '../../pool-server/src/roles/connect-info.ts';
import { gzippedBytes, landingScripts } from '../test/helpers/landing-scripts.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const RUNS = QUICK ? 3 : 11;
const ZOOMS = QUICK ? 10 : 60;
const POINTS = 30 * 24 * 60;
const DASHBOARD = path.resolve(import.meta.dirname, '..');

const bench = startBench({
  id: 'dashboard-render',
  title: 'Dashboard',
  about:
    "Debian's Chromium (headless, `playwright-core`) against the real API serving the production build, on the same cores as the browser and PostgreSQL; the database holds 30 days of the pool's minutes and ten blocks. First render: from navigation to the pool overview's figures on screen, cold (a new browser context each run). Then uPlot drawing 30 days of per-minute points, first draw and redraws while zooming, each against the 16.7 ms of a 60 Hz frame. Floors: the same cold navigation to a one-line page from a bare node:http server, and the zoom loop's own wait without a chart.",
  notes: [
    'The landing page comes with the entry, its modules preloaded from index.html, and nothing waits for the "who is signed in" request: main.tsx starts it, and the pool\'s figures, while the catalogue loads. uPlot is loaded only with the first chart, and its first draw here is timed once the overview has drawn its own, on an idle page.',
    "The production build runs on Preact's React layer (preact/compat, aliased in vite.config.ts) and React Router's declarative API, without its data router: React DOM and the data router were 79 KB of the 144 KB gzipped that the landing page loaded before.",
    "Each language's catalogue is a chunk of its own, loaded with it. The build writes brotli and gzip copies of every asset and the pool serves them as they are. The page's frame (its top bar) is in index.html, drawn before any script runs. The JavaScript loaded before the first page, the English catalogue among it, is held to issue 28's 100 KB gzipped by `dashboard-e2e.test.ts` on each run.",
    "Slow 4G is Lighthouse's mobile throttling, applied through Chromium's DevTools protocol to a 390 x 844 phone viewport; the floor is the same one-line page from the bare server on the same throttled phone.",
  ],
  command: 'pnpm --filter @hashwatt/dashboard bench',
  conditions: {
    'cold first renders': RUNS,
    zooms: ZOOMS,
    'chart points': POINTS,
    'niceness of Chromium and PostgreSQL': 'as the benchmark process (inherited)',
  },
});

const percentile = (values: readonly number[], share: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? Number.NaN;
};

const outDir = mkdtempSync(path.join(tmpdir(), 'hashwatt-dashboard-bench-'));
await build({ root: DASHBOARD, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
const server = await postgresServer();
const database = await scratchDatabase(server.url, 'hashwatt_bench_dashboard');
const { db } = database;
// 30 days of the pool's minutes and hours: 10 PH/s, a little noise.
const columns = 'accepted_difficulty, accepted, rejected, stale';
await db.query(
  `INSERT INTO share_rollups_pool_minute (bucket, ${columns})
     SELECT m, 1.4e11 * (1 + 0.1 * sin(extract(epoch FROM m) / 3600)), 2000, 3, 1
       FROM generate_series(date_bin('1 minute', now() - interval '30 days', 'epoch'), now(), interval '1 minute') m`,
);
await db.query(
  `INSERT INTO share_rollups_pool_hour (bucket, ${columns})
     SELECT date_bin('1 hour', bucket, 'epoch'), sum(accepted_difficulty), sum(accepted), sum(rejected), sum(stale)
       FROM share_rollups_pool_minute GROUP BY 1`,
);
await db.query(
  `INSERT INTO blocks (hash, height, reward, fees, finder_worker, network_difficulty, effort, scheme, status, confirmations, found_at)
     SELECT lpad(to_hex(g), 64, '0'), 933000 + g, 315000000, 2500000, 'rig' || g, 1.4e14, 0.5 + g / 10.0, 'pplns', 'confirmed', 100, now() - g * interval '1 day'
       FROM generate_series(1, 10) g`,
);
const app = await buildApp({
  db,
  log: pino({ level: 'silent' }),
  settings: {
    sessions: sessionSettingsFrom(loadConfig({}).api),
    secureCookies: false,
    loginPerMinute: 100,
    trustProxy: [],
    liveIntervalMs: 5_000,
    bodyLimitBytes: 1024 * 1024,
    agentBodyLimitBytes: 4 * 1024 * 1024,
    agentRequestsPerMinute: 1_000,
    // Every page load of the run comes from one address.
    requestsPerMinute: Number.MAX_SAFE_INTEGER,
    dashboardDir: outDir,
  },
  pool: {
    chain: 'main',
    settings: () =>
      Promise.resolve({
        scheme: 'pplns' as const,
        feePercent: 1,
        soloFeePercent: 0.5,
        pplnsWindowFactor: 2,
        payoutsEnabled: true,
        payoutThresholdSats: 1_000_000,
        maturityConfirmations: 100,
      }),
    updateSettings: () => Promise.reject(new Error('the benchmark changes no settings')),
    network: () => Promise.resolve({ height: 933_586, difficulty: 141_668_107_417_558 }),
    now: () => Date.now(),
    connect: () => connectInfo(loadConfig({})),
  },
  reportSigner: signerFromKey(generateKeyPairSync('ed25519').privateKey),
  farms: {
    feeWindowBlocks: 144,
    alertThresholds: poolAlertThresholds(loadConfig({}).alerts, 10),
  },
});
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${String((app.server.address() as AddressInfo).port)}`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});

/**
 * Chromium's network and CPU as Lighthouse's "slow 4G" mobile run has them: 150 ms round
 * trips, 1.6 Mbit/s down, 750 kbit/s up, the CPU four times slower.
 */
const SLOW_4G = {
  latency: 150,
  downloadThroughput: (1_638.4 * 1_024) / 8,
  uploadThroughput: (750 * 1_024) / 8,
};
const SLOW_CPU = 4;

/** A cold page load on a throttled phone: its first contentful paint, and when `ready` is on screen. */
async function throttledLoad(url: string, ready: string): Promise<{ fcp: number; ready: number }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, ...SLOW_4G });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOW_CPU });
  await page.goto(url, { waitUntil: 'commit' });
  await page.locator(ready).first().waitFor({ timeout: 120_000 });
  const readyAt = Number(await page.evaluate('performance.now()'));
  const fcp = await page.evaluate<number>(`new Promise((resolve) => {
    new PerformanceObserver((list) => {
      const entry = list.getEntriesByName('first-contentful-paint')[0];
      if (entry) resolve(entry.startTime);
    }).observe({ type: 'paint', buffered: true });
  })`);
  await context.close();
  return { fcp, ready: readyAt };
}

const landing = landingScripts(outDir);
const landingGzip = gzippedBytes(outDir, landing);
// Files too small to gain from it are sent as they are.
const served = (file: string): number => {
  const brotli = path.join(outDir, `${file}.br`);
  return statSync(existsSync(brotli) ? brotli : path.join(outDir, file)).size;
};
const landingBrotli = landing.reduce((sum, file) => sum + served(file), 0);

const firstRender: number[] = [];
for (let run = 0; run < RUNS; run += 1) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/`, { waitUntil: 'commit' });
  await page.locator('.stat-value').first().waitFor();
  // From the start of navigation to the moment the figures are in the document.
  firstRender.push(Number(await page.evaluate('performance.now()')));
  await context.close();
}

// The floor: the same cold navigation to a page that is already its figure.
const bare = http.createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/html' });
  response.end('<!doctype html><p class="stat-value">1</p>');
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const bareUrl = `http://127.0.0.1:${String((bare.address() as AddressInfo).port)}/`;
const floorRender: number[] = [];
for (let run = 0; run < RUNS; run += 1) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(bareUrl, { waitUntil: 'commit' });
  await page.locator('.stat-value').first().waitFor();
  floorRender.push(Number(await page.evaluate('performance.now()')));
  await context.close();
}
const phone: { fcp: number; ready: number }[] = [];
const phoneFloor: { fcp: number; ready: number }[] = [];
for (let run = 0; run < RUNS; run += 1) {
  phone.push(await throttledLoad(`${base}/`, '.stat-value'));
  phoneFloor.push(await throttledLoad(bareUrl, '.stat-value'));
}
await new Promise((resolve) => bare.close(resolve));

// uPlot from the build itself, drawing 30 days of minutes.
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(`${base}/`);
// Once the overview has drawn its own chart the page is idle: the first draw below times
// uPlot alone, not the app's rendering beside it.
await page.locator('.chart canvas').first().waitFor({ timeout: 120_000 });
// The chart component's dynamic import: an entry of its own, which keeps its export names.
const uplotFile = readdirSync(path.join(outDir, 'assets')).find((file) => /^uplot-.*\.js$/.test(file));
if (uplotFile === undefined) {
  throw new Error('no uPlot chunk in the build');
}
const chart = await page.evaluate<{ first: number; redraws: number[] }>(
  `(async () => {
    const { UPlot } = await import('/assets/${uplotFile}');
    const n = ${String(POINTS)};
    const start = Math.floor(Date.now() / 1000) - n * 60;
    const times = new Float64Array(n);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i += 1) { times[i] = start + i * 60; values[i] = 1e16 * (1 + 0.1 * Math.sin(i / 60)); }
    const host = document.createElement('div');
    document.body.append(host);
    const t0 = performance.now();
    const plot = new UPlot({ width: 1200, height: 300, scales: { x: { time: true } }, series: [{}, { stroke: 'red' }] }, [times, values], host);
    await new Promise(requestAnimationFrame);
    const first = performance.now() - t0;
    const redraws = [];
    for (let z = 0; z < ${String(ZOOMS)}; z += 1) {
      const width = (n * 60) / (1 + (z % 10));
      const t = performance.now();
      plot.setScale('x', { min: start, max: start + width });
      // uPlot redraws in a microtask after the change: a task later it has drawn.
      await new Promise((resolve) => setTimeout(resolve, 0));
      redraws.push(performance.now() - t);
      await new Promise(requestAnimationFrame);
    }
    return { first, redraws };
  })()`,
);
const floorWaits = await page.evaluate<number[]>(
  `(async () => {
    const waits = [];
    for (let z = 0; z < ${String(ZOOMS)}; z += 1) {
      const t = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 0));
      waits.push(performance.now() - t);
      await new Promise(requestAnimationFrame);
    }
    return waits;
  })()`,
);
await browser.close();
await app.close();
await database.drop();
await server.stop();
rmSync(outDir, { recursive: true, force: true });

const ms = (value: number): string => `${value.toFixed(1)} ms`;
const floorP50 = percentile(floorRender, 0.5);
const floorWaitP50 = percentile(floorWaits, 0.5);
const redrawP50 = percentile(chart.redraws, 0.5);
const renderP50 = percentile(firstRender, 0.5);
const kb = (bytes: number): string => `${(bytes / 1_024).toFixed(1)} KB`;
const phoneRow = (measure: string, values: readonly number[], floor: number, isFloor = false): BenchRow => ({
  ...(isFloor && { floor: true }),
  cells: [
    measure,
    ms(percentile(values, 0.5)),
    '—',
    ms(Math.max(...values)),
    isFloor ? ratio(1, 1) : ratio(percentile(values, 0.5), floor),
  ],
});
const phoneFcpFloor = percentile(
  phoneFloor.map((load) => load.fcp),
  0.5,
);
bench.finish({
  columns: ['measure', 'p50', 'p99', 'max', 'p50 ÷ floor'],
  rows: [
    {
      cells: [
        `JavaScript before the first page (${String(landing.length)} files, the English catalogue among them), gzipped; brotli as the pool serves it: ${kb(landingBrotli)}`,
        kb(landingGzip),
        '—',
        '—',
        '—',
      ],
    },
    phoneRow(
      'slow 4G phone (150 ms RTT, 1.6 Mbit/s, CPU ÷ 4), cold: first contentful paint',
      phone.map((load) => load.fcp),
      phoneFcpFloor,
    ),
    phoneRow(
      "the same load: the pool overview's figures on screen",
      phone.map((load) => load.ready),
      percentile(
        phoneFloor.map((load) => load.ready),
        0.5,
      ),
    ),
    phoneRow(
      'the one-line page from the bare server on the same slow 4G phone: first contentful paint',
      phoneFloor.map((load) => load.fcp),
      phoneFcpFloor,
      true,
    ),
    {
      cells: [
        'first render of the pool overview, cold, navigation to figures on screen',
        ms(renderP50),
        '—',
        ms(Math.max(...firstRender)),
        ratio(renderP50, floorP50),
      ],
    },
    {
      floor: true,
      cells: [
        'first render of a one-line page from a bare node:http server, cold',
        ms(floorP50),
        '—',
        ms(Math.max(...floorRender)),
        ratio(1, 1),
      ],
    },
    {
      cells: [`uPlot, ${POINTS.toLocaleString('en-US')} points: first draw`, ms(chart.first), '—', '—', '—'],
    },
    {
      cells: [
        'the same chart redrawn while zooming',
        ms(redrawP50),
        ms(percentile(chart.redraws, 0.99)),
        ms(Math.max(...chart.redraws)),
        ratio(redrawP50, floorWaitP50),
      ],
    },
    {
      floor: true,
      cells: [
        "the zoom loop's own wait, no chart",
        ms(floorWaitP50),
        ms(percentile(floorWaits, 0.99)),
        ms(Math.max(...floorWaits)),
        ratio(1, 1),
      ],
    },
  ],
});

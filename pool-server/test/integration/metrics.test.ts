/**
 * Prometheus metrics and the probes, on one pool started in-process with its metrics
 * listener (metrics.port, a bearer token) and the Stratum role on its thread, the
 * default: real Stratum traffic moves the counters the thread keeps, the API's requests
 * are timed by route template, /metrics refuses a scrape without the token, and /readyz
 * answers 503 while the pool's database refuses connections.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { parseExposition, valueOf, type Sample } from '../helpers/metrics.ts';
import { MINER_ADDRESS, startTestPool, type TestPool } from '../helpers/pool.ts';
import { StratumClient } from '../helpers/stratum-client.ts';

const TOKEN = 'metrics-test-token-0123456789abcdef';
const DIFFICULTY = 0.000001;
const ACCEPTED = 5;

describe('Prometheus metrics, /healthz and /readyz', () => {
  let folder: string;
  let pool: TestPool;
  let metricsUrl: string;
  let apiUrl: string;
  let databaseName: string;
  const miners: StratumClient[] = [];

  const scrape = async (): Promise<Sample[]> => {
    const response = await fetch(`${metricsUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  };

  /** Connections to the pool's database refused (as when its server is away), or allowed again. */
  const databaseConnections = async (allowed: boolean): Promise<void> => {
    const admin = new pg.Client({ connectionString: inject('databaseUrl') });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS ${allowed ? 'true' : 'false'}`);
      if (!allowed) {
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
          databaseName,
        ]);
      }
    } finally {
      await admin.end();
    }
  };

  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-metrics-'));
    const tokenFile = path.join(folder, 'metrics-token');
    await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    // A dashboard of one page: the SPA fallback must not answer /metrics with it.
    await writeFile(path.join(folder, 'index.html'), '<!doctype html><title>dashboard</title>');
    pool = await startTestPool({
      HASHWATT_METRICS_PORT: '0',
      HASHWATT_METRICS_TOKEN_FILE: tokenFile,
      HASHWATT_API_DASHBOARD_DIR: folder,
    });
    metricsUrl = `http://127.0.0.1:${String(pool.metricsPort)}`;
    apiUrl = `http://127.0.0.1:${String(pool.apiPort)}`;
    const { rows } = await pool.db.query<{ name: string }>('SELECT current_database() AS name');
    databaseName = rows[0]?.name ?? '';
  });

  afterAll(async () => {
    for (const miner of miners) {
      miner.close();
    }
    await databaseConnections(true);
    await pool.stop();
    await rm(folder, { recursive: true, force: true });
  });

  it('counts what the Stratum thread saw: connections, shares accepted and refused by reason, replies, blocks', async () => {
    for (const rig of ['rig1', 'rig2']) {
      const miner = await StratumClient.connect(pool.stratumPort);
      miners.push(miner);
      await miner.subscribeAndAuthorize(`${MINER_ADDRESS}.${rig}`, `d=${String(DIFFICULTY)}`);
    }
    const [miner] = miners;
    if (!miner) {
      throw new Error('no miner');
    }
    const worker = `${MINER_ADDRESS}.rig1`;
    for (let share = 0; share < ACCEPTED; share++) {
      const reply = await miner.mineAndSubmit(worker, { extranonce2: share.toString(16).padStart(16, '0') });
      expect(reply.result).toBe(true);
    }
    // The same share again: refused as a duplicate.
    const again = await miner.mineAndSubmit(worker, { extranonce2: '0'.repeat(16) });
    expect(again.result).not.toBe(true);

    const samples = await scrape();
    const node = { node: '0' };
    expect(valueOf(samples, 'hashwatt_stratum_shares_accepted_total', node)).toBe(ACCEPTED);
    expect(valueOf(samples, 'hashwatt_stratum_shares_rejected_total', { ...node, reason: 'duplicate' })).toBe(
      1,
    );
    expect(valueOf(samples, 'hashwatt_stratum_connections', node)).toBe(2);
    expect(valueOf(samples, 'hashwatt_stratum_accepted_difficulty_total', node)).toBeCloseTo(
      ACCEPTED * DIFFICULTY,
      12,
    );
    // Every answered share waited for its reply; the accepted ones by the difficulty they were credited at.
    expect(valueOf(samples, 'hashwatt_stratum_reply_duration_seconds_count', node)).toBe(ACCEPTED + 1);
    expect(valueOf(samples, 'hashwatt_stratum_share_difficulty_bucket', { ...node, le: '0.000001' })).toBe(
      ACCEPTED,
    );
    expect(valueOf(samples, 'hashwatt_stratum_share_difficulty_count', node)).toBe(ACCEPTED);
    expect(valueOf(samples, 'hashwatt_stratum_template_age_seconds', node)).toBeGreaterThanOrEqual(0);
    expect(valueOf(samples, 'hashwatt_stratum_job_age_seconds', node)).toBeGreaterThanOrEqual(0);
    // The Stratum thread's own CPU: its start-up alone (modules, the first job) takes more than a 10 ms tick.
    expect(valueOf(samples, 'hashwatt_stratum_thread_cpu_seconds_total', node)).toBeGreaterThan(0);
    // The devchain's difficulty is far above the shares': no block.
    expect(valueOf(samples, 'hashwatt_blocks_found_total', node)).toBe(0);
    // The database pool, the journal on disk; no NATS, no TimescaleDB here: their series are absent, not zero.
    expect(valueOf(samples, 'hashwatt_db_pool_connections')).toBeGreaterThan(0);
    expect(valueOf(samples, 'hashwatt_journal_files', node)).toBeGreaterThanOrEqual(0);
    expect(valueOf(samples, 'hashwatt_nats_stream_messages')).toBeUndefined();
    expect(valueOf(samples, 'hashwatt_timescaledb_failing_jobs')).toBeUndefined();
    expect(valueOf(samples, 'hashwatt_metrics_source_up', { source: 'stratum' })).toBe(1);

    // Every acknowledged share reaches the database: stored catches up with accepted.
    await eventually(async () => {
      const stored = valueOf(await scrape(), 'hashwatt_ledger_shares_stored_total', node);
      return stored === ACCEPTED ? stored : undefined;
    }, 'the accepted shares stored');
    // The refusal is stored with its kind, through the journal, for the miner's page.
    const refused = await eventually(async () => {
      const { rows } = await pool.db.query<{ rejected: number; duplicate: number }>(
        `SELECT sum(rejected)::int AS rejected, sum(duplicate)::int AS duplicate
           FROM (SELECT rejected, duplicate FROM share_rollups_minute
                 UNION ALL SELECT rejected, duplicate FROM share_rollup_deltas) r`,
      );
      return rows[0]?.rejected === 1 ? rows[0] : undefined;
    }, 'the duplicate stored');
    expect(refused).toEqual({ rejected: 1, duplicate: 1 });
  });

  it('times API requests by route template, and counts refused agent batches by status', async () => {
    const miner = await fetch(`${apiUrl}/api/miners/${MINER_ADDRESS}`);
    expect(miner.status).toBe(200);
    const unsigned = await fetch(`${apiUrl}/api/agent/telemetry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(unsigned.status).toBe(401);
    const samples = await scrape();
    const series = samples.filter((sample) => sample.name === 'hashwatt_api_request_duration_seconds_count');
    expect(
      valueOf(samples, 'hashwatt_api_request_duration_seconds_count', {
        method: 'GET',
        route: '/api/miners/:account',
        status: '200',
      }),
    ).toBe(1);
    // The template, never the address the client sent: one series per route.
    expect(series.some((sample) => sample.labels.route?.includes(MINER_ADDRESS))).toBe(false);
    expect(
      valueOf(samples, 'hashwatt_agent_telemetry_batches_total', { result: 'refused', status: '401' }),
    ).toBe(1);
  });

  it('refuses a scrape without the token, and /metrics on the API is a 404, not the dashboard', async () => {
    const without = await fetch(`${metricsUrl}/metrics`);
    expect(without.status).toBe(401);
    expect(without.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await without.json()) as { error: string }).error).toBe('HW_ERR_UNAUTHENTICATED');
    const wrong = await fetch(`${metricsUrl}/metrics`, {
      headers: { authorization: 'Bearer not-the-token' },
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('hashwatt_');

    const onApi = await fetch(`${apiUrl}/metrics`);
    expect(onApi.status).toBe(404);
    expect(onApi.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await onApi.json()) as { message: string }).message).toMatch(/metrics\.port/);
    // Any other page is still the dashboard's.
    expect(await (await fetch(`${apiUrl}/farms/7`)).text()).toContain('<title>dashboard</title>');
  });

  it('answers /healthz while alive and /readyz 503 while the database refuses connections', async () => {
    for (const base of [apiUrl, metricsUrl]) {
      const alive = await fetch(`${base}/healthz`);
      expect(alive.status).toBe(200);
      expect(await alive.json()).toEqual({ status: 'alive' });
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'ready',
        database: { reachable: true },
        node: { reachable: true },
        nats: null,
        journals: [
          { journal: 'blocks', nodeId: 0, writable: true },
          { journal: 'shares', nodeId: 0, writable: true },
        ],
      });
    }

    await databaseConnections(false);
    for (const base of [apiUrl, metricsUrl]) {
      const notReady = await fetch(`${base}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toMatchObject({
        status: 'not-ready',
        database: { reachable: false },
        node: { reachable: true },
      });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    }
    const health = (await (await fetch(`${apiUrl}/api/health`)).json()) as { status: string };
    expect(health.status).toBe('degraded');

    await databaseConnections(true);
    await eventually(
      async () => ((await fetch(`${metricsUrl}/readyz`)).status === 200 ? true : undefined),
      'ready again once the database takes connections',
    );
  });
});

/**
 * Starts: the HTTP API on a real PostgreSQL database. The pool's first share came ten
 * hours ago; its running record begins six hours ago: node 0 ran two hours and stopped
 * cleanly, the pool was down two hours (one share still came in them, from a node that
 * kept no record), node 1 ran and died without stopping half an hour ago, and node 0 runs
 * again since five minutes ago. A bucket without shares reads 0 while the pool ran, null
 * while it was down, and 0 before the record began (the former rule).
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashrateChart } from '../../src/ledger/hashrate.ts';
import { keepPoolUptime, UPTIME_MARK_MS, UptimeSpanWriter } from '../../src/ledger/pool-uptime.ts';
import { ShareStore, type ShareRecord } from '../../src/ledger/share-store.ts';
import { startTestApi, type TestApi } from '../helpers/api.ts';
import { eventually } from '../helpers/eventually.ts';
import {
  bucketOf,
  CHART_NOW,
  chartShare,
  fetchChart,
  hashrateByTime,
  HOUR,
  MINUTE,
  QUARTER,
  SHARE_DIFFICULTY,
} from '../helpers/hashrate-chart.ts';

const NOW = CHART_NOW;
const POOL_FIRST = NOW - 10 * HOUR;
/** Node 0's first run, stopped cleanly; node 1's run, its last mark; node 0 again. */
const FIRST_RUN = { fromMs: NOW - 6 * HOUR, toMs: NOW - 4 * HOUR };
const CRASHED_RUN = { fromMs: NOW - 2 * HOUR, lastMarkMs: NOW - 30 * MINUTE };
const RUNNING_SINCE = NOW - 5 * MINUTE;
/** A share while no node with the database ran. */
const WHILE_DOWN = NOW - 3.5 * HOUR;

const share = (timeMs: number): ShareRecord => chartShare('early', timeMs);

const quietLog = pino({ level: 'silent' });

describe('charts read when the pool was running', () => {
  let api: TestApi;

  const chart = async (url: string): Promise<Map<number, number | null>> =>
    hashrateByTime((await fetchChart(api, url)).points);

  beforeAll(async () => {
    api = await startTestApi();
    api.clock.ms = NOW;
    const db = api.database.db;
    await new ShareStore(db).store({
      id: '00000000-0000-4000-8000-0000000a7e11',
      nodeId: 0,
      shares: [share(POOL_FIRST), share(WHILE_DOWN)],
      rejects: [],
    });
    const first = new UptimeSpanWriter(db, 0, FIRST_RUN.fromMs);
    await first.mark(FIRST_RUN.fromMs + MINUTE);
    await first.stop(FIRST_RUN.toMs);
    await new UptimeSpanWriter(db, 1, CRASHED_RUN.fromMs).mark(CRASHED_RUN.lastMarkMs);
    await new UptimeSpanWriter(db, 0, RUNNING_SINCE).mark(NOW - 20_000);
  });
  afterAll(async () => {
    await api.close();
  });

  it("the pool's chart: 0 while it ran, null while it was down, 0 before its record began", async () => {
    const points = await chart('/api/pool/hashrate?range=day');
    const measured = (SHARE_DIFFICULTY * 2 ** 32) / 900;
    expect(points.get(bucketOf(POOL_FIRST, QUARTER) - QUARTER)).toBeNull();
    expect(points.get(bucketOf(POOL_FIRST, QUARTER))).toBe(measured);
    // After the first share, before any span: the former rule.
    expect(points.get(bucketOf(NOW - 8 * HOUR, QUARTER))).toBe(0);
    expect(points.get(bucketOf(FIRST_RUN.fromMs, QUARTER))).toBe(0);
    expect(points.get(bucketOf(NOW - 5 * HOUR, QUARTER))).toBe(0);
    // The clean stop's bucket ran; the next did not.
    expect(points.get(bucketOf(FIRST_RUN.toMs, QUARTER))).toBe(0);
    expect(points.get(bucketOf(FIRST_RUN.toMs, QUARTER) + QUARTER)).toBeNull();
    expect(points.get(bucketOf(NOW - 3 * HOUR, QUARTER))).toBeNull();
    // Shares are measured whatever the record says.
    expect(points.get(bucketOf(WHILE_DOWN, QUARTER))).toBe(measured);
    expect(points.get(bucketOf(NOW - HOUR, QUARTER))).toBe(0);
    expect(points.get(bucketOf(CRASHED_RUN.lastMarkMs, QUARTER))).toBe(0);
    expect(points.get(bucketOf(NOW - 15 * MINUTE, QUARTER))).toBeNull();
    expect(points.get(bucketOf(NOW, QUARTER))).toBe(0);
  });

  it("an account's chart: null while the pool was down, though it had shares before", async () => {
    const points = await chart('/api/miners/early/hashrate?range=day');
    expect(points.get(bucketOf(NOW - 3 * HOUR, QUARTER))).toBeNull();
    expect(points.get(bucketOf(NOW - 5 * HOUR, QUARTER))).toBe(0);
    expect(points.get(bucketOf(NOW - 8 * HOUR, QUARTER))).toBe(0);
  });

  it('a node that died is taken to have run one minute past its last mark, no longer', async () => {
    const points = await hashrateChart(
      api.database.db,
      { kind: 'pool' },
      {
        fromMs: CRASHED_RUN.lastMarkMs - MINUTE,
        toMs: CRASHED_RUN.lastMarkMs + 3 * MINUTE,
        bucketSeconds: 60,
      },
    );
    expect(points.map((point) => point.hashrate)).toEqual([0, 0, 0, null, null]);
  });
});

describe("the Stratum role's running record", () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    vi.useRealTimers();
    await api.close();
  });

  const span = async (
    nodeId: number,
  ): Promise<{ started: number; lastSeen: number; stopped: boolean } | undefined> => {
    const { rows } = await api.database.db.query<{ started_at: Date; last_seen: Date; stopped: boolean }>(
      'SELECT started_at, last_seen, stopped FROM pool_uptime WHERE node_id = $1',
      [nodeId],
    );
    expect(rows.length).toBeLessThanOrEqual(1);
    const row = rows[0];
    return (
      row && { started: row.started_at.getTime(), lastSeen: row.last_seen.getTime(), stopped: row.stopped }
    );
  };

  it('opens a span at start, extends it each minute and closes it at a clean stop', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const clock = { ms: NOW };
    const uptime = await keepPoolUptime(api.database.db, 3, quietLog, () => clock.ms);
    expect(await span(3)).toEqual({ started: NOW, lastSeen: NOW, stopped: false });
    clock.ms = NOW + UPTIME_MARK_MS;
    vi.advanceTimersByTime(UPTIME_MARK_MS);
    await eventually(
      async () => ((await span(3))?.lastSeen === NOW + UPTIME_MARK_MS ? true : undefined),
      'the minute mark',
    );
    expect((await span(3))?.stopped).toBe(false);
    clock.ms = NOW + UPTIME_MARK_MS + 12_345;
    await uptime.stop();
    expect(await span(3)).toEqual({ started: NOW, lastSeen: NOW + UPTIME_MARK_MS + 12_345, stopped: true });
  });

  it('prunes spans past the minute rollups’ retention when a run starts', async () => {
    const db = api.database.db;
    await new UptimeSpanWriter(db, 4, NOW - 500 * 24 * HOUR).stop(NOW - 499 * 24 * HOUR);
    await new UptimeSpanWriter(db, 5, NOW - 300 * 24 * HOUR).stop(NOW - 299 * 24 * HOUR);
    const uptime = await keepPoolUptime(db, 6, quietLog, () => NOW);
    await uptime.stop();
    expect(await span(4)).toBeUndefined();
    expect((await span(5))?.stopped).toBe(true);
  });

  it('a database away at start is logged, and the pool keeps running', async () => {
    const lines: string[] = [];
    const log = pino(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    await api.database.db.query('ALTER TABLE pool_uptime RENAME TO pool_uptime_away');
    try {
      const uptime = await keepPoolUptime(api.database.db, 8, log, () => NOW);
      await uptime.stop();
    } finally {
      await api.database.db.query('ALTER TABLE pool_uptime_away RENAME TO pool_uptime');
    }
    expect(lines.some((line) => line.includes('pool uptime'))).toBe(true);
    expect(await span(8)).toBeUndefined();
  });
});

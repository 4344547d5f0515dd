/**
 * Starts: the HTTP API on a real PostgreSQL database. The pool's first share comes from
 * one account ten hours ago; another account sends its first share three hours ago and
 * one more an hour ago. The pool's and the accounts' charts must give null (not measured)
 * before the scope's first accepted share and 0 after it where no share came, from the
 * minute rollups and, once folded, from the hourly ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HashrateChart } from '@hashwatt/schemas';
import { firstShareMs } from '../../src/ledger/hashrate.ts';
import { foldRollups } from '../../src/ledger/rollups.ts';
import { ShareStore } from '../../src/ledger/share-store.ts';
import { startTestApi, type TestApi } from '../helpers/api.ts';
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
/** The pool's first share, from `early`; `late`'s first, then its second. */
const POOL_FIRST = NOW - 10 * HOUR;
const LATE_FIRST = NOW - 3 * HOUR;
const LATE_SECOND = NOW - HOUR;

describe("the pool's and an account's hashrate charts", () => {
  let api: TestApi;

  const chart = (url: string): Promise<HashrateChart> => fetchChart(api, url);
  const byTime = hashrateByTime;

  beforeAll(async () => {
    api = await startTestApi();
    api.clock.ms = NOW;
    await new ShareStore(api.database.db).store({
      id: '00000000-0000-4000-8000-00000000c4a7',
      nodeId: 0,
      shares: [
        chartShare('early', POOL_FIRST),
        chartShare('late', LATE_FIRST),
        chartShare('late', LATE_SECOND),
      ],
      rejects: [],
    });
  });
  afterAll(async () => {
    await api.close();
  });

  it('the pool: null before the first share it ever stored, 0 after it where none came', async () => {
    const day = await chart('/api/pool/hashrate?range=day');
    expect(day.bucketSeconds).toBe(900);
    const points = byTime(day.points);
    const measured = (SHARE_DIFFICULTY * 2 ** 32) / 900;
    expect(points.get(bucketOf(POOL_FIRST, QUARTER) - QUARTER)).toBeNull();
    expect(points.get(bucketOf(NOW - 20 * HOUR, QUARTER))).toBeNull();
    expect(points.get(bucketOf(POOL_FIRST, QUARTER))).toBe(measured);
    expect(points.get(bucketOf(POOL_FIRST, QUARTER) + QUARTER)).toBe(0);
    expect(points.get(bucketOf(LATE_FIRST, QUARTER) - QUARTER)).toBe(0);
    expect(points.get(bucketOf(LATE_FIRST, QUARTER))).toBe(measured);
    // Before its first share every point is null, and only then; share counts stay numbers.
    const nulls = day.points.filter((point) => point.hashrate === null);
    expect(nulls.length).toBe((bucketOf(POOL_FIRST, QUARTER) - bucketOf(NOW - 24 * HOUR, QUARTER)) / QUARTER);
    expect(nulls.every((point) => Date.parse(point.time) < POOL_FIRST && point.accepted === 0)).toBe(true);
  });

  it('an account: null before its own first share, though the pool was measuring; 0 after', async () => {
    const points = byTime((await chart('/api/miners/late/hashrate?range=day')).points);
    expect(points.get(bucketOf(POOL_FIRST, QUARTER))).toBeNull();
    expect(points.get(bucketOf(LATE_FIRST, QUARTER) - QUARTER)).toBeNull();
    expect(points.get(bucketOf(LATE_FIRST, QUARTER))).toBe((SHARE_DIFFICULTY * 2 ** 32) / 900);
    expect(points.get(bucketOf(LATE_FIRST, QUARTER) + QUARTER)).toBe(0);
    expect(points.get(bucketOf(LATE_SECOND, QUARTER) - QUARTER)).toBe(0);
  });

  it('reads the same rule from the hourly rollups once the increments are folded', async () => {
    await foldRollups(api.database.db);
    const week = await chart('/api/miners/late/hashrate?range=week');
    expect(week.bucketSeconds).toBe(3_600);
    const points = byTime(week.points);
    expect(points.get(bucketOf(LATE_FIRST, HOUR) - HOUR)).toBeNull();
    expect(points.get(bucketOf(LATE_FIRST, HOUR))).toBe((SHARE_DIFFICULTY * 2 ** 32) / 3_600);
    expect(points.get(bucketOf(LATE_FIRST, HOUR) + HOUR)).toBe(0);
    const pool = byTime((await chart('/api/pool/hashrate?range=week')).points);
    expect(pool.get(bucketOf(POOL_FIRST, HOUR) - HOUR)).toBeNull();
    expect(pool.get(bucketOf(POOL_FIRST, HOUR) + HOUR)).toBe(0);
  });

  it("takes the first share's hour once its minutes have passed their retention", async () => {
    const late = { kind: 'account', account: 'late' } as const;
    expect(await firstShareMs(api.database.db, late)).toBe(bucketOf(LATE_FIRST, MINUTE));
    await api.database.db.query(
      "DELETE FROM share_rollups_minute WHERE account_id = (SELECT id FROM accounts WHERE name = 'late') AND bucket < $1",
      [new Date(LATE_SECOND)],
    );
    expect(await firstShareMs(api.database.db, late)).toBe(bucketOf(LATE_FIRST, HOUR));
    expect(await firstShareMs(api.database.db, { kind: 'account', account: 'nobody' })).toBeNull();
  });

  it('an account with no share yet is not a miner the pool knows: no chart of zeros', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/api/miners/nobody/hashrate' });
    expect(response.statusCode).toBe(404);
  });
});

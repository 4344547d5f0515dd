/**
 * What the chart tests share: a clock off any bucket's edge, a share of a known
 * difficulty, and a chart fetched through the API as each bucket's hashrate by its start.
 */
import { expect } from 'vitest';
import type { HashrateChart } from '@hashwatt/schemas';
import type { ShareRecord } from '../../src/ledger/share-store.ts';
import type { TestApi } from './api.ts';
import { ORDINARY_SHARE } from './share-writer.ts';

/** Not on a bucket's edge. */
export const CHART_NOW = Date.UTC(2026, 11, 7, 12, 7, 30);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const QUARTER = 15 * MINUTE;
export const SHARE_DIFFICULTY = 1_000_000;

export const bucketOf = (atMs: number, bucketMs: number): number => atMs - (atMs % bucketMs);

/** An accepted share of SHARE_DIFFICULTY from the account's rig1 at `timeMs`. */
export function chartShare(account: string, timeMs: number): ShareRecord {
  return {
    timeMs,
    account,
    worker: `${account}.rig1`,
    payoutAddress: null,
    difficulty: SHARE_DIFFICULTY,
    achieved: SHARE_DIFFICULTY * 2,
    ...ORDINARY_SHARE,
  };
}

/** The chart at `url`, answered 200. */
export async function fetchChart(api: TestApi, url: string): Promise<HashrateChart> {
  const response = await api.app.inject({ method: 'GET', url });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<HashrateChart>();
}

/** Each bucket's hashrate, by bucket start. */
export const hashrateByTime = (points: HashrateChart['points']): Map<number, number | null> =>
  new Map(points.map((point) => [Date.parse(point.time), point.hashrate]));

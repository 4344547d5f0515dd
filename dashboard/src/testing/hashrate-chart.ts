import type { HashrateChart } from '@hashwatt/schemas';
import { expect, vi } from 'vitest';
import { hover, legendText, plotOf } from './uplot-stand-in.ts';

/** Buckets of `bucketMs` from `startMs`, each a hashrate and its accepted shares, none refused. */
export function chartPoints(
  startMs: number,
  bucketMs: number,
  buckets: readonly (readonly [hashrate: number | null, accepted: number])[],
): HashrateChart['points'] {
  return buckets.map(([hashrate, accepted], index) => ({
    time: new Date(startMs + index * bucketMs).toISOString(),
    hashrate,
    accepted,
    rejected: 0,
    stale: 0,
  }));
}

/**
 * A pool's or an account's chart as the API gives it: not measured before the first
 * share, the first share's work, then a bucket where none came, a measured 0.
 */
export const HASHRATE_CHART: HashrateChart = {
  bucketSeconds: 900,
  points: chartPoints(Date.UTC(2026, 11, 6, 8), 900_000, [
    [null, 0],
    [null, 0],
    [5e12, 1],
    [0, 0],
  ]),
};

/**
 * Holds that the page's chart of HASHRATE_CHART, its line labelled `label`, draws a null as
 * a gap that the legend reads "no reading", never a drop to 0, and a measured 0 as 0.
 */
export async function expectNullAsGap(label: string): Promise<void> {
  await vi.waitFor(() => {
    expect(plotOf(label)).toBeDefined();
  });
  const plot = plotOf(label);
  expect(plot?.data[1]).toEqual([null, null, 5e12, 0]);
  expect(plot?.options.series[1]?.spanGaps).not.toBe(true);
  expect(legendText()).toContain(`${label}: 0.00 H/s`);
  hover(plot, 0);
  expect(legendText()).toContain(`${label}: no reading`);
  hover(plot, 2);
  expect(legendText()).toContain(`${label}: 5.00 TH/s`);
}

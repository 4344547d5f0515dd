import type { WorkerSeries } from '@hashwatt/schemas';
import { screen } from '@testing-library/react';
import { Route } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { chartPoints } from '../../../testing/hashrate-chart.ts';
import { renderAt } from '../../../testing/render-at.tsx';
import { stubResizeObserver } from '../../../testing/resize-observer.ts';
import { stubApi } from '../../../testing/stub-api.ts';
import { hover, legendText, plotOf, plots } from '../../../testing/uplot-stand-in.ts';
import { WorkerHistory } from './worker-history.tsx';

// uPlot draws on a canvas jsdom lacks: the stand-in keeps what the chart gives it to draw.
vi.mock('uplot', () => import('../../../testing/uplot-stand-in.ts'));

const HOUR = 3_600_000;
const START = Date.UTC(2026, 11, 6, 8);

/** Not measured before its first share, a measured 0 while connected with nothing found, then work. */
const SERIES: WorkerSeries = {
  account: 'acct',
  worker: 'acct.rig1',
  range: '24h',
  from: new Date(START).toISOString(),
  to: new Date(START + 4 * HOUR).toISOString(),
  bucketSeconds: 3_600,
  points: chartPoints(START, HOUR, [
    [null, 0],
    [null, 0],
    [0, 0],
    [5e12, 3],
  ]),
};

describe("a worker's history chart", () => {
  setupComponentTests();
  afterEach(() => {
    plots.length = 0;
  });

  it('draws a bucket the pool did not measure as a gap, not a drop to 0, and a measured 0 as 0', async () => {
    stubResizeObserver();
    stubApi({ 'GET ^/miners/acct/workers/acct.rig1/series': { body: SERIES } });
    renderAt('/w', <Route path="/w" element={<WorkerHistory account="acct" worker="acct.rig1" />} />);
    await vi.waitFor(() => {
      expect(plots).toHaveLength(2);
    });
    const hashrate = plotOf('Hashrate (pool)');
    expect(hashrate?.data[1]).toEqual([null, null, 0, 5e12]);
    expect(hashrate?.options.series[1]?.spanGaps).not.toBe(true);
    expect(legendText()).toContain('Hashrate (pool): 5.00 TH/s');
    hover(hashrate, 0);
    expect(legendText()).toContain('Hashrate (pool): no reading');
    hover(hashrate, 2);
    expect(legendText()).toContain('Hashrate (pool): 0.00 H/s');
    expect(await screen.findByText('Shares')).toBeTruthy();
  });
});

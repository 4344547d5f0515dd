import type { WorkerSeries } from '@hashwatt/schemas';
import { act, screen } from '@testing-library/react';
import { Route } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { renderAt } from '../../../testing/render-at.tsx';
import { stubResizeObserver } from '../../../testing/resize-observer.ts';
import { stubApi } from '../../../testing/stub-api.ts';
import { WorkerHistory } from './worker-history.tsx';

interface PlotMade {
  readonly options: {
    readonly series: readonly { readonly label?: string; readonly spanGaps?: boolean }[];
    readonly hooks: { readonly setCursor: readonly ((chart: { cursor: { idx: number | null } }) => void)[] };
  };
  readonly data: readonly (readonly (number | null)[])[];
}

const plots = vi.hoisted((): PlotMade[] => []);

// uPlot draws on a canvas jsdom lacks: a stand-in keeps what the chart gives it to draw.
// uPlot leaves a gap where a value is null unless a series spans gaps (its spanGaps).
vi.mock('uplot', () => ({
  default: class {
    constructor(options: PlotMade['options'], data: PlotMade['data']) {
      plots.push({ options, data });
    }
    setSize = vi.fn();
    destroy = vi.fn();
  },
}));

const HOUR = 3_600_000;
const START = Date.UTC(2026, 11, 6, 8);
const point = (index: number, hashrate: number | null, accepted: number) => ({
  time: new Date(START + index * HOUR).toISOString(),
  hashrate,
  accepted,
  rejected: 0,
  stale: 0,
});

/** Not measured before its first share, a measured 0 while connected with nothing found, then work. */
const SERIES: WorkerSeries = {
  account: 'acct',
  worker: 'acct.rig1',
  range: '24h',
  from: new Date(START).toISOString(),
  to: new Date(START + 4 * HOUR).toISOString(),
  bucketSeconds: 3_600,
  points: [point(0, null, 0), point(1, null, 0), point(2, 0, 0), point(3, 5e12, 3)],
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
    const hashrate = plots.find((plot) => plot.options.series[1]?.label === 'Hashrate (pool)');
    expect(hashrate?.data[1]).toEqual([null, null, 0, 5e12]);
    expect(hashrate?.options.series[1]?.spanGaps).not.toBe(true);
    const legend = (): string => document.querySelectorAll('.chart-legend')[0]?.textContent ?? '';
    expect(legend()).toContain('Hashrate (pool): 5.00 TH/s');
    const hover = (idx: number): void => {
      act(() => {
        hashrate?.options.hooks.setCursor[0]?.({ cursor: { idx } });
      });
    };
    hover(0);
    expect(legend()).toContain('Hashrate (pool): no reading');
    hover(2);
    expect(legend()).toContain('Hashrate (pool): 0.00 H/s');
    expect(await screen.findByText('Shares')).toBeTruthy();
  });
});

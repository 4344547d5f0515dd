import type { PoolSummary } from '@hashwatt/schemas';
import { Route } from 'react-router';
import { afterEach, describe, it, vi } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { expectNullAsGap, HASHRATE_CHART } from '../../../testing/hashrate-chart.ts';
import { renderAt } from '../../../testing/render-at.tsx';
import { stubResizeObserver } from '../../../testing/resize-observer.ts';
import { stubApi } from '../../../testing/stub-api.ts';
import { plots } from '../../../testing/uplot-stand-in.ts';
import { PoolOverview } from './pool-overview.tsx';

// uPlot draws on a canvas jsdom lacks: the stand-in keeps what the chart gives it to draw.
vi.mock('uplot', () => import('../../../testing/uplot-stand-in.ts'));

/** A young pool's summary: the chart is what this test is about. */
const POOL: PoolSummary = {
  hashrate: { tenMinutes: 0, oneHour: 5e12, oneDay: 5e12 },
  miners: 1,
  workers: 1,
  network: { chain: 'regtest', height: 120, difficulty: 1, hashrate: 7_158_278 },
  fee: { scheme: 'pplns', percent: 1, soloPercent: 0.5 },
  payouts: { thresholdSats: 1_000_000, maturityConfirmations: 100 },
  lastBlocks: [],
  updatedAt: '2026-12-06T09:00:00.000Z',
};

describe("the pool's hashrate chart", () => {
  setupComponentTests();
  afterEach(() => {
    plots.length = 0;
  });

  it("draws a bucket before the pool's first share as a gap, not a drop to 0, and a measured 0 as 0", async () => {
    stubResizeObserver();
    stubApi({ 'GET ^/pool$': { body: POOL }, 'GET ^/pool/hashrate': { body: HASHRATE_CHART } });
    renderAt('/', <Route path="/" element={<PoolOverview />} />);
    await expectNullAsGap('Hashrate');
  });
});

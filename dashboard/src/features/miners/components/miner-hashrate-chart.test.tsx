import { Route } from 'react-router';
import { afterEach, describe, it, vi } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { minerFixture } from '../../../testing/fixtures.ts';
import { expectNullAsGap, HASHRATE_CHART } from '../../../testing/hashrate-chart.ts';
import { renderAt } from '../../../testing/render-at.tsx';
import { stubResizeObserver } from '../../../testing/resize-observer.ts';
import { stubApi } from '../../../testing/stub-api.ts';
import { plots } from '../../../testing/uplot-stand-in.ts';
import { MinerPage } from './miner-page.tsx';

// uPlot draws on a canvas jsdom lacks: the stand-in keeps what the chart gives it to draw.
vi.mock('uplot', () => import('../../../testing/uplot-stand-in.ts'));

/** An account an hour on the pool: the chart is what this test is about. */
const MINER = minerFixture({ account: 'newcomer', hashrate: { tenMinutes: 0, oneHour: 5e12, oneDay: 5e12 } });

describe("a miner's hashrate chart", () => {
  setupComponentTests();
  afterEach(() => {
    plots.length = 0;
  });

  it("draws a bucket before the account's first share as a gap, not a drop to 0, and a measured 0 as 0", async () => {
    stubResizeObserver();
    stubApi({
      'GET ^/miners/newcomer$': { body: MINER },
      'GET ^/miners/newcomer/hashrate': { body: HASHRATE_CHART },
    });
    renderAt('/miners/newcomer', <Route path="/miners/:account?" element={<MinerPage />} />);
    await expectNullAsGap('Hashrate');
  });
});

import type { PoolSummary } from '@hashwatt/schemas';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen } from '@testing-library/react';
import i18next from 'i18next';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { PoolOverview } from './pool-overview.tsx';

// uPlot draws on a canvas jsdom does not have; the chart's own behaviour is checked in Chromium.
vi.mock('../../../components/ui/time-chart.tsx', () => ({
  TimeChart: ({ title, times }: { title: string; times: readonly number[] }) => (
    <div role="img" aria-label={title}>
      {times.length}
    </div>
  ),
}));

/** An answer of GET /api/pool as the API gives it (the shape is PoolSummary's). */
const POOL: PoolSummary = {
  hashrate: { tenMinutes: 1.234e15, oneHour: 1.2e15, oneDay: 1.1e15 },
  miners: 1_234,
  workers: 5_678,
  network: { chain: 'main', height: 933_586, difficulty: 141_668_107_417_558, hashrate: 1.014e21 },
  fee: { scheme: 'pplns', percent: 1, soloPercent: 0.5 },
  payouts: { thresholdSats: 1_000_000, maturityConfirmations: 100 },
  lastBlocks: [
    {
      height: 933_500,
      hash: '0'.repeat(64),
      reward: 315_000_000,
      fees: 2_500_000,
      finder: 'bc1qexample',
      worker: 'rig1',
      effort: 0.87,
      scheme: 'pplns',
      status: 'confirmed',
      confirmations: 86,
      foundAt: '2026-10-01T08:00:00.000Z',
    },
  ],
  updatedAt: '2026-10-01T09:00:00.000Z',
};

/** The one EventSource the page opens: the test sends it events as the API would. */
class FakeEventSource {
  static last: FakeEventSource | undefined;
  readonly listeners = new Map<string, (message: MessageEvent<string>) => void>();
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(event: string, listener: (message: MessageEvent<string>) => void): void {
    this.listeners.set(event, listener);
  }
  close(): void {
    this.listeners.clear();
  }
  emit(event: string, data: unknown): void {
    this.listeners.get(event)?.(new MessageEvent(event, { data: JSON.stringify(data) }));
  }
}

function page() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <PoolOverview />
    </QueryClientProvider>,
  );
}

describe('the pool overview', () => {
  setupComponentTests();
  beforeEach(() => {
    vi.stubGlobal('EventSource', FakeEventSource);
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string) => {
        const body = url.startsWith('/api/pool/hashrate') ? { bucketSeconds: 600, points: [] } : POOL;
        return Promise.resolve(
          new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }),
        );
      }),
    );
  });

  it('shows the pool, the network and the last blocks', async () => {
    page();
    expect(await screen.findByText('1.23 PH/s')).toBeDefined();
    expect(screen.getByText('1,234')).toBeDefined();
    expect(screen.getByText('933,586')).toBeDefined();
    expect(screen.getByText('PPLNS · 1%')).toBeDefined();
    expect(screen.getByText('Confirmed')).toBeDefined();
    expect(screen.getByText('3.15000000 BTC')).toBeDefined();
  });

  it('updates hashrate and miners as live events arrive, without a reload', async () => {
    page();
    await screen.findByText('1.23 PH/s');
    expect(FakeEventSource.last?.url).toBe('/api/live');
    act(() => {
      FakeEventSource.last?.onopen?.();
      FakeEventSource.last?.emit('pool', {
        hashrate: { tenMinutes: 2.5e15, oneHour: 1.2e15, oneDay: 1.1e15 },
        miners: 1_300,
        workers: 5_700,
      });
    });
    expect(await screen.findByText('2.50 PH/s')).toBeDefined();
    expect(screen.getByText('1,300')).toBeDefined();
    expect(screen.getByText('Live')).toBeDefined();
  });

  it('speaks Persian with Persian digits, and the page turns right to left', async () => {
    await i18next.changeLanguage('fa');
    page();
    expect(await screen.findByText('۱٫۲۳ PH/s')).toBeDefined();
    expect(screen.getByText('۹۳۳٬۵۸۶')).toBeDefined();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toContain('استخر');
    expect(document.documentElement.dir).toBe('rtl');
  });
});

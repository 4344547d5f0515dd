import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import i18next from 'i18next';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { stubResizeObserver } from '../../../testing/resize-observer.ts';
import { farmSeriesFixture } from '../../../testing/fixtures.ts';
import { FarmHistory } from './farm-history.tsx';

const TIMES = ['2026-12-07T11:00:00.000Z', '2026-12-07T11:05:00.000Z'];
const REASON = '10.0.9.7:4059 (dlms): the association: authentication failure: wrong password';

/** GET /api/farms/7/series with a span in which meter tp-1's reads failed: no meter power there. */
const FARM = farmSeriesFixture(TIMES, '2026-12-07T11:07:30.000Z', [
  {
    kind: 'meter-read-failed',
    id: '4:2026-12-07T11:00:00.000Z',
    from: TIMES[0] ?? '',
    to: TIMES[1] ?? '',
    class: null,
    meter: 'tp-1',
    reason: REASON,
  },
]);

function renderHistory() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <FarmHistory farmId="7" />
    </QueryClientProvider>,
  );
}

describe("a farm's history where a meter's reads failed", () => {
  setupComponentTests();
  beforeEach(() => {
    stubResizeObserver();
    vi.stubGlobal(
      'fetch',
      vi.fn(() =>
        Promise.resolve(
          new Response(JSON.stringify(FARM), { headers: { 'content-type': 'application/json' } }),
        ),
      ),
    );
  });

  it('names the span: the meter unknown, its read failed, and why', async () => {
    renderHistory();
    expect(await screen.findByText('Energy per 5 min')).toBeTruthy();
    expect(document.body.textContent).toContain(`Meter tp-1 unknown: read failed (${REASON})`);
  });

  it('in Persian and Russian, the reason kept in the agent’s words', async () => {
    await i18next.changeLanguage('fa');
    renderHistory();
    expect(await screen.findByText('انرژی در هر ۵ دقیقه')).toBeTruthy();
    expect(document.body.textContent).toContain(`کنتور tp-1 نامعلوم: قرائت ناموفق (${REASON})`);
    cleanup();
    await i18next.changeLanguage('ru');
    renderHistory();
    expect(await screen.findByText('Энергия за 5 мин')).toBeTruthy();
    expect(document.body.textContent).toContain(`Счётчик tp-1: неизвестно, чтение не удалось (${REASON})`);
  });
});

import type { DeviceSeries } from '@hashwatt/schemas';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18next from 'i18next';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { stubResizeObserver } from '../../../testing/resize-observer.ts';
import { farmSeriesFixture } from '../../../testing/fixtures.ts';
import { DeviceHistory } from './device-history.tsx';
import { FarmHistory } from './farm-history.tsx';

const TIMES = ['2026-12-06T08:00:00.000Z', '2026-12-06T08:05:00.000Z'];

/** GET /api/farms/7/devices/1/series as it answers: one bucket read, one a gap. */
const DEVICE: DeviceSeries = {
  deviceId: '1',
  range: '24h',
  from: TIMES[0] ?? '',
  to: '2026-12-06T08:07:30.000Z',
  bucketSeconds: 300,
  points: [
    {
      time: TIMES[0] ?? '',
      hashrate: 100e12,
      powerW: 3_000,
      chipTempC: 80,
      boardTempC: 65,
      fanRpmMin: 5_800,
      fanRpmMax: 6_000,
      boards: [
        { slot: 0, chipTempC: 70, boardTempC: 60, hashrate: 50e12 },
        { slot: 1, chipTempC: 80, boardTempC: 65, hashrate: 50e12 },
      ],
    },
    {
      time: TIMES[1] ?? '',
      hashrate: null,
      powerW: null,
      chipTempC: null,
      boardTempC: null,
      fanRpmMin: null,
      fanRpmMax: null,
      boards: [],
    },
  ],
};

const FARM = farmSeriesFixture(TIMES, '2026-12-06T08:07:30.000Z', [
  { kind: 'curtailment-order', id: '3', from: TIMES[0] ?? '', to: TIMES[1] ?? '', class: null },
]);

let asked: string[] = [];

function renderWithClient(node: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(<QueryClientProvider client={client}>{node}</QueryClientProvider>);
}

describe('history sections', () => {
  setupComponentTests();
  beforeEach(() => {
    asked = [];
    stubResizeObserver();
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string) => {
        asked.push(url);
        const body = url.includes('/devices/1/series') ? DEVICE : FARM;
        return Promise.resolve(
          new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }),
        );
      }),
    );
  });

  it("shows a device's charts in Persian, each board's chip, and asks for 7 days when told", async () => {
    await i18next.changeLanguage('fa');
    renderWithClient(<DeviceHistory farmId="7" deviceId="1" />);
    expect(await screen.findByText('دما')).toBeTruthy();
    for (const caption of ['نرخ هش', 'توان', 'فن‌ها']) {
      expect(screen.getByText(caption)).toBeTruthy();
    }
    const text = document.body.textContent;
    expect(text).toContain('تراشهٔ برد ۱');
    expect(text).toContain('تراشهٔ برد ۲');
    // Before a hover, the legend shows the latest bucket with a figure, in the Solar Hijri calendar.
    expect(text).toMatch(/۱۵ آذر ۱۴۰۵/);
    expect(text).not.toMatch(/Time|1970|۱۳۴۸/);
    expect(asked).toEqual(['/api/farms/7/devices/1/series?range=24h']);
    fireEvent.click(screen.getByRole('button', { name: '۷ روز' }));
    await waitFor(() => {
      expect(asked).toContain('/api/farms/7/devices/1/series?range=7d');
    });
    expect(screen.getByRole('button', { name: '۷ روز' }).getAttribute('aria-pressed')).toBe('true');
  });

  it("names a farm's shading and its lines in Russian", async () => {
    await i18next.changeLanguage('ru');
    renderWithClient(<FarmHistory farmId="7" />);
    expect(await screen.findByText('Энергия за 5 мин')).toBeTruthy();
    const text = document.body.textContent;
    expect(text).toContain('Распоряжение об ограничении');
    expect(text).toContain('Хешрейт (пул)');
    expect(text).toContain('Мощность (счётчики): нет данных');
  });
});

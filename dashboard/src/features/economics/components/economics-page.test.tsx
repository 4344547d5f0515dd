import type { EconomicsDay, FarmEconomics } from '@hashwatt/schemas';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { addDays, localIsoDay, toSolarHijri } from '../../../lib/solar-hijri.ts';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { EconomicsPage } from './economics-page.tsx';

const MEASURED: EconomicsDay = {
  date: '2026-10-05',
  from: '2026-10-04T20:30:00.000Z',
  to: '2026-10-05T20:30:00.000Z',
  hashrate: { reported: 1_000e12, pool: 1_000e12 },
  energyKwh: 480,
  energyBasis: 'measured',
  joulesPerTh: 20,
  network: null,
  expectedSats: 44_211,
  minedSats: 0,
  btcPrice: null,
  tariffRate: null,
  revenue: 44.21,
  powerCost: 5.68,
  profit: 38.53,
  breakEvenPerKwh: 0.09,
  missing: [],
};

const UNMETERED: EconomicsDay = {
  ...MEASURED,
  date: '2026-10-06',
  energyKwh: null,
  energyBasis: 'unknown',
  joulesPerTh: null,
  powerCost: null,
  profit: null,
  breakEvenPerKwh: null,
  missing: ['energy: the meter has never reported'],
};

const PARTIAL: EconomicsDay = {
  ...MEASURED,
  date: '2026-10-07',
  energyKwh: 120,
  energyBasis: 'partial',
  joulesPerTh: null,
  powerCost: 1.42,
  profit: null,
  breakEvenPerKwh: null,
  expectedSats: null,
  revenue: null,
  missing: [
    'no block template seen at or before 2026-10-07T20:30:00.000Z',
    'energy: readings cover 12 of 24 hours (from 2026-10-06T20:30:00Z to 2026-10-07T08:30:00Z)',
  ],
};

const ECONOMICS: FarmEconomics = {
  farmId: '7',
  currency: 'USD',
  rateType: 'market',
  poolFeePercent: 1,
  days: [MEASURED, UNMETERED, PARTIAL],
  total: {
    energyKwh: 600,
    energyBasis: 'partial',
    expectedSats: 88_422,
    minedSats: 0,
    revenue: 44.21,
    powerCost: 5.68,
    profit: 38.53,
    breakEvenPerKwh: 0.09,
    daysMissing: 2,
  },
};

/** The page, its API answering `economics`; what it asked for lands in `asked`. */
function page(economics: FarmEconomics = ECONOMICS, asked: URL[] = []) {
  vi.stubGlobal(
    'fetch',
    vi.fn((input: string | URL | Request) => {
      asked.push(new URL(input instanceof Request ? input.url : String(input), 'http://dashboard.test'));
      return Promise.resolve(
        new Response(JSON.stringify(economics), { headers: { 'content-type': 'application/json' } }),
      );
    }),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={['/farms/7/economics']}>
        <Routes>
          <Route path="/farms/:id/economics" element={<EconomicsPage />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe('economics on energy nothing measured', () => {
  setupComponentTests();

  it('shows a day without readings as unknown energy, cost and profit, with why, never 0', async () => {
    page();
    const row = (await screen.findByText('energy: the meter has never reported')).closest('tr');
    if (!row) {
      throw new Error('no row for the unmetered day');
    }
    const cells = within(row)
      .getAllByRole('cell')
      .map((cell) => cell.textContent);
    // Energy, revenue, cost, profit, efficiency.
    expect(cells.slice(4, 9)).toEqual(['— unknown', 'US$44.21', '—', '—', '—']);
    expect(row.textContent).not.toMatch(/\$0\.00|0 kWh/);
  });

  it('labels partly metered energy, and an unknown network leaves the expected coins unknown', async () => {
    page();
    const row = (await screen.findByText(/readings cover 12 of 24 hours/)).closest('tr');
    if (!row) {
      throw new Error('no row for the partial day');
    }
    const cells = within(row)
      .getAllByRole('cell')
      .map((cell) => cell.textContent);
    expect(cells[3]).toBe('—');
    expect(cells[4]).toBe('120 kWh partial');
    expect(row.textContent).toContain('no block template seen');
  });

  it('labels the total energy partial and says how many days the money totals leave out', async () => {
    page();
    const label = (await screen.findAllByText('Energy')).find((node) =>
      node.classList.contains('stat-label'),
    );
    expect(label?.parentElement?.textContent).toContain('600 kWh partial');
    expect(screen.getByRole('note').textContent).toBe(
      'Days left out of the totals (a price, a tariff or the energy missing): 2',
    );
  });

  it('asks for the last seven days up to and including today', async () => {
    const asked: URL[] = [];
    page(ECONOMICS, asked);
    await screen.findByText('energy: the meter has never reported');
    const today = localIsoDay(Date.now());
    expect(asked[0]?.searchParams.get('to')).toBe(today);
    expect(asked[0]?.searchParams.get('from')).toBe(addDays(today, -6));
  });

  it('shows ten-digit rial totals whole in their cards, compact, with the exact amount on hover', async () => {
    page({ ...ECONOMICS, currency: 'IRR', total: { ...ECONOMICS.total, revenue: 5_123_456_789 } });
    fireEvent.click(await screen.findByRole('button', { name: 'IRR' }));
    const label = (await screen.findAllByText('Revenue')).find((node) =>
      node.classList.contains('stat-label'),
    );
    const value = label?.parentElement?.querySelector('.stat-value span');
    expect(value?.textContent).toBe('IRR\u00a05.123bn');
    expect(value?.getAttribute('title')).toBe('IRR\u00a05,123,456,789');
  });
});

describe('economics in Persian', () => {
  setupComponentTests('fa');

  it('picks the range in the Solar Hijri calendar and asks for ISO days', async () => {
    const asked: URL[] = [];
    page(ECONOMICS, asked);
    await screen.findAllByText('energy: the meter has never reported');
    const today = toSolarHijri(localIsoDay(Date.now()));
    const [fromDay, toDay] = screen.getAllByRole('combobox', { name: 'روز' });
    const [fromMonth] = screen.getAllByRole('combobox', { name: 'ماه' });
    const [fromYear] = screen.getAllByRole('combobox', { name: 'سال' });
    if (!fromDay || !toDay || !fromMonth || !fromYear || !today) {
      throw new Error('no Solar Hijri day pickers');
    }
    expect((toDay as HTMLSelectElement).value).toBe(String(today.day));
    // 1 Farvardin 1403 is 20 March 2024.
    fireEvent.change(fromYear, { target: { value: '1403' } });
    fireEvent.change(fromMonth, { target: { value: '1' } });
    fireEvent.change(fromDay, { target: { value: '1' } });
    await waitFor(() => {
      expect(asked.at(-1)?.searchParams.get('from')).toBe('2024-03-20');
    });
    expect(fromMonth.textContent).toContain('فروردین');
    expect(fromYear.textContent).toContain('۱۴۰۳');
  });
});

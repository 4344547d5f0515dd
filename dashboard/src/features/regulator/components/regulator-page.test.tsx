import type { EnergySummary, Farm } from '@hashwatt/schemas';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { energyFixture, farmFixture } from '../../../testing/fixtures.ts';
import { RegulatorPage } from './regulator-page.tsx';

const farm = (id: string, name: string): Farm =>
  farmFixture({
    id,
    name,
    country: 'IR',
    region: 'IR-23',
    timezone: 'Asia/Tehran',
    licence: { ...farmFixture({ id, name }).licence, number: 'MIMT-1', capacityKw: 5_000 },
  });

const UNKNOWN: EnergySummary = energyFixture({
  from: '2026-11-06T12:00:00.000Z',
  restricted: [{ windowId: '1', class: 'critical_peak', kwh: null }],
  unknownReason: 'no meter reading since 2026-11-03T10:00:00Z',
});

const PARTIAL: EnergySummary = {
  ...UNKNOWN,
  kwhTotal: 1_200_000,
  peakKw: 4_000,
  peakVsLicence: 0.8,
  restricted: [{ windowId: '1', class: 'critical_peak', kwh: 800 }],
  basis: 'partial',
  unknownReason: 'readings cover 12.5 of 30 days (from 2026-11-06T12:00:00Z to 2026-11-19T00:00:00Z)',
  coverage: {
    firstReadingAt: '2026-11-06T12:00:00.000Z',
    lastReadingAt: '2026-11-19T00:00:00.000Z',
    fraction: 12.5 / 30,
  },
};

function page() {
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string) => {
      const body = url.endsWith('/regulator/farms')
        ? [farm('1', 'Silent'), farm('2', 'Half')]
        : url.includes('/regulator/farms/1/')
          ? UNKNOWN
          : PARTIAL;
      return Promise.resolve(
        new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }),
      );
    }),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <RegulatorPage />
    </QueryClientProvider>,
  );
}

const rowOf = async (name: string): Promise<string[]> => {
  const row = (await screen.findByText(name)).closest('tr');
  if (!row) {
    throw new Error(`no row for ${name}`);
  }
  return within(row)
    .getAllByRole('cell')
    .map((cell) => cell.textContent);
};

describe("the regulator's farms", () => {
  setupComponentTests();

  it('shows a farm whose meter fell silent as unknown, with since when, never 0', async () => {
    page();
    await screen.findByText(/no meter reading since 2026-11-03T10:00:00Z/);
    const [, , , , peak, energy, restricted] = await rowOf('Silent');
    expect(peak).toBe('— unknown');
    expect(energy).toBe('— unknown no meter reading since 2026-11-03T10:00:00Z');
    expect(restricted).toBe('— unknown');
    expect(screen.getAllByTitle('no meter reading since 2026-11-03T10:00:00Z')).toHaveLength(3);
  });

  it('labels what a partial month measured, and says how much the readings cover', async () => {
    page();
    await screen.findByText(/readings cover 12.5 of 30 days/);
    const [, , , , peak, energy, restricted] = await rowOf('Half');
    expect(peak).toBe('4,000.0 kW partial');
    expect(energy).toContain('1,200,000 kWh partial readings cover 12.5 of 30 days');
    expect(restricted).toBe('800 kWh partial');
  });
});

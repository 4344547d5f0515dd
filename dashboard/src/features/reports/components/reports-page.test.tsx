import type { Farm, Report, ReportRequest } from '@hashwatt/schemas';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { farmFixture } from '../../../testing/fixtures.ts';
import { lastMonth } from '../lib/report-months.ts';
import { ReportsPage } from './reports-page.tsx';

const farm = (id: string, name: string, country: string, timezone: string): Farm =>
  farmFixture({ id, name, country, timezone });

const ISSUED: Report = {
  id: '00000000-0000-4000-8000-000000000001',
  farmId: '1',
  country: null,
  regions: [],
  from: '2026-10-22T20:30:00.000Z',
  to: '2026-11-21T20:30:00.000Z',
  timezone: 'Asia/Tehran',
  calendar: 'persian',
  month: '1405-08',
  language: 'fa',
  format: 'json',
  fileName: 'hashwatt-report-farm-1-1405-08-fa-00000000.json',
  bytes: 100,
  sha256: 'a'.repeat(64),
  signature: 'c2ln',
  publicKey: 'a2V5',
  keyFingerprint: 'b'.repeat(64),
  issuedAt: '2026-12-01T00:00:00.000Z',
};

const OPERATOR = {
  id: '9',
  email: 'op@test',
  name: 'op',
  role: 'operator',
  organisationId: '3',
  jurisdiction: null,
  disabled: false,
  createdAt: '2026-01-01T00:00:00.000Z',
} as const;

/** The page against a stubbed API; the requests it issues land in `sent`. */
function page(): ReportRequest[] {
  const sent: ReportRequest[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string, init?: RequestInit) => {
      let body: unknown = [];
      if (url.endsWith('/organisations/3/farms')) {
        body = [farm('1', 'Semnan Hall', 'IR', 'Asia/Tehran'), farm('2', 'Irkutsk 1', 'RU', 'Asia/Irkutsk')];
      } else if (url.endsWith('/reports') && init?.method === 'POST') {
        sent.push(JSON.parse(init.body as string) as ReportRequest);
        body = ISSUED;
      } else if (url.endsWith('/reports')) {
        body = [ISSUED];
      }
      return Promise.resolve(
        new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }),
      );
    }),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <ReportsPage user={OPERATOR} />
    </QueryClientProvider>,
  );
  return sent;
}

const select = (name: string): HTMLSelectElement => {
  const found = document.querySelector<HTMLSelectElement>(`select[name="${name}"]`);
  if (!found) {
    throw new Error(`no select ${name}`);
  }
  return found;
};

describe('issuing a report', () => {
  setupComponentTests();

  it("asks an Iranian farm's month in the Solar Hijri calendar, and sends it as such", async () => {
    const sent = page();
    await screen.findByRole('option', { name: 'Semnan Hall' });
    const months = await waitFor(() => select('persian-month'));
    expect([...months.options].map((option) => option.text)).toEqual([
      'Farvardin',
      'Ordibehesht',
      'Khordad',
      'Tir',
      'Mordad',
      'Shahrivar',
      'Mehr',
      'Aban',
      'Azar',
      'Dey',
      'Bahman',
      'Esfand',
    ]);
    const [year, month] = lastMonth('persian', Date.now()).split('-');
    expect([select('persian-year').value, months.value]).toEqual([year, month]);
    expect(document.querySelector('input[type="month"]')).toBeNull();
    fireEvent.change(months, { target: { value: '09' } });
    fireEvent.change(select('persian-year'), { target: { value: '1405' } });
    fireEvent.click(screen.getByRole('button', { name: 'Issue' }));
    await waitFor(() => {
      expect(sent).toEqual([{ farmId: '1', month: '1405-09', language: 'en', format: 'pdf' }]);
    });
  });

  it("asks a Russian farm's month as a calendar month, and offers JSON", async () => {
    const sent = page();
    await screen.findByRole('option', { name: 'Irkutsk 1' });
    fireEvent.change(select('scope'), { target: { value: '2' } });
    const input = await waitFor(() => {
      const found = document.querySelector<HTMLInputElement>('input[type="month"]');
      expect(found).not.toBeNull();
      return found as HTMLInputElement;
    });
    expect(input.value).toBe(lastMonth('gregorian', Date.now()));
    fireEvent.change(input, { target: { value: '2026-11' } });
    fireEvent.change(select('format'), { target: { value: 'json' } });
    fireEvent.click(screen.getByRole('button', { name: 'Issue' }));
    await waitFor(() => {
      expect(sent).toEqual([{ farmId: '2', month: '2026-11', language: 'en', format: 'json' }]);
    });
  });

  it('lists an issued report by the month its reader names', async () => {
    page();
    expect(await screen.findByText('Aban 1405')).toBeTruthy();
  });
});

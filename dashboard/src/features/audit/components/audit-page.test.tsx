import type { AuditEntry, AuditPage as AuditPageBody } from '@hashwatt/schemas';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { AuditPage } from './audit-page.tsx';

const entry = (id: string, fields: Partial<AuditEntry>): AuditEntry => ({
  id,
  at: '2026-12-01T10:00:00.000Z',
  action: 'farm.update',
  method: 'PATCH',
  route: '/api/farms/:id',
  requestId: `request-${id}`,
  actor: {
    kind: 'user',
    userId: '9',
    email: 'op@farm.test',
    role: 'operator',
    organisationId: '3',
    keyId: null,
  },
  organisationId: '3',
  farmId: '1',
  country: 'IR',
  regions: ['IR-08'],
  ids: { farm: '1' },
  before: { name: 'Hall A' },
  after: { name: 'Hall B' },
  ...fields,
});

const NEWEST: AuditPageBody = {
  entries: [
    entry('7', {}),
    entry('6', {
      action: 'auth.sign-in-failed',
      method: 'POST',
      route: '/api/auth/login',
      actor: {
        kind: 'anonymous',
        userId: null,
        email: 'who@else.test',
        role: null,
        organisationId: null,
        keyId: null,
      },
      ids: {},
      before: null,
      after: { reason: 'HW_ERR_BAD_CREDENTIALS' },
    }),
  ],
  nextCursor: '6',
};
const OLDER: AuditPageBody = {
  entries: [
    entry('5', {
      action: 'agent.telemetry',
      method: 'POST',
      route: '/api/agent/telemetry',
      actor: { kind: 'agent', userId: null, email: null, role: null, organisationId: null, keyId: '4' },
      ids: { farm: '1', batch: 'b1' },
      before: null,
      after: { readings: 12 },
    }),
  ],
  nextCursor: null,
};

/** The page against a stubbed API; the audit log requests it makes land in `asked`. */
function page(): URLSearchParams[] {
  const asked: URLSearchParams[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string) => {
      const query = new URLSearchParams(url.split('?')[1] ?? '');
      asked.push(query);
      const body = query.get('cursor') === '6' ? OLDER : NEWEST;
      return Promise.resolve(
        new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }),
      );
    }),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <AuditPage />
    </QueryClientProvider>,
  );
  return asked;
}

/** The table row naming `text`, once it is drawn (the action filter offers the same names as options). */
const rowOf = async (text: string): Promise<string[]> => {
  const row = await waitFor(() => {
    const found = screen
      .getAllByText(text)
      .map((element) => element.closest('tr'))
      .find((element) => element !== null);
    if (!found) {
      throw new Error(`no row for ${text}`);
    }
    return found;
  });
  return within(row)
    .getAllByRole('cell')
    .map((cell) => cell.textContent);
};

describe('the audit log page', () => {
  setupComponentTests();

  it('lists who changed what, newest first, without agent telemetry until asked', async () => {
    const asked = page();
    const [, action, who, request, touched, change] = await rowOf('Farm changed');
    expect(action).toBe('Farm changed');
    expect(who).toBe('op@farm.test (operator)');
    expect(request).toBe('PATCH /api/farms/:id');
    expect(touched).toBe('farm 1');
    expect(change).toBe('{"name":"Hall A"} → {"name":"Hall B"}');
    const [, , failedBy, , , reason] = await rowOf('Sign-in failed');
    expect(failedBy).toBe('who@else.test');
    expect(reason).toBe('{"reason":"HW_ERR_BAD_CREDENTIALS"}');
    expect(asked[0]?.get('excludeAction')).toBe('agent.telemetry');
    expect(asked[0]?.get('limit')).toBe('50');
    expect(asked[0]?.has('cursor')).toBe(false);
  });

  it('pages to older entries with the cursor the API gave', async () => {
    const asked = page();
    fireEvent.click(await screen.findByRole('button', { name: 'Older entries' }));
    const [, , who] = await rowOf('Telemetry batch stored');
    expect(who).toBe('agent key 4');
    expect(asked.at(-1)?.get('cursor')).toBe('6');
    await waitFor(() => {
      expect(screen.queryByRole('button', { name: 'Older entries' })).toBeNull();
    });
  });

  it('filters by action and actor, and exports what the filter shows', async () => {
    const asked = page();
    await rowOf('Farm changed');
    fireEvent.change(screen.getByRole('combobox', { name: 'Action' }), {
      target: { value: 'agent.telemetry' },
    });
    fireEvent.change(screen.getByRole('textbox', { name: 'Who' }), { target: { value: 'key:4' } });
    fireEvent.click(screen.getByRole('button', { name: 'Filter' }));
    await waitFor(() => {
      expect(asked.at(-1)?.get('action')).toBe('agent.telemetry');
    });
    const last = asked.at(-1);
    expect(last?.get('actor')).toBe('key:4');
    // Asked for by name, telemetry is not also left out.
    expect(last?.has('excludeAction')).toBe(false);
    const csv = screen.getByRole('link', { name: 'Export CSV' }).getAttribute('href') ?? '';
    expect(csv).toMatch(/\/api\/audit-log\/export\?/);
    const query = new URLSearchParams(csv.split('?')[1]);
    expect(Object.fromEntries(query)).toEqual({ action: 'agent.telemetry', actor: 'key:4', format: 'csv' });
    const json = screen.getByRole('link', { name: 'Export JSON' }).getAttribute('href') ?? '';
    expect(new URLSearchParams(json.split('?')[1]).get('format')).toBe('json');
  });
});

import type {
  AlertDeliveryList,
  AlertSubscription,
  AlertSubscriptionCreate,
  AlertSubscriptionCreated,
} from '@hashwatt/schemas';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { AlertsPage } from './alerts-page.tsx';

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

const HOOK: AlertSubscription = {
  id: '1',
  userId: null,
  organisationId: '3',
  channel: 'webhook',
  target: 'https://ops.example.org/hook',
  rules: ['device-silent', 'block-found'],
  sendResolved: true,
  label: '',
  language: 'en',
  createdAt: '2026-12-01T00:00:00.000Z',
};

const DELIVERIES: AlertDeliveryList = {
  items: [
    {
      id: '12',
      subscriptionId: '1',
      channel: 'webhook',
      notice: 'opened',
      rule: 'device-silent',
      subject: 'device:4',
      summary: 'Hall A: 10.0.4.17:4028 has not reported for 12 minutes',
      status: 'failed',
      attempts: 5,
      lastError: 'HTTP 503',
      createdAt: '2026-12-01T10:00:00.000Z',
      sentAt: null,
    },
  ],
};

interface Sent {
  readonly method: string;
  readonly url: string;
  readonly body?: AlertSubscriptionCreate;
}

/** The page against a stubbed API; the changes it asks for land in `sent`. */
function page(): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      let body: unknown = { items: [HOOK] };
      if (url.includes('/alerts/deliveries')) {
        body = DELIVERIES;
      } else if (method === 'POST') {
        const created = JSON.parse(init?.body as string) as AlertSubscriptionCreate;
        sent.push({ method, url, body: created });
        body = {
          subscription: { ...HOOK, id: '2', ...created, organisationId: created.organisationId ?? null },
          webhookSecret: 'c2VjcmV0LXNob3duLW9uY2U',
        } satisfies AlertSubscriptionCreated;
      } else if (method === 'DELETE') {
        sent.push({ method, url });
        body = HOOK;
      }
      return Promise.resolve(
        new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }),
      );
    }),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <AlertsPage user={OPERATOR} />
    </QueryClientProvider>,
  );
  return sent;
}

describe('the alerts page', () => {
  setupComponentTests();

  it("lists the subscriptions and each delivery's outcome with its error", async () => {
    page();
    expect(await screen.findByText('https://ops.example.org/hook')).toBeTruthy();
    expect(screen.getByText('Device silent, Block found')).toBeTruthy();
    expect(screen.getByText("The organisation's")).toBeTruthy();
    expect(await screen.findByText('Hall A: 10.0.4.17:4028 has not reported for 12 minutes')).toBeTruthy();
    expect(screen.getByText('Failed after 5 attempts')).toBeTruthy();
    expect(screen.getByText('(HTTP 503)')).toBeTruthy();
  });

  it('makes a webhook subscription for the organisation and shows its secret once', async () => {
    const sent = page();
    fireEvent.change(screen.getByRole('combobox', { name: 'Channel' }), { target: { value: 'webhook' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'Send to' }), {
      target: { value: ' https://hooks.example.org/pool ' },
    });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Block found' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Chips too hot' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'For my whole organisation' }));
    // The dashboard's language unless another is chosen: the night shift reads Persian.
    expect(screen.getByRole<HTMLSelectElement>('combobox', { name: 'Language of the messages' }).value).toBe(
      'en',
    );
    fireEvent.change(screen.getByRole('combobox', { name: 'Language of the messages' }), {
      target: { value: 'fa' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => {
      expect(sent).toEqual([
        {
          method: 'POST',
          url: '/api/alerts/subscriptions',
          body: {
            channel: 'webhook',
            target: 'https://hooks.example.org/pool',
            rules: ['device-silent', 'block-found'],
            sendResolved: false,
            language: 'fa',
            organisationId: '3',
          },
        },
      ]);
    });
    expect((await screen.findByRole('status')).textContent).toContain('c2VjcmV0LXNob3duLW9uY2U');
  });

  it('asks for nothing without a rule', () => {
    page();
    fireEvent.change(screen.getByRole('textbox', { name: 'Send to' }), {
      target: { value: 'ops@example.org' },
    });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Device silent' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Chips too hot' }));
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Create' }).disabled).toBe(true);
  });

  it('deletes a subscription once confirmed', async () => {
    const sent = page();
    const remove = await screen.findByRole('button', {
      name: 'Delete the subscription to https://ops.example.org/hook',
    });
    fireEvent.click(remove);
    fireEvent.keyDown(await screen.findByRole('alertdialog', { name: 'Delete this subscription?' }), {
      key: 'Escape',
    });
    await waitFor(() => {
      expect(screen.queryByRole('alertdialog')).toBeNull();
    });
    expect(sent).toEqual([]);
    fireEvent.click(remove);
    const dialog = await screen.findByRole('alertdialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => {
      expect(sent).toEqual([{ method: 'DELETE', url: '/api/alerts/subscriptions/1' }]);
    });
  });
});

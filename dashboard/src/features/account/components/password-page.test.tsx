import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { PasswordPage } from './password-page.tsx';

interface Sent {
  readonly url: string;
  readonly method: string | undefined;
  readonly body: unknown;
}

/** The page against a stubbed API answering `status` with `body`; what it sends lands in the list. */
function page(status: number, body?: unknown): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string, init?: RequestInit) => {
      sent.push({ url, method: init?.method, body: JSON.parse(init?.body as string) as unknown });
      return Promise.resolve(
        status === 204
          ? new Response(null, { status })
          : new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
      );
    }),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <PasswordPage />
    </QueryClientProvider>,
  );
  return sent;
}

function fill(current: string, next: string, repeat: string): void {
  fireEvent.change(screen.getByLabelText('Current password'), { target: { value: current } });
  fireEvent.change(screen.getByLabelText('New password (12 characters or more)'), {
    target: { value: next },
  });
  fireEvent.change(screen.getByLabelText('New password again'), { target: { value: repeat } });
  fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
}

describe('the password page', () => {
  setupComponentTests();

  it('sends the current and the new password, then says the other sessions ended and clears the form', async () => {
    const sent = page(204);
    fill('the old password', 'a new password, long', 'a new password, long');
    expect(await screen.findByRole('status')).toHaveProperty(
      'textContent',
      'Password changed. Your other sessions were signed out.',
    );
    expect(sent).toEqual([
      {
        url: '/api/auth/password',
        method: 'POST',
        body: { currentPassword: 'the old password', newPassword: 'a new password, long' },
      },
    ]);
    expect(screen.getByLabelText('Current password')).toHaveProperty('value', '');
  });

  it('asks for the same new password twice before sending anything', () => {
    const sent = page(204);
    fill('the old password', 'a new password, long', 'a new pasword, long');
    expect(screen.getByRole('alert').textContent).toBe('The two new passwords differ.');
    expect(sent).toEqual([]);
  });

  it('says why the pool refused: a wrong current password, or too many tries', async () => {
    page(403, {
      error: 'HW_ERR_CURRENT_PASSWORD',
      message: 'The current password is wrong; nothing was changed.',
      field: 'body.currentPassword',
    });
    fill('not my password', 'a new password, long', 'a new password, long');
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The current password is wrong; nothing was changed.',
    );
    cleanup();
    vi.unstubAllGlobals();
    page(429, { error: 'HW_ERR_SIGN_IN_THROTTLED', message: 'Too many wrong passwords.' });
    fill('not my password', 'a new password, long', 'a new password, long');
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Too many wrong passwords: wait a little, then try again.',
    );
  });
});

import type { Organisation, PoolSettings, User } from '@hashwatt/schemas';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import i18next from 'i18next';
import { Route } from 'react-router';
import { describe, expect, it } from 'vitest';
import { Toaster } from '../../../components/ui/toaster.tsx';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { renderAt } from '../../../testing/render-at.tsx';
import { sentTo, stubApi, type SentRequest, type StubRoutes } from '../../../testing/stub-api.ts';
import { AdminPage } from './admin-page.tsx';

const ORGANISATION: Organisation = {
  id: '3',
  name: 'Farm Co',
  requireTwoFactor: false,
  createdAt: '2026-01-01T00:00:00.000Z',
};

const OPERATOR: User = {
  id: '9',
  email: 'op@farm.test',
  name: 'Op',
  role: 'operator',
  organisationId: '3',
  jurisdiction: null,
  disabled: false,
  createdAt: '2026-01-01T00:00:00.000Z',
};

const SETTINGS: PoolSettings = {
  scheme: 'pplns',
  feePercent: 1,
  soloFeePercent: 2,
  pplnsWindowFactor: 2,
  payoutsEnabled: true,
  payoutThresholdSats: 100_000,
  maturityConfirmations: 100,
};

function adminPage(routes: StubRoutes = {}): SentRequest[] {
  const sent = stubApi({
    'GET ^/admin/users$': { body: [OPERATOR] },
    'GET ^/admin/organisations$': { body: [ORGANISATION] },
    'GET ^/admin/settings$': { body: SETTINGS },
    ...routes,
  });
  renderAt(
    '/admin',
    <Route
      path="/admin"
      element={
        <>
          <AdminPage />
          <Toaster />
        </>
      }
    />,
  );
  return sent;
}

/** The label a field sits in, for what is said next to it. */
const fieldOf = (form: HTMLElement, label: string): HTMLElement =>
  within(form).getByText(label).closest('label') as HTMLElement;

describe('the admin page', () => {
  setupComponentTests();

  it('adds a user with the role and its organisation, and says a taken e-mail next to it', async () => {
    const sent = adminPage({
      'POST ^/admin/users$': {
        status: 409,
        body: {
          error: 'HW_ERR_EMAIL_TAKEN',
          message: 'A user with this email exists already.',
          field: 'body.email',
        },
      },
    });
    const form = await screen.findByRole('form', { name: 'Add a user' });
    await within(form).findByRole('option', { name: 'Farm Co' });
    fireEvent.change(within(form).getByLabelText('Email'), { target: { value: 'op@farm.test' } });
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'Second' } });
    fireEvent.change(within(form).getByLabelText('Password'), {
      target: { value: 'a password long enough' },
    });
    fireEvent.submit(form);
    expect((await within(fieldOf(form, 'Email')).findByRole('alert')).textContent).toBe(
      'Taken already: A user with this email exists already.',
    );
    expect(sentTo(sent, 'POST', /users$/).map((request) => request.body)).toEqual([
      {
        email: 'op@farm.test',
        name: 'Second',
        password: 'a password long enough',
        role: 'operator',
        organisationId: '3',
      },
    ]);
  });

  it('gives a user another role with its jurisdiction, translated rule next to the field', async () => {
    const sent = adminPage({
      'PATCH ^/admin/users/9$': {
        status: 400,
        body: {
          error: 'HW_ERR_VALIDATION',
          message: 'body.jurisdiction.country must match pattern "^[A-Z]{2}$"',
          field: 'body.jurisdiction.country',
        },
      },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Change' }));
    const form = screen.getByRole('form', { name: 'Change the role of op@farm.test' });
    fireEvent.change(within(form).getByLabelText('Role'), { target: { value: 'regulator' } });
    fireEvent.change(within(form).getByLabelText('Country'), { target: { value: 'Iran' } });
    fireEvent.change(within(form).getByLabelText('Regions (optional)'), {
      target: { value: 'ir-08, IR-23' },
    });
    fireEvent.submit(form);
    expect((await within(fieldOf(form, 'Country')).findByRole('alert')).textContent).toBe(
      'Not valid: not in the form asked for.',
    );
    expect(sentTo(sent, 'PATCH', /users\/9$/).map((request) => request.body)).toEqual([
      { role: 'regulator', jurisdiction: { country: 'IRAN', regions: ['IR-08', 'IR-23'] } },
    ]);
  });

  it('disables a user only once confirmed, and says so', async () => {
    const sent = adminPage({
      'PATCH ^/admin/users/9$': { body: { ...OPERATOR, disabled: true } },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Disable' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Disable this user?' });
    expect(dialog.textContent).toContain('op@farm.test is signed out everywhere');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    await waitFor(() => {
      expect(screen.queryByRole('alertdialog')).toBeNull();
    });
    expect(sentTo(sent, 'PATCH', /users/)).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Disable' }));
    fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Disable' }));
    await screen.findByText('op@farm.test disabled.');
    expect(sentTo(sent, 'PATCH', /users\/9$/).map((request) => request.body)).toEqual([{ disabled: true }]);
  });

  it('asks in Persian, right to left, before disabling', async () => {
    await i18next.changeLanguage('fa');
    try {
      const sent = adminPage();
      fireEvent.click(await screen.findByRole('button', { name: 'غیرفعال‌کردن' }));
      const dialog = await screen.findByRole('alertdialog', { name: 'این کاربر غیرفعال شود؟' });
      expect(dialog.textContent).toContain('op@farm.test از همه‌جا خارج می‌شود');
      expect(
        within(dialog)
          .getAllByRole('button')
          .map((button) => button.textContent),
      ).toEqual(['انصراف', 'غیرفعال‌کردن']);
      expect(document.documentElement.dir).toBe('rtl');
      fireEvent.keyDown(dialog, { key: 'Escape' });
      await waitFor(() => {
        expect(screen.queryByRole('alertdialog')).toBeNull();
      });
      expect(sentTo(sent, 'PATCH', /users/)).toEqual([]);
    } finally {
      await i18next.changeLanguage('en');
    }
  });

  it("changes the pool's fee and payouts, and toasts a price the API refused", async () => {
    const sent = adminPage({
      'PATCH ^/admin/settings$': { body: { ...SETTINGS, feePercent: 1.5, payoutsEnabled: false } },
      'POST ^/admin/prices$': {
        status: 400,
        body: { error: 'HW_ERR_VALIDATION', message: 'body.value must be > 0', field: 'body.value' },
      },
    });
    const settings = await screen.findByRole('form', { name: 'Pool settings' });
    fireEvent.change(within(settings).getByLabelText('Pool fee, %'), { target: { value: '1.5' } });
    fireEvent.click(within(settings).getByLabelText('Payouts on'));
    fireEvent.submit(settings);
    await screen.findByText('Pool settings saved: every process has them within 2 seconds.');
    expect(sentTo(sent, 'PATCH', /settings$/).map((request) => request.body)).toEqual([
      { feePercent: 1.5, payoutThresholdSats: 100_000, payoutsEnabled: false },
    ]);

    const price = screen.getByRole('form', { name: 'Enter a price by hand' });
    fireEvent.change(within(price).getByLabelText('Value'), { target: { value: '0' } });
    fireEvent.submit(price);
    expect((await within(fieldOf(price, 'Value')).findByRole('alert')).textContent).toBe(
      'Not valid: must be > 0.',
    );
    await screen.findByText('Check the field: body.value must be > 0');
  });
});

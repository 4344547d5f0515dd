import type { AlertThresholdsPatch, FarmAlertThresholds } from '@hashwatt/schemas';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import i18next from 'i18next';
import { Route } from 'react-router';
import { describe, expect, it } from 'vitest';
import { Toaster } from '../../../components/ui/toaster.tsx';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { renderAt } from '../../../testing/render-at.tsx';
import { sentTo, stubApi, type StubRoutes } from '../../../testing/stub-api.ts';
import { AlertThresholds } from './alert-thresholds.tsx';

const DEFAULTS = {
  silentMinutes: 10,
  minChipTempC: 10,
  maxChipTempC: 90,
  minFanRpm: 1_000,
  maxFanRpm: 0,
  maxFanPercent: 100,
  gapPercent: 10,
  windowLeadMinutes: 30,
};
const OWN: FarmAlertThresholds = {
  farmId: '7',
  defaults: DEFAULTS,
  overrides: {
    silentMinutes: null,
    minChipTempC: null,
    maxChipTempC: 95,
    minFanRpm: null,
    maxFanRpm: null,
    maxFanPercent: null,
    gapPercent: null,
    windowLeadMinutes: null,
  },
  effective: { ...DEFAULTS, maxChipTempC: 95 },
  updatedAt: '2026-12-07T10:00:00.000Z',
  updatedBy: '9',
};

function thresholds(routes: StubRoutes = {}) {
  const sent = stubApi({ 'GET ^/farms/7/alert-thresholds$': { body: OWN }, ...routes });
  renderAt(
    '/farms/7',
    <Route
      path="/farms/:id"
      element={
        <>
          <AlertThresholds farmId="7" />
          <Toaster />
        </>
      }
    />,
  );
  return sent;
}

describe("a farm's alert thresholds", () => {
  setupComponentTests();

  it("shows the farm's own values and the pool's defaults, and saves blank as the default", async () => {
    const sent = thresholds({
      'PATCH ^/farms/7/alert-thresholds$': ({ body }) => ({
        body: { ...OWN, overrides: { ...OWN.overrides, ...(body as AlertThresholdsPatch) } },
      }),
    });
    const form = await screen.findByRole('form', { name: 'Alert thresholds' });
    const chip = within(form).getByLabelText<HTMLInputElement>('Hottest chip above (°C)');
    expect(chip.value).toBe('95');
    const silent = within(form).getByLabelText<HTMLInputElement>('Silent for (minutes)');
    expect(silent.value).toBe('');
    expect(silent.placeholder).toBe('pool default: 10');
    fireEvent.change(silent, { target: { value: '25' } });
    fireEvent.change(chip, { target: { value: '' } });
    fireEvent.submit(form);
    await screen.findByText('Alert thresholds saved.');
    expect(sentTo(sent, 'PATCH', /alert-thresholds$/).map((request) => request.body)).toEqual([
      // Every threshold, the blank ones as null.
      { ...OWN.overrides, silentMinutes: 25, maxChipTempC: null },
    ]);
    expect(silent.value).toBe('25');
    expect(chip.value).toBe('');
  });

  it("shows the API's refusal under its field", async () => {
    thresholds({
      'PATCH ^/farms/7/alert-thresholds$': {
        status: 400,
        body: {
          error: 'HW_ERR_VALIDATION',
          message: 'body.maxChipTempC must be <= 150',
          field: 'body.maxChipTempC',
        },
      },
    });
    const form = await screen.findByRole('form', { name: 'Alert thresholds' });
    fireEvent.change(within(form).getByLabelText('Hottest chip above (°C)'), { target: { value: '200' } });
    fireEvent.submit(form);
    const field = within(form).getByText('Hottest chip above (°C)').closest('label') as HTMLElement;
    expect((await within(field).findByRole('alert')).textContent).toMatch(/150/);
    expect(screen.queryByText('Alert thresholds saved.')).toBeNull();
  });

  it('offers each range by both ends, and shows a range refused upside down under the end sent', async () => {
    const sent = thresholds({
      'PATCH ^/farms/7/alert-thresholds$': {
        status: 400,
        body: {
          error: 'HW_ERR_VALIDATION',
          message: 'The lowest chip temperature (96 °C) is above the highest (95 °C).',
          field: 'body.minChipTempC',
        },
      },
    });
    const form = await screen.findByRole('form', { name: 'Alert thresholds' });
    const labels = within(form)
      .getAllByRole('spinbutton')
      .map((input) => input.closest('label')?.firstChild?.textContent);
    expect(labels).toEqual([
      'Silent for (minutes)',
      'Hottest chip of a hashing device below (°C)',
      'Hottest chip above (°C)',
      'Fan of a hashing device below (rpm; 0: off)',
      'Fan of a hashing device above (rpm; 0: off)',
      'Fan of a hashing device at or above (% of full speed, where reported)',
      'Reported and pool hashrate apart by (%)',
      'Restricted window starting within (minutes)',
    ]);
    const cold = within(form).getByLabelText<HTMLInputElement>('Hottest chip of a hashing device below (°C)');
    expect(cold.placeholder).toBe('pool default: 10');
    fireEvent.change(cold, { target: { value: '96' } });
    fireEvent.submit(form);
    const field = cold.closest('label') as HTMLElement;
    expect((await within(field).findByRole('alert')).textContent).toContain(
      'The lowest chip temperature (96 °C) is above the highest (95 °C).',
    );
    expect(sentTo(sent, 'PATCH', /alert-thresholds$/)[0]?.body).toMatchObject({
      minChipTempC: 96,
      maxChipTempC: 95,
    });
  });

  it('in Persian and Russian, its labels and the default in their digits', async () => {
    await i18next.changeLanguage('fa');
    thresholds();
    const form = await screen.findByRole('form', { name: 'آستانه‌های هشدار' });
    expect(within(form).getByLabelText<HTMLInputElement>('بی‌گزارش به مدت (دقیقه)').placeholder).toBe(
      'پیش‌فرض استخر: ۱۰',
    );
    cleanup();
    await i18next.changeLanguage('ru');
    thresholds();
    const russian = await screen.findByRole('form', { name: 'Пороги оповещений' });
    expect(within(russian).getByLabelText<HTMLInputElement>('Самый горячий чип выше (°C)').value).toBe('95');
  });
});

import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import i18next from 'i18next';
import { Route } from 'react-router';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Toaster } from '../../../components/ui/toaster.tsx';
import { setupI18n } from '../../../i18n/index.ts';
import { deviceFixture } from '../../../testing/fixtures.ts';
import { readerClockIn } from '../../../testing/reader-clock.ts';
import { renderAt } from '../../../testing/render-at.tsx';
import { sentTo, stubApi, type SentRequest } from '../../../testing/stub-api.ts';
import { OrderForm } from './curtailment-controls.tsx';

/** The form alone, for farm 7, its POST answered as recorded. */
function orderForm(): SentRequest[] {
  const sent = stubApi({ 'POST ^/farms/7/curtailment-orders$': { status: 201, body: { unable: [] } } });
  renderAt(
    '/farms/7',
    <Route
      path="/farms/:id"
      element={
        <>
          <OrderForm farmId="7" devices={[deviceFixture('1')]} />
          <Toaster />
        </>
      }
    />,
  );
  return sent;
}

const choose = (group: HTMLElement, name: string, value: string): void => {
  fireEvent.change(within(group).getByRole('combobox', { name }), { target: { value } });
};

describe("a grid operator's order, typed by a reader in Tehran", () => {
  let machineClock: () => void = () => undefined;

  beforeAll(() => {
    // Tehran is UTC+3:30 all year.
    machineClock = readerClockIn('Asia/Tehran');
  });
  afterEach(cleanup);
  afterAll(async () => {
    machineClock();
    await i18next.changeLanguage('en');
  });

  it('in Persian, picks its moments in the Solar Hijri calendar and sends them as the instants meant', async () => {
    await setupI18n('fa');
    const sent = orderForm();
    const form = await screen.findByRole('form', { name: 'ثبت دستور اپراتور شبکه' });
    // The reader's clock is named, in Persian.
    expect(within(form).getByText(/^زمان‌ها به وقت ساعت شما: /).textContent).toMatch(/ایران/);
    const starts = within(form).getByText('آغاز (به ساعت شما)').closest('label') as HTMLElement;
    const ends = within(form).getByText('پایان (به ساعت شما)').closest('label') as HTMLElement;
    // No Gregorian picker: day, month (by its Persian name) and year lists, and the time.
    expect(form.querySelector('input[type="datetime-local"]')).toBeNull();
    expect(within(starts).getByRole('combobox', { name: 'ماه' }).textContent).toContain('آذر');
    // 17 Azar 1405, 19:00 to 23:00 in Tehran: 15:30Z to 19:30Z on 8 December 2026.
    for (const [field, time] of [
      [starts, '19:00'],
      [ends, '23:00'],
    ] as const) {
      choose(field, 'سال', '1405');
      choose(field, 'ماه', '9');
      choose(field, 'روز', '17');
      fireEvent.change(field.querySelector('input[type="time"]') as HTMLInputElement, {
        target: { value: time },
      });
    }
    fireEvent.change(within(form).getByLabelText('کاهش، کیلووات'), { target: { value: '300' } });
    fireEvent.submit(form);
    await screen.findByText('دستور ثبت شد.');
    expect(sentTo(sent, 'POST', /curtailment-orders$/).map((request) => request.body)).toEqual([
      { startsAt: '2026-12-08T15:30:00.000Z', endsAt: '2026-12-08T19:30:00.000Z', reductionKw: 300 },
    ]);
  });

  it('in English, names the clock and takes the browser’s picker on it', async () => {
    await setupI18n('en');
    const sent = orderForm();
    const form = await screen.findByRole('form', { name: "Record a grid operator's order" });
    expect(within(form).getByText(/^Times are on your clock: /).textContent).toBe(
      'Times are on your clock: Iran Standard Time',
    );
    fireEvent.change(within(form).getByLabelText('Starts (your clock)'), {
      target: { value: '2026-12-08T19:00' },
    });
    fireEvent.change(within(form).getByLabelText('Ends (your clock)'), {
      target: { value: '2026-12-08T23:00' },
    });
    fireEvent.change(within(form).getByLabelText('Reduction, kW'), { target: { value: '300' } });
    fireEvent.submit(form);
    await screen.findByText('Order recorded.');
    expect(sentTo(sent, 'POST', /curtailment-orders$/).map((request) => request.body)).toEqual([
      { startsAt: '2026-12-08T15:30:00.000Z', endsAt: '2026-12-08T19:30:00.000Z', reductionKw: 300 },
    ]);
  });
});

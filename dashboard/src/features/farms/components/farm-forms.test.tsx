import type { CurtailmentOrder, DeviceCommand, RestrictedWindow, Tariff } from '@hashwatt/schemas';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route } from 'react-router';
import { describe, expect, it } from 'vitest';
import { Toaster } from '../../../components/ui/toaster.tsx';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { deviceFixture, farmFixture } from '../../../testing/fixtures.ts';
import { renderAt } from '../../../testing/render-at.tsx';
import { sentTo, stubApi, type SentRequest, type StubRoutes } from '../../../testing/stub-api.ts';
import { FarmPage } from './farm-page.tsx';
import { FarmsPage } from './farms-page.tsx';

const HOUR = 3_600_000;
const FARM = farmFixture({ id: '7', name: 'Shed', timezone: 'Asia/Tehran' });

const OWN_WINDOW: RestrictedWindow = {
  id: '21',
  farmId: '7',
  country: null,
  region: null,
  class: 'critical_peak',
  from: '19:00',
  to: '23:00',
  validFrom: '2026-06-21',
  validTo: null,
  noticeRef: null,
};
const NATIONAL_WINDOW: RestrictedWindow = {
  ...OWN_WINDOW,
  id: '22',
  farmId: null,
  country: 'IR',
  class: 'seasonal_ban',
};

const TARIFF: Tariff = {
  id: '31',
  currency: 'IRR',
  effectiveFrom: '2026-03-21',
  defaultPricePerKwh: 8_287,
  bands: [],
  createdBy: 'op@farm.test',
};

/** An order that starts in an hour, with the sleep it set off. */
function futureOrder(): CurtailmentOrder {
  return {
    id: '51',
    farmId: '7',
    noticeAt: new Date(Date.now()).toISOString(),
    startsAt: new Date(Date.now() + HOUR).toISOString(),
    endsAt: new Date(Date.now() + 2 * HOUR).toISOString(),
    reductionKw: 300,
    noticeRef: null,
    orderedBy: 'op@farm.test',
    curtailment: '00000000-0000-4000-8000-000000000051',
    compliance: null,
  };
}

/** A command of device `id`, ended as its agent said. */
function command(id: string, status: DeviceCommand['status'], outcome: string): DeviceCommand {
  return {
    id: `6${id}`,
    deviceId: id,
    device: `10.0.0.${id}:4028`,
    action: 'sleep',
    params: {},
    orderedBy: 'op@farm.test',
    orderedAt: '2026-12-08T19:00:00.000Z',
    notBefore: '2026-12-08T19:00:00.000Z',
    curtailment: null,
    status,
    sentAt: '2026-12-08T19:00:05.000Z',
    finishedAt: '2026-12-08T19:00:09.000Z',
    outcome,
  };
}

const VALIDATION = (field: string, rule: string) => ({
  status: 400,
  body: { error: 'HW_ERR_VALIDATION', message: `${field} ${rule}`, field },
});

/** The farm page of a farm with two devices, a window of its own and one of its country, a tariff and an order. */
function farmPage(routes: StubRoutes = {}): SentRequest[] {
  const sent = stubApi({
    'GET ^/farms/7$': { body: FARM },
    'GET ^/farms/7/devices$': { body: [deviceFixture('1'), deviceFixture('2')] },
    'GET ^/farms/7/restricted-windows$': { body: [OWN_WINDOW, NATIONAL_WINDOW] },
    'GET ^/farms/7/curtailment-orders$': { body: [futureOrder()] },
    'GET ^/farms/7/tariffs$': { body: [TARIFF] },
    ...routes,
  });
  renderAt(
    '/farms/7',
    <Route
      path="/farms/:id"
      element={
        <>
          <FarmPage />
          <Toaster />
        </>
      }
    />,
  );
  return sent;
}

/** Answers the open confirmation: `true` presses its action, `false` presses Escape. */
async function answer(confirmed: boolean, name?: string): Promise<HTMLElement> {
  const dialog = await screen.findByRole('alertdialog', name === undefined ? {} : { name });
  if (confirmed) {
    const [, action] = within(dialog).getAllByRole('button');
    fireEvent.click(action as HTMLElement);
  } else {
    fireEvent.keyDown(dialog, { key: 'Escape' });
  }
  return dialog;
}

describe("a farm's write forms", () => {
  setupComponentTests();

  it("deletes the farm's own window only once confirmed, and has no button for its country's", async () => {
    const sent = farmPage({ 'DELETE ^/farms/7/restricted-windows/21$': { status: 204 } });
    const windows = await screen.findByRole('region', { name: 'Restricted windows' });
    await within(windows).findByText('Set for the region');
    const remove = within(windows).getByRole('button', { name: 'Delete window Critical peak 19:00–23:00' });
    fireEvent.click(remove);
    const dialog = await answer(false, 'Delete this restricted window?');
    expect(dialog.textContent).toContain('Critical peak 19:00–23:00 no longer holds for this farm');
    await waitFor(() => {
      expect(screen.queryByRole('alertdialog')).toBeNull();
    });
    expect(sentTo(sent, 'DELETE', /restricted-windows/)).toEqual([]);
    fireEvent.click(remove);
    await answer(true);
    await screen.findByText('Window Critical peak 19:00–23:00 deleted.');
    expect(sentTo(sent, 'DELETE', /restricted-windows/).map((request) => request.path)).toEqual([
      '/farms/7/restricted-windows/21',
    ]);
  });

  it("shows the API's refusal next to its field, translated, and toasts it", async () => {
    const sent = farmPage({
      'POST ^/farms/7/curtailment-orders$': VALIDATION('body.reductionKw', 'must be > 0'),
    });
    const form = await screen.findByRole('form', { name: "Record a grid operator's order" });
    fireEvent.change(within(form).getByLabelText('Starts (your clock)'), {
      target: { value: '2026-12-08T19:00' },
    });
    fireEvent.change(within(form).getByLabelText('Ends (your clock)'), {
      target: { value: '2026-12-08T23:00' },
    });
    fireEvent.change(within(form).getByLabelText('Reduction, kW'), { target: { value: '0' } });
    fireEvent.submit(form);
    const field = within(form).getByText('Reduction, kW').closest('label') as HTMLElement;
    expect((await within(field).findByRole('alert')).textContent).toBe('Not valid: must be > 0.');
    await screen.findByText('Check the field: body.reductionKw must be > 0');
    expect(sentTo(sent, 'POST', /curtailment-orders$/).map((request) => request.body)).toEqual([
      {
        // The form's times are the reader's clock, whatever the machine's zone.
        startsAt: new Date('2026-12-08T19:00').toISOString(),
        endsAt: new Date('2026-12-08T23:00').toISOString(),
        reductionKw: 0,
      },
    ]);
  });

  it('records an order that puts the devices ticked to sleep, once confirmed naming how many and which could not', async () => {
    const why = 'its firmware has no sleep over the API the agent reads it by';
    const sent = farmPage({
      'POST ^/farms/7/curtailment-orders$': {
        status: 201,
        // A hall of one stock firmware: the notice names five and counts the rest.
        body: {
          ...futureOrder(),
          unable: Array.from({ length: 7 }, (_, index) => ({
            deviceId: String(10 + index),
            device: `10.0.1.${String(index + 1)}:4028`,
            why,
          })),
        },
      },
    });
    const form = await screen.findByRole('form', { name: "Record a grid operator's order" });
    fireEvent.change(within(form).getByLabelText('Starts (your clock)'), {
      target: { value: '2026-12-08T19:00' },
    });
    fireEvent.change(within(form).getByLabelText('Ends (your clock)'), {
      target: { value: '2026-12-08T23:00' },
    });
    fireEvent.change(within(form).getByLabelText('Reduction, kW'), { target: { value: '300' } });
    fireEvent.click(within(form).getByLabelText('Put the farm to sleep for it'));
    fireEvent.click(await within(form).findByLabelText('10.0.0.2:4028'));
    fireEvent.submit(form);
    const dialog = await answer(false, 'Record the order and put the farm to sleep?');
    expect(dialog.textContent).toContain('1 machine stops hashing, staggered over 10 minutes');
    expect(sentTo(sent, 'POST', /curtailment-orders$/)).toEqual([]);
    fireEvent.submit(form);
    await answer(true);
    await screen.findByText('Order recorded.');
    const named = [1, 2, 3, 4, 5].map((host) => `10.0.1.${String(host)}:4028 (${why})`).join(', ');
    await screen.findByText(
      `7 machines cannot be put to sleep from here and were left out: ${named} and 2 more. Switch them off by hand or at their breakers.`,
    );
    expect(sentTo(sent, 'POST', /curtailment-orders$/).map((request) => request.body)).toEqual([
      {
        startsAt: new Date('2026-12-08T19:00').toISOString(),
        endsAt: new Date('2026-12-08T23:00').toISOString(),
        reductionKw: 300,
        staggerMinutes: 10,
        deviceIds: ['2'],
      },
    ]);
  });

  it('checks first what the API would refuse: an order that ends before it starts is not sent', async () => {
    const sent = farmPage();
    const form = await screen.findByRole('form', { name: "Record a grid operator's order" });
    fireEvent.change(within(form).getByLabelText('Starts (your clock)'), {
      target: { value: '2026-12-08T23:00' },
    });
    fireEvent.change(within(form).getByLabelText('Ends (your clock)'), {
      target: { value: '2026-12-08T19:00' },
    });
    const field = within(form).getByText('Ends (your clock)').closest('label') as HTMLElement;
    expect(within(field).getByRole('alert').textContent).toBe('An order ends after it starts.');
    expect(within(form).getByRole('button', { name: 'Record' })).toHaveProperty('disabled', true);
    fireEvent.submit(form);
    expect(sentTo(sent, 'POST', /curtailment-orders$/)).toEqual([]);
  });

  it('says before it asks how many of the machines cannot sleep from here, and counts them for a wake', async () => {
    const asleepByHand = {
      ...deviceFixture('2'),
      commands: [{ action: 'sleep' as const, supported: false, reason: 'api' as const }],
    };
    farmPage({ 'GET ^/farms/7/devices$': { body: [deviceFixture('1'), asleepByHand] } });
    const form = await screen.findByRole('form', { name: 'Sleep or wake the farm' });
    await within(form).findByText('10.0.0.2:4028');
    fireEvent.submit(form);
    const sleep = await answer(false, 'Put machines to sleep?');
    expect(sleep.textContent).toBe(
      'Put machines to sleep?1 machine stops hashing, staggered over 10 minutes. 1 more cannot be put to sleep from here and is left out.CancelSleep',
    );
    await waitFor(() => {
      expect(screen.queryByRole('alertdialog')).toBeNull();
    });
    fireEvent.change(within(form).getByRole('combobox', { name: 'Action' }), { target: { value: 'resume' } });
    fireEvent.submit(form);
    const wake = await answer(false, 'Wake machines?');
    expect(wake.textContent).toBe(
      'Wake machines?2 machines start hashing again, staggered over 10 minutes.CancelResume',
    );
  });

  it('puts the farm to sleep only once confirmed, naming how many stop and which could not, and follows each', async () => {
    const slept = (id: string, status: 'done' | 'failed', outcome: string) => ({
      ...command(id, status, outcome),
      curtailment: '00000000-0000-4000-8000-000000000061',
    });
    const sent = farmPage({
      'GET ^/farms/7/commands': {
        body: [slept('1', 'done', 'asleep'), slept('2', 'failed', 'connect ECONNREFUSED 10.0.0.2:4028')],
      },
      'POST ^/farms/7/curtailment$': {
        status: 201,
        body: {
          curtailment: '00000000-0000-4000-8000-000000000061',
          commands: 2,
          firstAt: '2026-12-08T19:00:00.000Z',
          lastAt: '2026-12-08T19:10:00.000Z',
          unable: [
            {
              deviceId: '9',
              device: '10.0.0.9:4028',
              why: 'stock Antminer firmware has no sleep over its cgminer API',
            },
          ],
        },
      },
    });
    const form = await screen.findByRole('form', { name: 'Sleep or wake the farm' });
    await within(form).findByText('10.0.0.2:4028');
    fireEvent.submit(form);
    const dialog = await answer(false, 'Put machines to sleep?');
    expect(dialog.textContent).toBe(
      'Put machines to sleep?2 machines stop hashing, staggered over 10 minutes.CancelSleep',
    );
    await waitFor(() => {
      expect(screen.queryByRole('alertdialog')).toBeNull();
    });
    expect(sentTo(sent, 'POST', /curtailment$/)).toEqual([]);
    fireEvent.submit(form);
    await answer(true);
    await screen.findByText(/^2 commands queued; the last is due/);
    await screen.findByText(
      '1 machine cannot be put to sleep from here and was left out: 10.0.0.9:4028 (stock Antminer firmware has no sleep over its cgminer API). Switch it off by hand or at its breaker.',
    );
    expect(sentTo(sent, 'POST', /curtailment$/).map((request) => request.body)).toEqual([
      { action: 'sleep', staggerMinutes: 10 },
    ]);
    const progress = await within(form).findByRole('status', { name: 'Progress of the sleep or wake' });
    await within(progress).findByText('Done: 1. Failed: 1. Waiting: 0.');
    expect(within(progress).getByRole('listitem').textContent).toBe(
      '10.0.0.2:4028: connect ECONNREFUSED 10.0.0.2:4028',
    );
    await screen.findByText('Finished: 1 done, 1 failed.');
  });

  it('withdraws an order that has not started once confirmed, and says what became of its commands', async () => {
    const sent = farmPage({
      'DELETE ^/farms/7/curtailment-orders/51$': {
        body: { order: futureOrder(), commandsWithdrawn: 1, commandsSent: 1 },
      },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Withdraw' }));
    await answer(false, 'Withdraw this order?');
    expect(sentTo(sent, 'DELETE', /curtailment-orders/)).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Withdraw' }));
    await answer(true);
    await screen.findByText(
      'Order withdrawn: 1 commands withdrawn, 1 already sent (those devices stay asleep until woken).',
    );
    expect(sentTo(sent, 'DELETE', /curtailment-orders/).map((request) => request.path)).toEqual([
      '/farms/7/curtailment-orders/51',
    ]);
  });

  it("saves the farm's licence, and says a capacity the API refused next to it", async () => {
    const sent = farmPage({
      'PATCH ^/farms/7$': VALIDATION('body.licence.capacityKw', 'must be > 0'),
    });
    const form = await screen.findByRole('form', { name: 'Profile and licence' });
    fireEvent.change(within(form).getByLabelText('Licence number'), { target: { value: 'MIMT-1405-77' } });
    fireEvent.change(within(form).getByLabelText('Licensed capacity, kW'), { target: { value: '0' } });
    fireEvent.submit(form);
    const field = within(form).getByText('Licensed capacity, kW').closest('label') as HTMLElement;
    expect((await within(field).findByRole('alert')).textContent).toBe('Not valid: must be > 0.');
    expect(sentTo(sent, 'PATCH', /^\/farms\/7$/).map((request) => request.body)).toEqual([
      {
        name: 'Shed',
        country: null,
        region: null,
        timezone: 'Asia/Tehran',
        licence: {
          number: 'MIMT-1405-77',
          authority: null,
          capacityKw: 0,
          validFrom: null,
          validTo: null,
          registerEntry: null,
          taxId: null,
        },
      },
    ]);
  });

  it("adds a farm to the operator's organisation and leads to it", async () => {
    const sent = stubApi({
      'GET ^/organisations/3/farms$': { body: [] },
      'POST ^/organisations/3/farms$': { status: 201, body: farmFixture({ id: '8', name: 'Hall B' }) },
    });
    const operator = { id: '9', email: 'op@farm.test', name: 'Op', role: 'operator', organisationId: '3' };
    renderAt(
      '/farms',
      <Route
        path="/farms"
        element={
          <>
            <FarmsPage user={operator as never} />
            <Toaster />
          </>
        }
      />,
    );
    const form = await screen.findByRole('form', { name: 'Add a farm' });
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'Hall B' } });
    fireEvent.submit(form);
    await screen.findByText('Farm Hall B added.');
    expect(
      screen.getByRole('link', { name: 'Set up Hall B: location, licence, tariff' }).getAttribute('href'),
    ).toBe('/farms/8');
    expect(sentTo(sent, 'POST', /farms$/).map((request) => request.body)).toEqual([{ name: 'Hall B' }]);
  });

  it("corrects a tariff's bands, shows a clash of days next to the day, and deletes one once confirmed", async () => {
    const sent = farmPage({
      'PUT ^/farms/7/tariffs/31$': {
        status: 409,
        body: {
          error: 'HW_ERR_NAME_TAKEN',
          message: 'This farm has a tariff from that day already.',
          field: 'body.effectiveFrom',
        },
      },
      'DELETE ^/farms/7/tariffs/31$': { status: 204 },
    });
    const tariffs = await screen.findByRole('region', { name: 'Tariffs' });
    fireEvent.click(await within(tariffs).findByRole('button', { name: 'Correct' }));
    const form = within(tariffs).getByRole('form', { name: 'Correct tariff' });
    fireEvent.click(within(form).getByRole('button', { name: 'Add a band' }));
    fireEvent.change(within(form).getByLabelText('Band'), { target: { value: 'restricted' } });
    fireEvent.change(within(form).getByLabelText('Price per kWh'), { target: { value: '33148' } });
    fireEvent.change(within(form).getByLabelText('Daily from'), { target: { value: '19:00' } });
    fireEvent.change(within(form).getByLabelText('Daily to'), { target: { value: '23:00' } });
    fireEvent.submit(form);
    const day = within(form).getByText('From').closest('label') as HTMLElement;
    expect((await within(day).findByRole('alert')).textContent).toBe(
      'Taken already: This farm has a tariff from that day already.',
    );
    expect(sentTo(sent, 'PUT', /tariffs/).map((request) => request.body)).toEqual([
      {
        currency: 'IRR',
        effectiveFrom: '2026-03-21',
        defaultPricePerKwh: 8_287,
        bands: [{ name: 'restricted', pricePerKwh: 33_148, windows: [{ from: '19:00', to: '23:00' }] }],
      },
    ]);

    fireEvent.click(within(tariffs).getByRole('button', { name: 'Delete' }));
    await answer(false, 'Delete this tariff?');
    expect(sentTo(sent, 'DELETE', /tariffs/)).toEqual([]);
    fireEvent.click(within(tariffs).getByRole('button', { name: 'Delete' }));
    await answer(true);
    await screen.findByText(/^Tariff from .* deleted\.$/);
    expect(sentTo(sent, 'DELETE', /tariffs/).map((request) => request.path)).toEqual(['/farms/7/tariffs/31']);
  });
});

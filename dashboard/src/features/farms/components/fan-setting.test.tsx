import type { DeviceCommand } from '@hashwatt/schemas';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { sentTo } from '../../../testing/stub-api.ts';
import { DEVICE, stubbedDevicePage } from './device-page-stubbed.tsx';

/** The device page on a pool that refuses a manual mode without its % (as the API does), and queues the rest. */
function page() {
  return stubbedDevicePage({
    list: { body: [] },
    send: (request) => {
      const { params } = request.body as { params: { fanMode: string; fanPercent?: number } };
      if (params.fanMode === 'manual' && params.fanPercent === undefined) {
        return {
          status: 400,
          body: {
            error: 'HW_ERR_ACTION_PARAMS',
            field: 'body.params.fanPercent',
            message: 'set-fan needs params.fanMode, and params.fanPercent when it is manual.',
          },
        };
      }
      const queued: Partial<DeviceCommand> = {
        id: '41',
        deviceId: '1',
        device: DEVICE.device,
        status: 'queued',
      };
      return { status: 201, body: { ...queued, action: 'set-fan', params } };
    },
  });
}

describe("a device's fans", () => {
  setupComponentTests();

  it('sends a fixed speed, says under the field what the pool refused, then automatic', async () => {
    const sent = page();
    fireEvent.change(await screen.findByLabelText('Fans'), { target: { value: 'manual' } });
    const setFans = screen.getByRole('button', { name: 'Set fans' });
    fireEvent.click(setFans);
    // The pool's refusal, under the field it names.
    expect((await screen.findByRole('alert')).closest('label')?.textContent).toMatch(/^Fan speed, %/);
    fireEvent.change(screen.getByLabelText(/^Fan speed, %/), { target: { value: '70' } });
    fireEvent.click(setFans);
    await screen.findByText("Set fans sent to the farm's agent for 10.0.0.1:4028: its status follows here.");
    fireEvent.change(screen.getByLabelText('Fans'), { target: { value: 'auto' } });
    expect(screen.queryByLabelText(/^Fan speed, %/)).toBeNull();
    fireEvent.click(setFans);
    await waitFor(() => {
      expect(sentTo(sent, 'POST', /commands$/).map((request) => request.body)).toEqual([
        { action: 'set-fan', params: { fanMode: 'manual' } },
        { action: 'set-fan', params: { fanMode: 'manual', fanPercent: 70 } },
        { action: 'set-fan', params: { fanMode: 'auto' } },
      ]);
    });
  });

  it('is worded in Persian and Russian', async () => {
    await i18next.changeLanguage('fa');
    page();
    expect(await screen.findByRole('button', { name: 'تنظیم فن‌ها' })).toBeTruthy();
    expect(screen.getByRole('option', { name: 'سرعت ثابت' })).toBeTruthy();
    cleanup();
    await i18next.changeLanguage('ru');
    page();
    expect(await screen.findByLabelText('Вентиляторы')).toBeTruthy();
  });
});

import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { sentTo } from '../../../testing/stub-api.ts';
import { DEVICE, QUEUES_ANY, stubbedDevicePage } from './device-page-stubbed.tsx';

function page(nominalPowerW: number | null) {
  return stubbedDevicePage(QUEUES_ANY, { ...DEVICE, nominalPowerW });
}

describe("a device's power target", () => {
  setupComponentTests();

  it('takes watts up to the nameplate only, asks naming the device and the watts, then sends them', async () => {
    const sent = page(3_250);
    const form = await screen.findByRole('form', { name: 'Set power target' });
    expect(form.textContent).toContain('From 100 to 3,250 W (its nameplate power is 3,250 W).');
    const watts = within(form).getByLabelText('Power target, W');
    const submit = within(form).getByRole('button', { name: 'Set power target' });
    for (const refused of ['3251', '99', '2500.5', 'abc']) {
      fireEvent.change(watts, { target: { value: refused } });
      fireEvent.click(submit);
      expect(within(form).getByRole('alert').textContent).toBe(
        'Give a whole number of watts from 100 to 3,250.',
      );
    }
    expect(screen.queryByRole('alertdialog')).toBeNull();
    fireEvent.change(watts, { target: { value: '2800' } });
    fireEvent.click(submit);
    const dialog = await screen.findByRole('alertdialog', { name: 'Set power target?' });
    expect(dialog.textContent).toContain(
      '10.0.0.1:4028 is set to draw 2,800 W; its hashrate falls with its power.',
    );
    fireEvent.click(within(dialog).getByRole('button', { name: 'Set power target' }));
    await waitFor(() => {
      expect(sentTo(sent, 'POST', /commands$/).map((request) => request.body)).toEqual([
        { action: 'set-power-target', params: { powerTargetW: 2800 } },
      ]);
    });
  });

  it("says the bounds are the API's when the nameplate is not known", async () => {
    page(null);
    const form = await screen.findByRole('form', { name: 'Set power target' });
    expect(form.textContent).toContain("From 100 to 100,000 W: the model's nameplate power is not known.");
  });
});

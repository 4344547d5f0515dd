import type { DeviceCommand } from '@hashwatt/schemas';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { sentTo } from '../../../testing/stub-api.ts';
import { DEVICE, stubbedDevicePage } from './device-page-stubbed.tsx';

function command(fields: Partial<DeviceCommand> & Pick<DeviceCommand, 'action' | 'status'>): DeviceCommand {
  return {
    id: '40',
    deviceId: '1',
    device: DEVICE.device,
    params: {},
    orderedBy: 'op@farm.test',
    orderedAt: '2026-12-07T10:00:00.000Z',
    notBefore: '2026-12-07T10:00:00.000Z',
    curtailment: null,
    sentAt: null,
    finishedAt: null,
    outcome: null,
    ...fields,
  };
}

/**
 * The device page on a farm whose agent fails the reboot: the command is queued, then
 * (the next time the page asks) failed with the agent's own error.
 */
function farmWhoseAgentFails() {
  let commands: DeviceCommand[] = [];
  return stubbedDevicePage({
    list: () => ({ body: commands }),
    send: (request) => {
      const { action } = request.body as { action: DeviceCommand['action'] };
      commands = [command({ action, status: 'failed', outcome: 'connect ECONNREFUSED 10.0.0.1:4028' })];
      return { status: 201, body: command({ action, status: 'queued' }) };
    },
  });
}

describe("a device's commands", () => {
  setupComponentTests();

  it('asks before a reboot: Escape sends nothing, confirming sends it, and the failure is told in words', async () => {
    const sent = farmWhoseAgentFails();
    const reboot = await screen.findByRole('button', { name: 'Reboot' });
    // As a keyboard user presses it: focus goes back to it when the dialog closes.
    reboot.focus();
    fireEvent.click(reboot);
    const dialog = await screen.findByRole('alertdialog', { name: 'Reboot?' });
    expect(dialog.textContent).toContain('10.0.0.1:4028 stops hashing while it restarts');
    expect(dialog.textContent).toContain('(1 machine)');
    // Focus starts on the safe answer and stays inside: Tab from the last button comes back to the first.
    const [cancel, confirm] = within(dialog).getAllByRole('button');
    expect(document.activeElement).toBe(cancel);
    confirm?.focus();
    fireEvent.keyDown(dialog, { key: 'Tab' });
    expect(document.activeElement).toBe(cancel);
    fireEvent.keyDown(dialog, { key: 'Escape' });
    await waitFor(() => {
      expect(screen.queryByRole('alertdialog')).toBeNull();
    });
    expect(sentTo(sent, 'POST', /commands$/)).toEqual([]);
    expect(document.activeElement).toBe(reboot);

    fireEvent.click(reboot);
    fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Reboot' }));
    await screen.findByText("Reboot sent to the farm's agent for 10.0.0.1:4028: its status follows here.");
    expect(sentTo(sent, 'POST', /commands$/).map((request) => request.body)).toEqual([{ action: 'reboot' }]);
    await screen.findByText('Reboot failed on 10.0.0.1:4028: connect ECONNREFUSED 10.0.0.1:4028');
    const latest = screen.getByRole('status', { name: 'Latest command' });
    expect(latest.textContent).toBe('Reboot: Failed – the agent said: connect ECONNREFUSED 10.0.0.1:4028');
  });

  it('sends a resume at once: it stops nothing', async () => {
    const sent = farmWhoseAgentFails();
    fireEvent.click(await screen.findByRole('button', { name: 'Resume' }));
    await waitFor(() => {
      expect(sentTo(sent, 'POST', /commands$/).map((request) => request.body)).toEqual([
        { action: 'resume' },
      ]);
    });
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });
});

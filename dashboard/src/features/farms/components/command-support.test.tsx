import type { CommandSupport } from '@hashwatt/schemas';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { sentTo } from '../../../testing/stub-api.ts';
import { DEVICE, QUEUES_ANY, stubbedDevicePage } from './device-page-stubbed.tsx';

/** A Whatsminer on API v2 as its agent declares it: no fan command, and sleep not said. */
const DECLARED: CommandSupport[] = [
  { action: 'resume', supported: true },
  { action: 'reboot', supported: true },
  { action: 'set-power-target', supported: true },
  {
    action: 'set-fan',
    supported: false,
    reason: 'firmware',
    note: 'Whatsminer API v2 has no fan command: btminer drives its fans itself',
  },
  {
    action: 'switch-pool',
    supported: false,
    reason: 'api',
    note: 'read it with braiins-rest to switch pools',
  },
];

function page(commands?: CommandSupport[]) {
  return stubbedDevicePage(QUEUES_ANY, { ...DEVICE, ...(commands !== undefined && { commands }) });
}

describe('which commands a device is offered', () => {
  setupComponentTests();

  it('disables what the agent declared unsupported, with the reason, and says sleep is not known', async () => {
    page(DECLARED);
    const setFans = await screen.findByRole('button', { name: 'Set fans' });
    expect(setFans).toHaveProperty('disabled', true);
    expect(screen.getByLabelText('Fans')).toHaveProperty('disabled', true);
    expect(
      screen.getByText(/^Set fans: not on this device – its firmware has no such command/).textContent,
    ).toBe(
      'Set fans: not on this device – its firmware has no such command (Whatsminer API v2 has no fan command: btminer drives its fans itself)',
    );
    expect(screen.getByRole('button', { name: 'Switch pool' })).toHaveProperty('disabled', true);
    expect(screen.getByText(/^Switch pool: not on this device – not through the API/)).toBeDefined();
    // Never declared: offered, and said to be unknown.
    expect(screen.getByRole('button', { name: 'Sleep' })).toHaveProperty('disabled', false);
    expect(
      screen.getByText('Sleep: whether this device can is not known; its agent did not say.'),
    ).toBeDefined();
    expect(screen.getByRole('button', { name: 'Reboot' })).toHaveProperty('disabled', false);
    expect(screen.queryByText(/^Reboot:/)).toBeNull();
  });

  it('takes an agent that declared an action both ways at its "cannot", as the pool does', async () => {
    page([
      { action: 'reboot', supported: true },
      { action: 'reboot', supported: false, reason: 'firmware' },
    ]);
    expect(await screen.findByRole('button', { name: 'Reboot' })).toHaveProperty('disabled', true);
    expect(screen.getByText(/^Reboot: not on this device – its firmware has no such command/)).toBeDefined();
  });

  it('says why in Persian and Russian', async () => {
    await i18next.changeLanguage('fa');
    page(DECLARED);
    expect(
      await screen.findByText(/^تنظیم فن‌ها: روی این دستگاه نیست – فرم‌ور آن چنین فرمانی ندارد/),
    ).toBeTruthy();
    cleanup();
    await i18next.changeLanguage('ru');
    page();
    expect(await screen.findByText(/^Агент не сообщил, какие команды/)).toBeTruthy();
  });

  it('offers every command to a device whose agent declared none, and says why', async () => {
    const sent = page();
    await screen.findByText(/^Its agent has not said which commands this device can carry out/);
    for (const name of ['Sleep', 'Resume', 'Reboot', 'Set fans', 'Switch pool', 'Set power target']) {
      expect(screen.getByRole('button', { name })).toHaveProperty('disabled', false);
    }
    fireEvent.click(screen.getByRole('button', { name: 'Sleep' }));
    fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Sleep' }));
    await waitFor(() => {
      expect(sentTo(sent, 'POST', /commands$/).map((request) => request.body)).toEqual([{ action: 'sleep' }]);
    });
  });
});

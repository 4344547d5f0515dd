import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { sentTo } from '../../../testing/stub-api.ts';
import { QUEUES_ANY, stubbedDevicePage } from './device-page-stubbed.tsx';
import { poolProblems } from './pool-switch.tsx';

function page() {
  return stubbedDevicePage(QUEUES_ANY);
}

describe("a device's pool switch", () => {
  setupComponentTests();

  it('checks the URL and the worker first, asks naming the device and the pool, then sends it', async () => {
    const sent = page();
    const form = await screen.findByRole('form', { name: 'Switch pool' });
    const submit = within(form).getByRole('button', { name: 'Switch pool' });
    fireEvent.change(within(form).getByLabelText(/^Pool URL/), { target: { value: 'http://pool.example' } });
    fireEvent.click(submit);
    expect(
      within(form)
        .getAllByRole('alert')
        .map((alert) => alert.textContent),
    ).toEqual([
      'Give the pool as stratum+tcp://host:port (or stratum+ssl://), the port 1–65535.',
      'Give the worker (user) name.',
    ]);
    expect(screen.queryByRole('alertdialog')).toBeNull();

    fireEvent.change(within(form).getByLabelText(/^Pool URL/), {
      target: { value: 'stratum+tcp://pool.example:3333' },
    });
    fireEvent.change(within(form).getByLabelText('Worker (user)'), { target: { value: 'farm.s19' } });
    fireEvent.click(submit);
    const dialog = await screen.findByRole('alertdialog', { name: 'Switch pool?' });
    expect(dialog.textContent).toContain(
      '10.0.0.1:4028 leaves the pool it mines on for stratum+tcp://pool.example:3333, as worker farm.s19.',
    );
    fireEvent.keyDown(dialog, { key: 'Escape' });
    await waitFor(() => {
      expect(screen.queryByRole('alertdialog')).toBeNull();
    });
    expect(sentTo(sent, 'POST', /commands$/)).toEqual([]);

    fireEvent.change(within(form).getByLabelText(/^Password/), { target: { value: 'x1' } });
    fireEvent.click(submit);
    fireEvent.click(
      within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Switch pool' }),
    );
    await screen.findByText(
      "Switch pool sent to the farm's agent for 10.0.0.1:4028: its status follows here.",
    );
    expect(sentTo(sent, 'POST', /commands$/).map((request) => request.body)).toEqual([
      {
        action: 'switch-pool',
        params: { poolUrl: 'stratum+tcp://pool.example:3333', poolUser: 'farm.s19', poolPassword: 'x1' },
      },
    ]);
  });

  it('refuses a port out of range, text after the port, and fields over the API limits', () => {
    expect(poolProblems('stratum+tcp://pool.example:70000', 'w', '')).toEqual([
      { field: 'url', key: 'badUrl' },
    ]);
    expect(poolProblems('stratum+tcp://pool.example:3333/x', 'w', '')).toEqual([
      { field: 'url', key: 'badUrl' },
    ]);
    expect(poolProblems('stratum+ssl://pool.example:443', 'w', '')).toEqual([]);
    expect(poolProblems(`stratum+tcp://${'a'.repeat(500)}:1`, 'w'.repeat(201), 'p'.repeat(201))).toEqual([
      { field: 'url', key: 'tooLong', max: 500 },
      { field: 'user', key: 'tooLong', max: 200 },
      { field: 'password', key: 'tooLong', max: 200 },
    ]);
  });
});

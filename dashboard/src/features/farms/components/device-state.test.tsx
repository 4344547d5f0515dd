import type { FarmDevice } from '@hashwatt/schemas';
import { cleanup, screen } from '@testing-library/react';
import i18next from 'i18next';
import { Route } from 'react-router';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setupI18n } from '../../../i18n/index.ts';
import { deviceFixture } from '../../../testing/fixtures.ts';
import { renderAt } from '../../../testing/render-at.tsx';
import { stubApi } from '../../../testing/stub-api.ts';
import { DevicePage } from './device-page.tsx';

/** The device page of a device whose latest reading is `device`. */
function pageOf(device: FarmDevice) {
  stubApi({ 'GET ^/farms/7/devices/1$': { body: device }, 'GET ^/farms/7/commands': { body: [] } });
  renderAt('/farms/7/devices/1', <Route path="/farms/:id/devices/:deviceId" element={<DevicePage />} />);
}

const starting: FarmDevice = {
  ...deviceFixture('1'),
  state: 'starting',
  stateEvidence: 'rpc:stats SYSTEMSTATU Work: In Init, SoftOFF=0',
  hashrate: 0,
};

describe("a device's state and what it was read from", () => {
  beforeAll(async () => {
    await setupI18n('en');
  });
  afterEach(async () => {
    cleanup();
    vi.unstubAllGlobals();
    await i18next.changeLanguage('en');
  });

  it('shows the state in words and the evidence as the device gave it, left to right', async () => {
    pageOf(starting);
    expect(await screen.findByText('Starting')).toBeTruthy();
    const evidence = screen.getByText('rpc:stats SYSTEMSTATU Work: In Init, SoftOFF=0');
    expect(evidence.getAttribute('dir')).toBe('ltr');
    expect(evidence.parentElement?.textContent).toBe(
      'Read from: rpc:stats SYSTEMSTATU Work: In Init, SoftOFF=0',
    );
  });

  it('in Persian and Russian, the state and the label translated, the evidence kept', async () => {
    await i18next.changeLanguage('fa');
    pageOf({ ...starting, state: 'idle', stateEvidence: 'rpc:config CurtailMode=Idle' });
    expect(await screen.findByText('بیکار')).toBeTruthy();
    expect(screen.getByText('rpc:config CurtailMode=Idle').parentElement?.textContent).toBe(
      'خوانده‌شده از: rpc:config CurtailMode=Idle',
    );
    cleanup();
    await i18next.changeLanguage('ru');
    pageOf(starting);
    expect(await screen.findByText('Запускается')).toBeTruthy();
  });

  it('says so when the agent gave no evidence, rather than showing nothing', async () => {
    pageOf({ ...deviceFixture('1'), stateEvidence: null });
    expect(await screen.findByText('The agent did not say what it read the state from')).toBeTruthy();
  });
});

import type { FarmDevice } from '@hashwatt/schemas';
import { cleanup, screen } from '@testing-library/react';
import i18next from 'i18next';
import { Route } from 'react-router';
import { describe, expect, it } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
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
  setupComponentTests();

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

  it("says what the agent inferred in the reader's language, the firmware's words kept as it gave them", async () => {
    const inferred: FarmDevice = {
      ...starting,
      stateEvidence: 'rpc:status mineroff=false; up 95 s, hashrate 0 yet',
      stateReason: {
        code: 'starting',
        quote: 'rpc:status mineroff=false',
        hashrate: 'zero',
        uptimeSeconds: 95,
      },
    };
    pageOf(inferred);
    expect(await screen.findByText('Starting')).toBeTruthy();
    const quote = screen.getByText('rpc:status mineroff=false');
    expect(quote.getAttribute('dir')).toBe('ltr');
    expect(quote.parentElement?.textContent).toBe(
      'No state read; inferred from: up 95 s, hashrate still zero · the firmware said: rpc:status mineroff=false',
    );
    cleanup();
    await i18next.changeLanguage('fa');
    pageOf(inferred);
    const persian = await screen.findByText('rpc:status mineroff=false');
    expect(persian.parentElement?.textContent).toContain(
      'وضعیتی خوانده نشد؛ برداشت از: ۹۵ ثانیه از روشن شدن، نرخ هش هنوز صفر',
    );
    expect(persian.parentElement?.textContent).toContain('سفت‌افزار گفت: rpc:status mineroff=false');
    cleanup();
    await i18next.changeLanguage('ru');
    pageOf({
      ...inferred,
      state: 'idle',
      stateReason: { code: 'pools-dead', hashrate: 'none', pools: 3 },
    });
    expect(
      await screen.findByText(
        'Состояние не прочитано; выведено по признакам: хешрейт не сообщается, недоступны все пулы (3)',
      ),
    ).toBeTruthy();
  });

  it("shows the firmware's own word untranslated, and an older reading's text as it was stored", async () => {
    await i18next.changeLanguage('ru');
    pageOf({ ...starting, stateReason: { code: 'reported', quote: 'rpc:config CurtailMode=Sleep' } });
    expect((await screen.findByText('rpc:config CurtailMode=Sleep')).parentElement?.textContent).toBe(
      'Прочитано из: rpc:config CurtailMode=Sleep',
    );
    cleanup();
    // A reading from an agent older than the codes: its English text, as it came.
    pageOf({ ...starting, stateEvidence: 'no state read: hashrate 0' });
    expect((await screen.findByText('no state read: hashrate 0')).getAttribute('dir')).toBe('ltr');
  });

  it('says so when the agent gave no evidence, rather than showing nothing', async () => {
    pageOf({ ...deviceFixture('1'), stateEvidence: null });
    expect(await screen.findByText('The agent did not say what it read the state from')).toBeTruthy();
  });
});

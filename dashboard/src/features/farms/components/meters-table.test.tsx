import type { FarmPower } from '@hashwatt/schemas';
import { cleanup, render, screen } from '@testing-library/react';
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { MetersTable } from './meters-table.tsx';

const WRONG_PASSWORD =
  '10.0.9.7:4059 (dlms): the association: the meter refused the association (permanently): authentication failure: wrong password';

/** The farm's power view with a meter read well and one whose read failed after its last reading. */
const power: FarmPower = {
  farmId: '7',
  power: { watts: 3_000, basis: 'measured', source: 'miner', reason: 'meter "tp-1" is unknown' },
  hashrate: null,
  otherAlgorithms: [],
  efficiency: { joulesPerTh: null, basis: 'unknown', reason: 'no hashrate' },
  devices: { total: 1, measured: 1, estimated: 0, unknown: 0 },
  meter: {
    watts: null,
    at: '2026-12-07T11:57:00.000Z',
    fresh: false,
    meters: [
      {
        name: 'hall-c',
        serial: null,
        at: '2026-12-07T11:59:00Z',
        watts: 200,
        energyWh: 5_000,
        tariffEnergyWh: {},
        failure: null,
      },
      {
        name: 'tp-1',
        serial: '14250012',
        at: '2026-12-07T11:57:00Z',
        watts: 3_100,
        energyWh: 16_667_420,
        tariffEnergyWh: { peak: 12_345_670, normal: 4_321_500 },
        failure: { at: '2026-12-07T11:59:00Z', reason: WRONG_PASSWORD },
      },
    ],
  },
};

describe("the farm's meters", () => {
  setupComponentTests();

  it('shows each tariff register and a failed read with its reason, the meter unknown since', () => {
    render(<MetersTable power={power} />);
    expect(screen.getByText('16,667.4 kWh')).toBeTruthy();
    expect(screen.getByText('peak').parentElement?.textContent).toBe('peak: 12,345.7 kWh');
    expect(screen.getByText('normal').parentElement?.textContent).toBe('normal: 4,321.5 kWh');
    expect(screen.getByText('No tariff registers')).toBeTruthy();
    expect(screen.getByText('Read')).toBeTruthy();
    const reason = screen.getByText(WRONG_PASSWORD);
    expect(reason.getAttribute('dir')).toBe('ltr');
    expect(reason.parentElement?.textContent).toMatch(/^Read failed .+: unknown since/);
  });

  it('says so when no meter has reported, rather than an empty table', () => {
    render(<MetersTable power={{ ...power, meter: null }} />);
    expect(screen.getByText('No meter has reported for this farm.')).toBeTruthy();
  });

  it('in Persian with Persian digits and Solar Hijri dates, and in Russian', async () => {
    await i18next.changeLanguage('fa');
    render(<MetersTable power={power} />);
    expect(screen.getByText('کنتورها')).toBeTruthy();
    expect(screen.getByText('peak').parentElement?.textContent).toMatch(/۱۲[٬,]?۳۴۵٫۷/);
    const failed = screen.getByText(WRONG_PASSWORD).parentElement?.textContent ?? '';
    // 7 December 2026 is 16 Azar 1405.
    expect(failed).toMatch(/قرائت ناموفق در .*۱۴۰۵/);
    expect(failed).toMatch(/۱۶/);
    cleanup();
    await i18next.changeLanguage('ru');
    render(<MetersTable power={power} />);
    expect(screen.getByText('Счётчики')).toBeTruthy();
    expect(screen.getByText('Нет тарифных регистров')).toBeTruthy();
  });
});

import type {
  CurtailmentOrder,
  EnergySummary,
  Farm,
  FarmDevice,
  FarmPower,
  OrderCompliance,
  PowerFigure,
} from '@hashwatt/schemas';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { setupI18n } from '../../../i18n/index.ts';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { energyFixture, farmFixture } from '../../../testing/fixtures.ts';
import { DevicePage } from './device-page.tsx';
import { FarmPage } from './farm-page.tsx';
import { FarmsPage, sumPower } from './farms-page.tsx';

const FARM: Farm = farmFixture({ id: '7', name: 'Shed', createdAt: '2026-12-01T00:00:00.000Z' });

const NAMEPLATE: PowerFigure = {
  watts: 3_250,
  basis: 'estimated',
  source: 'nameplate',
  reason: 'the device does not report its power: its nameplate power',
};

/** A device as GET /api/farms/:id/devices lists it. */
function device(id: string, power: PowerFigure): FarmDevice {
  return {
    id,
    device: `10.0.0.${id}:4028`,
    make: 'Antminer',
    model: 'S19',
    firmware: 'stock',
    firmwareVersion: null,
    serial: null,
    mac: null,
    algorithm: 'sha256d',
    firstSeen: '2026-12-01T00:00:00.000Z',
    lastSeen: '2026-12-06T11:59:00.000Z',
    state: 'mining',
    stateEvidence: null,
    stateReason: null,
    hashrate: 100e12,
    expectedHashrate: null,
    powerW: null,
    power,
    efficiency:
      power.watts === null
        ? { joulesPerTh: null, basis: 'unknown', reason: `its power is unknown: ${power.reason ?? ''}` }
        : { joulesPerTh: power.watts / 100, basis: 'estimated', reason: 'from estimated power' },
    chipTempC: null,
    ip: `10.0.0.${id}`,
    location: { rack: null, shelf: null, slot: null },
    nominalHashrate: null,
    nominalPowerW: power.watts,
    poolUser: null,
    poolProtocol: null,
    commands: null,
    hour: { reportedHashrate: 100e12, poolHashrate: null, gapPercent: null, alert: false },
  };
}

const DEVICES = [
  device('1', NAMEPLATE),
  device('2', {
    watts: null,
    basis: 'unknown',
    source: null,
    reason: 'the device does not report its power and has no nameplate power set',
  }),
];

const UNKNOWN_POWER: FarmPower = {
  farmId: '7',
  power: {
    watts: null,
    basis: 'unknown',
    source: null,
    reason: 'the farm has no meter; 1 of 2 devices have no power figure: 10.0.0.2:4028',
  },
  hashrate: 200e12,
  efficiency: { joulesPerTh: null, basis: 'unknown', reason: 'its power is unknown: the farm has no meter' },
  devices: { total: 2, measured: 0, estimated: 1, unknown: 1 },
  meter: null,
  otherAlgorithms: [],
};

const ESTIMATED_POWER: FarmPower = {
  ...UNKNOWN_POWER,
  power: {
    watts: 6_500,
    basis: 'estimated',
    source: 'nameplate',
    reason: 'the farm has no meter; 2 of 2 devices estimated from nameplate power',
  },
  efficiency: { joulesPerTh: 32.5, basis: 'estimated', reason: 'from estimated power' },
  devices: { total: 2, measured: 0, estimated: 2, unknown: 0 },
};

const NO_ENERGY: EnergySummary = energyFixture({ unknownReason: 'the farm has no meter' });

/** The API as a fresh farm with no meter answers it; `power` is the farm's power now. */
function stubApi(
  power: FarmPower,
  energy: EnergySummary = NO_ENERGY,
  orders: readonly CurtailmentOrder[] = [],
  devices: readonly FarmDevice[] = DEVICES,
): void {
  const answers: [RegExp, unknown][] = [
    [/\/farms\/7\/curtailment-orders/, orders],
    [/\/farms\/7\/devices$/, devices],
    [/\/farms\/7\/devices\/1$/, DEVICES[0]],
    [/\/farms\/7\/power$/, power],
    [/\/farms\/7\/energy\?/, energy],
    [/\/farms\/7$/, FARM],
    [/\/organisations\/3\/farms$/, [FARM]],
    [/\/farms\/7\/(restricted-windows|curtailment-orders|api-keys|commands)/, []],
  ];
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string) => {
      const body = answers.find(([pattern]) => pattern.test(url))?.[1];
      return Promise.resolve(
        body === undefined
          ? new Response('{"error":"HW_ERR_NOT_FOUND","message":"no"}', { status: 404 })
          : new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }),
      );
    }),
  );
}

function at(path: string) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route
            path="/farms"
            element={
              <FarmsPage
                user={
                  { id: '1', email: 'op@test', name: 'op', role: 'operator', organisationId: '3' } as never
                }
              />
            }
          />
          <Route path="/farms/:id" element={<FarmPage />} />
          <Route path="/farms/:id/devices/:deviceId" element={<DevicePage />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const stat = (label: string): HTMLElement => {
  const found = screen.getAllByText(label).find((node) => node.classList.contains('stat-label'));
  if (!found?.parentElement) {
    throw new Error(`no stat ${label}`);
  }
  return found.parentElement;
};

describe('a farm nothing measured', () => {
  setupComponentTests();
  beforeEach(() => {
    // jsdom lays nothing out: the device table's scroller reports the size a browser would give it.
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 480 });
  });

  it('shows power, efficiency, energy and peak as unknown with the reason, never 0', async () => {
    stubApi(UNKNOWN_POWER);
    at('/farms/7');
    await screen.findByText('the farm has no meter; 1 of 2 devices have no power figure: 10.0.0.2:4028');
    const power = stat('Power');
    expect(within(power).getByText('unknown')).toBeDefined();
    expect(stat('Efficiency').textContent).toContain('its power is unknown: the farm has no meter');
    const energy = stat('Energy, last 24 h');
    expect(within(energy).getByText('unknown')).toBeDefined();
    expect(energy.textContent).toContain('the farm has no meter');
    expect(stat('Peak demand').textContent).toContain('the farm has no meter');
    expect(document.body.textContent).not.toMatch(/\b0(\.0)? (kW|kWh|J\/TH)\b/);
  });

  it('labels an estimate from nameplate power, says how many devices it covers, and gives W under a kW', async () => {
    stubApi(ESTIMATED_POWER);
    at('/farms/7');
    const power = await screen.findByText('6.50 kW');
    expect(power.parentElement?.textContent).toContain('estimated');
    expect(stat('Power').textContent).toContain('2 of 2 devices estimated from nameplate power');
    expect(stat('Efficiency').textContent).toContain('32.5 J/TH');
    expect(within(stat('Efficiency')).getByText('32.5 J/TH').parentElement?.textContent).toContain(
      'estimated',
    );
    // The device table: the estimate labelled, the unknown one with its reason.
    const estimated = await screen.findByText('3.25 kW');
    expect(estimated.parentElement?.textContent).toContain('estimated');
    expect(
      screen.getByTitle('the device does not report its power and has no nameplate power set').textContent,
    ).toContain('unknown');
  });

  it('shows partial energy as what was measured, labelled, with how much the readings cover', async () => {
    stubApi(ESTIMATED_POWER, {
      ...NO_ENERGY,
      kwhTotal: 0.036,
      peakKw: 0.036,
      basis: 'partial',
      unknownReason: 'readings cover 1 of 24 hours (from 2026-12-06T11:00:00Z to 2026-12-06T12:00:00Z)',
      coverage: {
        firstReadingAt: '2026-12-06T11:00:00.000Z',
        lastReadingAt: '2026-12-06T12:00:00.000Z',
        fraction: 1 / 24,
      },
    });
    at('/farms/7');
    const energy = await screen.findByText('0.04 kWh');
    expect(energy.parentElement?.textContent).toContain('partial');
    expect(stat('Energy, last 24 h').textContent).toContain('readings cover 1 of 24 hours');
    // A CPU miner's demand: 36 W, not "0.0 kW".
    expect(stat('Peak demand').textContent).toContain('36 W partial');
  });

  it("lists each farm's power as the API judged it, and a total unknown when one is", async () => {
    stubApi(UNKNOWN_POWER);
    at('/farms');
    const table = await screen.findByRole('table');
    await within(table).findAllByText('200 TH/s');
    const [, row, footer] = within(table).getAllByRole('row');
    expect(row?.textContent).toContain('unknown');
    expect(row?.textContent).toContain('the farm has no meter');
    expect(footer?.textContent).toContain('unknown');
    expect(table.textContent).not.toMatch(/0\.0 kW/);
  });

  it('counts only SHA-256 devices in its hashrate and shows other algorithms apart, in their units', async () => {
    const d3 = { ...device('3', NAMEPLATE), model: 'D3', algorithm: 'x11', hashrate: 16.35e9 };
    stubApi(
      {
        ...ESTIMATED_POWER,
        hashrate: 100e12,
        otherAlgorithms: [
          { algorithm: 'equihash', hashrate: 135e3, unit: 'Sol/s', devices: 1 },
          { algorithm: 'x11', hashrate: 16.35e9, unit: 'H/s', devices: 1 },
        ],
      },
      NO_ENERGY,
      [],
      [device('1', NAMEPLATE), d3],
    );
    at('/farms/7');
    await screen.findByText('Hashrate (x11, not Bitcoin)');
    expect(stat('Hashrate (devices)').textContent).toContain('100 TH/s');
    expect(stat('Hashrate (x11, not Bitcoin)').textContent).toContain('16.4 GH/s');
    expect(stat('Hashrate (x11, not Bitcoin)').textContent).toContain(
      '1 device, not counted in the Bitcoin hashrate',
    );
    expect(stat('Hashrate (equihash, not Bitcoin)').textContent).toContain('135 kSol/s');
    // In the device table, the D3's figure names its algorithm.
    expect(await screen.findByText('16.4 GH/s (x11)')).toBeDefined();
  });

  it('shows a device estimated from its nameplate, and its efficiency as an estimate', async () => {
    stubApi(ESTIMATED_POWER);
    at('/farms/7/devices/1');
    await screen.findByText('Power');
    const power = stat('Power');
    expect(power.textContent).toContain('3.25 kW');
    expect(power.textContent).toContain('estimated');
    expect(power.textContent).toContain('its nameplate power');
    expect(stat('Efficiency').textContent).toContain('32.5 J/TH');
  });
});

describe('the sum of farms’ power', () => {
  it('is unknown when a farm’s is or has not loaded, estimated when one is, measured otherwise', () => {
    const measured: FarmPower = {
      ...ESTIMATED_POWER,
      power: { watts: 1_000, basis: 'measured', source: 'meter', reason: null },
    };
    expect(sumPower([measured, measured])).toEqual({ watts: 2_000, basis: 'measured' });
    expect(sumPower([measured, ESTIMATED_POWER])).toEqual({ watts: 7_500, basis: 'estimated' });
    expect(sumPower([measured, UNKNOWN_POWER])).toEqual({ watts: null, basis: 'unknown' });
    expect(sumPower([measured, undefined])).toEqual({ watts: null, basis: 'unknown' });
    expect(sumPower([])).toEqual({ watts: null, basis: 'unknown' });
  });
});

const JUDGED: OrderCompliance = {
  verdict: 'violated',
  reasons: [],
  findings: [
    { code: 'load-never-fell', allowedKw: 0.04 },
    { code: 'hashing-after-sleep', device: '10.0.0.1:4028' },
    {
      code: 'command-failed',
      device: '10.0.0.2:4028',
      action: 'sleep',
      status: 'failed',
      error: 'fetch failed',
      unrecovered: false,
    },
  ],
  failedCommands: [{ device: '10.0.0.2:4028', action: 'sleep', status: 'failed', error: 'fetch failed' }],
  hashingDevices: ['10.0.0.1:4028'],
  meterSuspect: false,
  baselineKw: 0.09,
  allowedKw: 0.04,
  reachedAt: null,
  secondsLate: null,
  peakKw: null,
  energyKwh: 0.002,
  poolHashrateBefore: null,
  poolHashrateDuring: null,
};

const ORDER: CurtailmentOrder = {
  id: '1',
  farmId: '7',
  noticeAt: '2026-12-06T10:00:00.000Z',
  startsAt: '2026-12-06T10:05:00.000Z',
  endsAt: '2026-12-06T10:10:00.000Z',
  reductionKw: 0.05,
  noticeRef: null,
  orderedBy: 'op@test',
  curtailment: '4',
  compliance: JUDGED,
};

describe("an order's verdict", () => {
  setupComponentTests();
  beforeEach(() => {
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 480 });
  });

  it('says why it was violated, naming the failed command and the hashing device', async () => {
    await setupI18n('en');
    stubApi(UNKNOWN_POWER, NO_ENERGY, [ORDER]);
    at('/farms/7');
    expect(await screen.findByText('Violated')).toBeDefined();
    // A small farm's allowed load in W, not "0 kW".
    expect(screen.getByText('the load never fell to 40 W')).toBeDefined();
    expect(screen.getByText('10.0.0.1:4028 reported hashing after it was ordered to sleep')).toBeDefined();
    expect(screen.getByText('sleep command to 10.0.0.2:4028 failed: fetch failed')).toBeDefined();
  });

  it("says it in the reader's language", async () => {
    await setupI18n('ru');
    stubApi(UNKNOWN_POWER, NO_ENERGY, [ORDER]);
    at('/farms/7');
    expect(await screen.findByText('нагрузка так и не снизилась до 40 Вт')).toBeDefined();
    expect(screen.getByText('10.0.0.1:4028 продолжал майнинг после команды на сон')).toBeDefined();
    expect(screen.getByText('команда sleep для 10.0.0.2:4028 не выполнена: fetch failed')).toBeDefined();
  });
});

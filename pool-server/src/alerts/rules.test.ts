import { describe, expect, test } from 'vitest';
import { evaluateRules, planAlerts, windowStart, type AlertFacts, type AlertThresholds } from './rules.ts';
import type { DeviceFacts } from './device-rules.ts';

const NOW = Date.parse('2026-12-07T10:00:00Z');
const THRESHOLDS: AlertThresholds = {
  silentMinutes: 10,
  minChipTempC: 10,
  maxChipTempC: 90,
  minFanRpm: 1_000,
  maxFanRpm: 0,
  maxFanPercent: 100,
  gapPercent: 10,
  windowLeadMinutes: 30,
  ledgerLagMinutes: 10,
};
const FARM = { farmId: '7', farmName: 'Ekibastuz', organisationId: '3' };

function device(patch: Partial<DeviceFacts> = {}): DeviceFacts {
  return {
    ...FARM,
    deviceId: '12',
    device: '10.0.4.17:4028',
    state: 'mining',
    lastSeenMs: NOW - 60_000,
    chipTempC: 70,
    fanRpms: [4_200, 4_300],
    fanPercents: [],
    poolUser: 'acct.rig1',
    workerHourDifficulty: 5_000,
    workerRecentDifficulty: 800,
    gapPercent: 2,
    ...patch,
  };
}

function facts(patch: Partial<AlertFacts>): AlertFacts {
  return {
    devices: [],
    windows: [],
    ordersIssued: [],
    ordersViolated: [],
    blocks: [],
    payouts: [],
    timescaleJobs: [],
    farmOverrides: new Map(),
    ...patch,
  };
}

function rulesFor(patch: Partial<DeviceFacts>): string[] {
  return evaluateRules(facts({ devices: [device(patch)] }), THRESHOLDS, NOW).map((alert) => alert.rule);
}

describe('device rules', () => {
  test.each([
    ['a healthy device', {}, []],
    ['silent exactly the threshold', { lastSeenMs: NOW - 10 * 60_000 }, ['device-silent']],
    ['silent a minute short of it', { lastSeenMs: NOW - 9 * 60_000 }, []],
    // Silent: its old temperature and fans are not judged.
    ['silent and hot', { lastSeenMs: NOW - 3_600_000, chipTempC: 120 }, ['device-silent']],
    ['hot', { chipTempC: 95 }, ['temperature-high']],
    ['at the limit', { chipTempC: 90 }, []],
    ['no temperature reported', { chipTempC: null }, []],
    ['cold while hashing', { chipTempC: 4 }, ['temperature-low']],
    ['below freezing while hashing', { chipTempC: -12 }, ['temperature-low']],
    ['at the lower limit', { chipTempC: 10 }, []],
    // Asleep, a machine cools down to the room: nothing to say.
    ['cold while asleep', { state: 'sleeping', chipTempC: 4 }, []],
    ['a slow fan', { fanRpms: [4_000, 600] }, ['fan-low']],
    ['a stopped fan', { fanRpms: [4_000, 0] }, ['fan-low']],
    ['a stopped fan while asleep', { state: 'sleeping', fanRpms: [0] }, []],
    // Immersion and hydro machines have no fans: absent is not stopped.
    ['no fans reported', { fanRpms: [], fanPercents: [] }, []],
    ['a fan at full speed', { fanPercents: [70, 100] }, ['fan-high']],
    ['fans short of full speed', { fanPercents: [99.5, 80] }, []],
    ['at full speed while asleep', { state: 'sleeping', fanPercents: [100] }, []],
    // No rpm limit by default: full speed is the model's.
    ['fast fans, no rpm limit', { fanRpms: [9_000, 9_100] }, []],
    ['reports more than measured', { gapPercent: 25 }, ['hashrate-gap']],
    ['reports less than measured', { gapPercent: -25 }, ['hashrate-gap']],
    ['no gap known', { gapPercent: null }, []],
    ['its worker went quiet', { workerRecentDifficulty: 0 }, ['worker-silent']],
    ['its worker never hashed this hour', { workerHourDifficulty: 0, workerRecentDifficulty: 0 }, []],
    ['no worker linked', { poolUser: null, workerHourDifficulty: null, workerRecentDifficulty: null }, []],
    ['asleep, its worker quiet', { state: 'sleeping', workerRecentDifficulty: 0 }, []],
  ] as const)('%s', (_name, patch, expected) => {
    expect(rulesFor(patch)).toEqual(expected);
  });

  test('a farm alert names the farm and goes to its organisation', () => {
    const [alert] = evaluateRules(facts({ devices: [device({ chipTempC: 99 })] }), THRESHOLDS, NOW);
    expect(alert).toMatchObject({
      subject: 'device:12',
      once: false,
      audience: 'organisation',
      organisationId: '3',
      farmId: '7',
    });
    expect(alert?.summary).toBe('Ekibastuz: 10.0.4.17:4028 chips at 99 °C, above 90 °C');
  });

  test('the wording of a stopped fan, a cold machine and a fan at full speed', () => {
    const summaries = (patch: Partial<DeviceFacts>): string[] =>
      evaluateRules(facts({ devices: [device(patch)] }), THRESHOLDS, NOW).map((alert) => alert.summary);
    expect(summaries({ fanRpms: [0, 4_000] })).toEqual([
      'Ekibastuz: 10.0.4.17:4028 has a fan stopped, below 1000 rpm',
    ]);
    expect(summaries({ chipTempC: 4 })).toEqual(['Ekibastuz: 10.0.4.17:4028 chips at 4 °C, below 10 °C']);
    expect(summaries({ fanPercents: [100] })).toEqual([
      'Ekibastuz: 10.0.4.17:4028 has a fan at 100 % of full speed, at or above 100 %',
    ]);
  });

  test('fans too fast by rpm where a farm knows its machines, within its range', () => {
    const fast = evaluateRules(
      facts({ devices: [device({ fanRpms: [6_100, 6_200] })] }),
      { ...THRESHOLDS, maxFanRpm: 6_000 },
      NOW,
    );
    expect(fast.map((alert) => [alert.rule, alert.facts])).toEqual([
      [
        'fan-high',
        {
          farmId: '7',
          farmName: 'Ekibastuz',
          deviceId: '12',
          device: '10.0.4.17:4028',
          fanRpm: 6_200,
          maxFanRpm: 6_000,
        },
      ],
    ]);
    expect(
      evaluateRules(
        facts({ devices: [device({ fanRpms: [6_000] })] }),
        { ...THRESHOLDS, maxFanRpm: 6_000 },
        NOW,
      ),
    ).toEqual([]);
  });

  test('the fan rule turned off', () => {
    const alerts = evaluateRules(
      facts({ devices: [device({ fanRpms: [0] })] }),
      { ...THRESHOLDS, minFanRpm: 0 },
      NOW,
    );
    expect(alerts).toEqual([]);
  });
});

describe('restricted windows', () => {
  const window = { from: '18:00', validFrom: '2026-12-01', validTo: null };
  const local = (minute: number, date = '2026-12-07') => ({ minute, month: 12, date });

  test.each([
    ['in 30 minutes', local(17 * 60 + 30), { minutes: 30, date: '2026-12-07' }],
    ['in 31 minutes', local(17 * 60 + 29), null],
    ['starting now', local(18 * 60), null],
    ['already on', local(18 * 60 + 5), null],
  ] as const)('%s', (_name, at, expected) => {
    expect(windowStart(window, at, 30)).toEqual(expected);
  });

  test('one starting after midnight is on the next local date, within its validity', () => {
    const midnight = { from: '00:10', validFrom: '2026-12-08', validTo: '2026-12-08' };
    expect(windowStart(midnight, local(23 * 60 + 50), 30)).toEqual({ minutes: 20, date: '2026-12-08' });
    expect(windowStart(midnight, local(23 * 60 + 50, '2026-12-08'), 30)).toBeNull();
  });

  test('a window not yet valid raises nothing', () => {
    expect(windowStart({ ...window, validFrom: '2026-12-08' }, local(17 * 60 + 45), 30)).toBeNull();
  });

  test('an event per window and local date', () => {
    const alerts = evaluateRules(
      facts({
        windows: [
          {
            ...FARM,
            local: local(17 * 60 + 45),
            window: {
              id: '4',
              farmId: null,
              country: 'IR',
              region: null,
              class: 'critical_peak',
              from: '18:00',
              to: '22:00',
              validFrom: '2026-12-01',
              validTo: null,
              noticeRef: null,
            },
          },
        ],
      }),
      THRESHOLDS,
      NOW,
    );
    expect(alerts.map(({ rule, subject, once }) => ({ rule, subject, once }))).toEqual([
      { rule: 'window-starting', subject: 'window:4@2026-12-07', once: true },
    ]);
  });
});

describe('events', () => {
  test('orders, blocks and payouts each raise one event', () => {
    const order = { ...FARM, orderId: '9', startsAtMs: NOW, endsAtMs: NOW + 3_600_000, reductionKw: 500 };
    const alerts = evaluateRules(
      facts({
        ordersIssued: [order],
        ordersViolated: [{ ...order, reasons: ['the meter read 900 kW'] }],
        blocks: [{ hash: 'ab', height: 101, reward: 625_000_000, finder: 'acct', worker: 'rig1' }],
        payouts: [{ id: 'p1', txid: 'cd', total: 150_000_000, recipients: 2 }],
      }),
      THRESHOLDS,
      NOW,
    );
    expect(alerts.map(({ rule, subject, audience }) => `${rule} ${subject} ${audience}`)).toEqual([
      'curtailment-issued order:9 organisation',
      'curtailment-violated order:9 organisation',
      'block-found block:ab pool',
      'payout-sent payout:p1 pool',
    ]);
    expect(alerts[1]?.summary).toBe('Ekibastuz: curtailment order 9 was violated: the meter read 900 kW');
    expect(alerts[2]?.summary).toBe('block 101 found by acct.rig1 (6.25000000 BTC)');
  });
});

describe('TimescaleDB jobs', () => {
  test('a failing job is a lasting alert for admins alone, with its last error', () => {
    const [alert] = evaluateRules(
      facts({
        timescaleJobs: [
          {
            jobId: 1002,
            name: 'Compression Policy [1002]',
            procedure: '_timescaledb_functions.policy_compression',
            hypertable: 'public.shares',
            failures: 3,
            lastSuccessAt: null,
            nextStartAt: null,
            lastError: { message: 'out of shared memory', code: '53200', at: new Date(NOW) },
          },
        ],
      }),
      THRESHOLDS,
      NOW,
    );
    expect(alert).toMatchObject({
      rule: 'timescale-job-failing',
      subject: 'timescale-job:1002',
      once: false,
      audience: 'admin',
      organisationId: null,
      summary:
        'TimescaleDB job Compression Policy [1002] on public.shares is failing (3 failures: out of shared memory)',
    });
  });
});

describe("a farm's own thresholds", () => {
  test('override the defaults for that farm alone', () => {
    const other = { farmId: '8', farmName: 'Irkutsk', organisationId: '4' };
    const hot = { chipTempC: 95, fanRpms: [600] };
    const alerts = evaluateRules(
      facts({
        devices: [device(hot), device({ ...other, ...hot, deviceId: '13' })],
        farmOverrides: new Map([
          [
            FARM.farmId,
            {
              silentMinutes: null,
              minChipTempC: null,
              maxChipTempC: 100,
              minFanRpm: 0,
              maxFanRpm: null,
              maxFanPercent: null,
              gapPercent: null,
              windowLeadMinutes: null,
            },
          ],
        ]),
      }),
      THRESHOLDS,
      NOW,
    );
    expect(alerts.map((alert) => [alert.farmId, alert.rule])).toEqual([
      ['8', 'temperature-high'],
      ['8', 'fan-low'],
    ]);
  });
});

describe('planAlerts', () => {
  const hot = evaluateRules(facts({ devices: [device({ chipTempC: 99 })] }), THRESHOLDS, NOW);

  test('a new condition opens, an open one stays, a cleared one resolves', () => {
    const open = [
      { id: '1', rule: 'temperature-high', subject: 'device:12' },
      { id: '2', rule: 'device-silent', subject: 'device:13' },
    ] as const;
    const plan = planAlerts(open, hot);
    expect(plan.toOpen).toEqual([]);
    expect(plan.toResolve.map((alert) => alert.id)).toEqual(['2']);
    expect(planAlerts([], hot).toOpen).toEqual(hot);
  });

  test('events are always offered; the store keeps them unique', () => {
    const block = evaluateRules(
      facts({ blocks: [{ hash: 'ab', height: 1, reward: 1, finder: 'a', worker: 'w' }] }),
      THRESHOLDS,
      NOW,
    );
    expect(planAlerts([], block).toOpen).toHaveLength(1);
    expect(planAlerts([], block).toResolve).toEqual([]);
  });
});

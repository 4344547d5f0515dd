import type { EnergySummary, Farm } from '@hashwatt/schemas';
import { describe, expect, it } from 'vitest';
import { composeReport } from './compose-report.ts';
import type { ReportMeta } from './document.ts';
import type { FarmFacts } from './facts.ts';
import { periodConvention, resolvePeriod } from './periods.ts';

const PERIOD = resolvePeriod({ month: '1405-09' }, periodConvention('IR', 'Asia/Tehran'), 0);

const FARM: Farm = {
  id: '1',
  organisationId: '1',
  name: 'Semnan Hall 3',
  createdAt: '2026-01-01T00:00:00.000Z',
  country: 'IR',
  region: 'IR-20',
  timezone: 'Asia/Tehran',
  licence: {
    number: null,
    authority: null,
    capacityKw: null,
    validFrom: null,
    validTo: null,
    registerEntry: null,
    taxId: null,
  },
};

/** Half of Azar metered: from its first day to the middle. */
const PARTIAL: EnergySummary = {
  from: new Date(PERIOD.fromMs).toISOString(),
  to: new Date(PERIOD.toMs).toISOString(),
  kwhTotal: 216_000,
  peakKw: 600,
  peakVsLicence: null,
  byBand: [],
  currency: null,
  cost: null,
  restricted: [],
  meterResets: 0,
  basis: 'partial',
  unknownReason: 'readings cover 15 of 30 days (from 2026-11-21T20:30:00Z to 2026-12-06T20:30:00Z)',
  costReason: 'the farm has no tariff',
  coverage: {
    firstReadingAt: '2026-11-21T20:30:00.000Z',
    lastReadingAt: '2026-12-06T20:30:00.000Z',
    fraction: 0.5,
  },
};

const facts = (energy: EnergySummary, meters: FarmFacts['meters']): FarmFacts => ({
  farm: FARM,
  organisation: 'Kavir Mining',
  energy,
  meters,
  orders: [],
  hashrate: { reportedAverage: null, reportedPeak: null, poolAverage: null, otherAlgorithmsHashed: false },
  minedSats: null,
  credits: [],
  payouts: [],
  devices: [],
  devicesByModel: [],
});

const meta = (language: ReportMeta['language']): ReportMeta => ({
  id: '00000000-0000-4000-8000-000000000001',
  issuedAtMs: Date.parse('2026-12-22T06:00:00Z'),
  scope: { kind: 'farm', farmId: '1' },
  language,
  signingKey: { fingerprint: 'b5'.repeat(32), publicKey: 'key' },
});

const basisOf = (farm: FarmFacts, language: ReportMeta['language']) =>
  composeReport({ period: PERIOD, farms: [farm] }, meta(language)).sections[0]?.rows.find(
    (row) => row.key === 'energyBasis',
  )?.value;

describe('a report says what its energy rests on, in its own language', () => {
  it('says how much of the period partial readings cover, and from when to when', () => {
    const farm = facts(PARTIAL, [{ name: 'main', serial: null, first: null, last: null }]);
    expect(basisOf(farm, 'en')).toEqual({
      raw: `partial: ${PARTIAL.unknownReason ?? ''}`,
      shown:
        'measured over part of the period only: readings cover 50.0 % of the period, from 22 Nov 2026, 00:00 to 7 Dec 2026, 00:00',
    });
    const persian = basisOf(farm, 'fa')?.shown ?? '';
    expect(persian).toContain('قرائت‌ها ۵۰٫۰ درصد دوره');
    expect(persian).not.toMatch(/[a-z]{3}/);
    expect(basisOf(farm, 'ru')?.shown).toContain('показания охватывают 50,0 % периода');
  });

  it('says there is no data, and why: no meter, or no reading', () => {
    const unknown: EnergySummary = {
      ...PARTIAL,
      kwhTotal: null,
      peakKw: null,
      basis: 'unknown',
      unknownReason: 'the farm has no meter',
      coverage: { firstReadingAt: null, lastReadingAt: null, fraction: 0 },
    };
    expect(basisOf(facts(unknown, []), 'ru')?.shown).toBe('нет данных: на ферме нет счётчика');
    const silent = facts(unknown, [{ name: 'main', serial: null, first: null, last: null }]);
    expect(basisOf(silent, 'en')?.shown).toBe('no data: no meter reading in the period');
  });

  it('says what no linked worker leaves unknown: the coins mined, and a total that lacks them', () => {
    const unlinked = facts(PARTIAL, []);
    const linked: FarmFacts = {
      ...unlinked,
      farm: { ...FARM, id: '2', name: 'Hall 4' },
      minedSats: 2_500_000,
    };
    const rowOf = (farms: FarmFacts[], section: number, key: string) =>
      composeReport(
        { period: PERIOD, farms },
        { ...meta('en'), scope: { kind: 'jurisdiction', country: 'IR', regions: [] } },
      ).sections[section]?.rows.find((row) => row.key === key)?.value;
    expect(rowOf([unlinked, linked], 1, 'mined')).toEqual({ raw: '', shown: 'no data' });
    expect(rowOf([unlinked, linked], 2, 'mined')).toMatchObject({ raw: '0.02500000' });
    // The jurisdiction's total names the farm it lacks, and gives machines no figure.
    expect(rowOf([unlinked, linked], 0, 'mined')).toEqual({
      raw: '',
      shown: 'no data (Semnan Hall 3); 0.02500000',
    });
    expect(rowOf([linked], 0, 'mined')).toMatchObject({ raw: '0.02500000' });
  });
});

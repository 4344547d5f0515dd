import type { ComplianceFinding } from '@hashwatt/schemas';
import { describe, expect, it } from 'vitest';
import { findingText } from './compliance-findings.ts';
import { reportFormats } from '../reports/words.ts';

const EVERY_FINDING: readonly ComplianceFinding[] = [
  { code: 'no-readings-during-order' },
  { code: 'no-baseline' },
  { code: 'meter-gap', from: '2026-07-01T13:40:00.000Z', to: '2026-07-01T14:30:00.000Z' },
  { code: 'load-never-fell', allowedKw: 1_000 },
  { code: 'reached-late', allowedKw: 1_000, minutesLate: 25 },
  { code: 'demand-rose-again', peakKw: 3_500 },
  { code: 'meter-suspect', peakKw: 0 },
  { code: 'meter-suspect', peakKw: null },
  { code: 'hashing-after-sleep', device: '10.0.4.19:4028' },
  { code: 'hashing-during-order', device: '10.0.4.19:4028' },
  { code: 'pool-contradicts', duringHs: 95e12, beforeHs: 100e12, mostHs: 55e12 },
  {
    code: 'command-failed',
    device: '10.0.4.18:4028',
    action: 'sleep',
    status: 'failed',
    error: 'fetch failed',
    unrecovered: true,
  },
];

describe('compliance findings in words', () => {
  it('words every finding in English as the API gives its reasons', () => {
    expect(EVERY_FINDING.map((finding) => findingText(finding))).toEqual([
      'no meter readings during the order',
      'no meter readings in the hour before the notice',
      'the meter has no readings from 2026-07-01T13:40:00.000Z to 2026-07-01T14:30:00.000Z',
      'the load never fell to 1000 kW',
      'the load reached 1000 kW 25.0 min after the start',
      '15-minute demand rose again to 3500 kW',
      'the meter is suspect: it read 0 kW while devices hashed',
      'the meter is suspect: it said the load was down while devices hashed',
      '10.0.4.19:4028 reported hashing after it was ordered to sleep',
      '10.0.4.19:4028 reported hashing during the order',
      "the pool measured 95.0 TH/s from the farm's workers during the order against 100.0 TH/s before the notice (at most 55.0 TH/s fits the allowed load)",
      'sleep command to 10.0.4.18:4028 failed: fetch failed; nothing shows the device stopped',
    ]);
  });

  it("says a small farm's allowed load in watts, never 0 kW", () => {
    expect(findingText({ code: 'load-never-fell', allowedKw: 0.04 })).toBe('the load never fell to 40 W');
    expect(findingText({ code: 'load-never-fell', allowedKw: 2.5 })).toBe('the load never fell to 2.5 kW');
  });

  it('words every finding in Persian and Russian, with their digits and dates', () => {
    for (const language of ['fa', 'ru'] as const) {
      const format = reportFormats(language, 'Asia/Tehran');
      const said = EVERY_FINDING.map((finding) =>
        findingText(finding, language, {
          number: format.number,
          dateTime: (iso) => format.dateTime(Date.parse(iso)),
        }),
      );
      // Each in its own words: none left in English.
      said.forEach((text, index) => {
        expect(text).not.toBe(findingText(EVERY_FINDING[index] as ComplianceFinding));
        expect(text).not.toMatch(/\b(the|meter|load|order)\b/);
      });
    }
    const persian = reportFormats('fa', 'Asia/Tehran');
    expect(
      findingText({ code: 'load-never-fell', allowedKw: 1_000 }, 'fa', {
        number: persian.number,
        dateTime: (iso) => persian.dateTime(Date.parse(iso)),
      }),
    ).toBe('بار هرگز به ۱٬۰۰۰ کیلووات کاهش نیافت');
    const russian = reportFormats('ru', 'Europe/Moscow');
    expect(
      findingText({ code: 'reached-late', allowedKw: 1_000, minutesLate: 25 }, 'ru', {
        number: russian.number,
        dateTime: (iso) => russian.dateTime(Date.parse(iso)),
      }),
      // Russian groups thousands with a no-break space.
    ).toBe('нагрузка снизилась до 1\u00a0000 кВт через 25,0 мин после начала');
  });
});

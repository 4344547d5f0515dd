import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysInSolarHijriMonth,
  fromSolarHijri,
  solarHijriMonthNames,
  toSolarHijri,
} from './solar-hijri.ts';

/**
 * Nowruz and year ends as Iran's calendar fixes them (the official calendar of the
 * Institute of Geophysics, University of Tehran); 11 Dey 1348 is 1 January 1970, the
 * Persian legend the issue quotes for the epoch.
 */
const KNOWN: readonly [string, number, number, number][] = [
  ['2024-03-20', 1403, 1, 1],
  ['2024-03-19', 1402, 12, 29],
  ['2025-03-20', 1403, 12, 30],
  ['2025-03-21', 1404, 1, 1],
  ['2026-03-21', 1405, 1, 1],
  ['2021-03-21', 1400, 1, 1],
  ['1970-01-01', 1348, 10, 11],
  ['2026-10-01', 1405, 7, 9],
  ['2026-09-22', 1405, 6, 31],
  ['2026-12-07', 1405, 9, 16],
];

describe('Solar Hijri days', () => {
  it.each(KNOWN)('%s is %i/%i/%i, both ways', (iso, year, month, day) => {
    expect(toSolarHijri(iso)).toEqual({ year, month, day });
    expect(fromSolarHijri({ year, month, day })).toBe(iso);
  });

  it('has 30 Esfand in a leap year only', () => {
    expect(daysInSolarHijriMonth(1403, 12)).toBe(30);
    expect(daysInSolarHijriMonth(1404, 12)).toBe(29);
    expect(fromSolarHijri({ year: 1404, month: 12, day: 30 })).toBeNull();
    expect(daysInSolarHijriMonth(1404, 1)).toBe(31);
    expect(daysInSolarHijriMonth(1404, 7)).toBe(30);
  });

  it('turns every day of 1395–1414 into itself and back, each the day after the one before', () => {
    let iso = '2016-03-20';
    let before = toSolarHijri(addDays(iso, -1));
    expect(before).toEqual({ year: 1394, month: 12, day: 29 });
    while (iso < '2036-03-20') {
      const day = toSolarHijri(iso);
      if (day === null || before === null) {
        throw new Error(`${iso} has no Solar Hijri day`);
      }
      expect(fromSolarHijri(day)).toBe(iso);
      const next =
        day.day === 1
          ? day.month === 1
            ? before.year + 1 === day.year && before.month === 12
            : before.year === day.year && before.month + 1 === day.month
          : before.year === day.year && before.month === day.month && before.day + 1 === day.day;
      expect(next, iso).toBe(true);
      before = day;
      iso = addDays(iso, 1);
    }
    expect(toSolarHijri(iso)).toEqual({ year: 1415, month: 1, day: 1 });
  });

  it('refuses what is no day', () => {
    for (const text of ['', '2025-02-29', '2024-13-01', '20240320', '2024-03-20T00:00:00Z']) {
      expect(toSolarHijri(text), text).toBeNull();
    }
    for (const day of [
      { year: 1403, month: 0, day: 1 },
      { year: 1403, month: 13, day: 1 },
      { year: 1403, month: 7, day: 31 },
      { year: 1403, month: 1, day: 0 },
      { year: 1403.5, month: 1, day: 1 },
      { year: Number.NaN, month: 1, day: 1 },
    ]) {
      expect(fromSolarHijri(day), JSON.stringify(day)).toBeNull();
    }
    expect(() => addDays('yesterday', 1)).toThrow(/Not an ISO day/);
  });

  it('names the months in the reader’s language', () => {
    expect(solarHijriMonthNames('fa')).toEqual([
      'فروردین',
      'اردیبهشت',
      'خرداد',
      'تیر',
      'مرداد',
      'شهریور',
      'مهر',
      'آبان',
      'آذر',
      'دی',
      'بهمن',
      'اسفند',
    ]);
    expect(solarHijriMonthNames('en')[0]).toBe('Farvardin');
  });
});

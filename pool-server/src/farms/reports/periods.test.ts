import { describe, expect, it } from 'vitest';
import { HwError } from '../../errors.ts';
import { fnsDueDate, monthName, monthsWithin, periodConvention, resolvePeriod } from './periods.ts';

const iso = (ms: number): string => new Date(ms).toISOString();
const NOW = Date.parse('2026-12-06T12:00:00Z');

describe('report periods', () => {
  const iran = periodConvention('IR', 'Asia/Tehran');
  const russia = periodConvention('RU', 'Asia/Irkutsk');

  it('counts an Iranian month in the Solar Hijri calendar from Tehran midnight', () => {
    // Azar 1, 1405 is 22 November 2026; Tehran is UTC+3:30 with no summer time since 1401.
    const azar = resolvePeriod({ month: '1405-09' }, iran, NOW);
    expect([iso(azar.fromMs), iso(azar.toMs)]).toEqual([
      '2026-11-21T20:30:00.000Z',
      '2026-12-21T20:30:00.000Z',
    ]);
    expect(azar).toMatchObject({
      calendar: 'persian',
      timezone: 'Asia/Tehran',
      month: '1405-09',
      dueDate: null,
    });
    // Nowruz 1405 fell on 21 March 2026; Esfand 1404 has 29 days.
    const esfand = resolvePeriod({ month: '1404-12' }, iran, NOW);
    expect([iso(esfand.fromMs), iso(esfand.toMs)]).toEqual([
      '2026-02-19T20:30:00.000Z',
      '2026-03-20T20:30:00.000Z',
    ]);
    expect(monthName('1405-09', 'persian', 'en')).toBe('Azar 1405');
    expect(monthName('1405-09', 'persian', 'fa')).toContain('آذر');
    expect(monthName('1405-09', 'persian', 'fa')).toContain('۱۴۰۵');
  });

  it('counts a Russian month in Moscow time, due to the FNS by the 20th', () => {
    const november = resolvePeriod({ month: '2026-11' }, russia, NOW);
    expect([iso(november.fromMs), iso(november.toMs)]).toEqual([
      '2026-10-31T21:00:00.000Z',
      '2026-11-30T21:00:00.000Z',
    ]);
    // 20 December 2026 is a Sunday: the filing moves to Monday the 21st.
    expect(november.dueDate).toBe('2026-12-21');
    expect(fnsDueDate('2026-09')).toBe('2026-10-20');
    expect(fnsDueDate('2026-05')).toBe('2026-06-22');
    expect(monthName('2026-11', 'gregorian', 'ru')).toMatch(/^ноябрь 2026/);
  });

  it("counts other farms' months in their own zone, across a change of summer time", () => {
    const march = resolvePeriod({ month: '2026-03' }, periodConvention(null, 'America/New_York'), NOW);
    expect([iso(march.fromMs), iso(march.toMs)]).toEqual([
      '2026-03-01T05:00:00.000Z',
      '2026-04-01T04:00:00.000Z',
    ]);
  });

  it('takes the last whole month before now when none is named', () => {
    expect(resolvePeriod({}, iran, NOW).month).toBe('1405-08');
    expect(resolvePeriod({}, russia, NOW).month).toBe('2026-11');
    // Just after Tehran midnight on Azar 1 it is already Azar: the last whole month is Aban.
    expect(resolvePeriod({}, iran, Date.parse('2026-11-21T20:31:00Z')).month).toBe('1405-08');
    expect(resolvePeriod({}, iran, Date.parse('2026-11-21T20:29:00Z')).month).toBe('1405-07');
  });

  it('asks for an Iranian month in its calendar unless told otherwise', () => {
    const wrong = (): unknown => resolvePeriod({ month: '2026-11' }, iran, NOW);
    expect(wrong).toThrow(HwError);
    expect(wrong).toThrow(/Solar Hijri/);
    const gregorian = resolvePeriod(
      { month: '2026-11' },
      periodConvention('IR', 'Asia/Tehran', 'gregorian'),
      NOW,
    );
    expect(iso(gregorian.fromMs)).toBe('2026-10-31T20:30:00.000Z');
    expect(() => resolvePeriod({ month: '1405-09' }, russia, NOW)).toThrow(/Gregorian/);
  });

  it('refuses a period that is both a month and instants, half given, backwards or too long', () => {
    expect(() => resolvePeriod({ month: '2026-11', from: '2026-11-01T00:00:00Z' }, russia, NOW)).toThrow(
      /not both/,
    );
    expect(() => resolvePeriod({ from: '2026-11-01T00:00:00Z' }, russia, NOW)).toThrow(/both from and to/);
    expect(() =>
      resolvePeriod({ from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }, russia, NOW),
    ).toThrow(/ends after/);
    expect(() =>
      resolvePeriod({ from: '2025-01-01T00:00:00Z', to: '2026-11-01T00:00:00Z' }, russia, NOW),
    ).toThrow(/400 days/);
  });

  it('splits a period into the months of its calendar', () => {
    const months = monthsWithin(Date.parse('2026-11-15T00:00:00Z'), Date.parse('2027-01-05T00:00:00Z'), iran);
    expect(months.map((month) => month.month)).toEqual(['1405-08', '1405-09', '1405-10']);
    expect(iso(months[0]?.fromMs ?? 0)).toBe('2026-11-15T00:00:00.000Z');
    expect(iso(months[1]?.fromMs ?? 0)).toBe('2026-11-21T20:30:00.000Z');
    expect(iso(months[2]?.toMs ?? 0)).toBe('2027-01-05T00:00:00.000Z');
  });
});

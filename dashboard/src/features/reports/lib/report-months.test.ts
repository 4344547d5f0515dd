import { describe, expect, it } from 'vitest';
import { calendarOf, lastMonth, monthLabel, persianYears } from './report-months.ts';

describe('report months', () => {
  it('counts an Iranian month in the Solar Hijri calendar from Tehran midnight', () => {
    expect(calendarOf('IR')).toBe('persian');
    expect(calendarOf('RU')).toBe('gregorian');
    expect(calendarOf(null)).toBe('gregorian');
    // Azar 1, 1405 begins at 20:30 UTC on 21 November 2026.
    expect(lastMonth('persian', Date.parse('2026-11-21T20:29:00Z'))).toBe('1405-07');
    expect(lastMonth('persian', Date.parse('2026-11-21T20:31:00Z'))).toBe('1405-08');
    expect(lastMonth('persian', Date.parse('2026-03-25T00:00:00Z'))).toBe('1404-12');
    expect(lastMonth('gregorian', Date.parse('2026-01-15T00:00:00Z'))).toBe('2025-12');
    expect(persianYears(Date.parse('2026-12-06T00:00:00Z'))).toEqual([1405, 1404, 1403, 1402, 1401, 1400]);
  });

  it('names a month as its reader does', () => {
    expect(monthLabel('1405-09', 'persian', 'en-GB')).toBe('Azar 1405');
    const persian = monthLabel('1405-09', 'persian', 'fa-IR-u-ca-persian-nu-arabext');
    expect(persian).toContain('آذر');
    expect(persian).toContain('۱۴۰۵');
    expect(monthLabel('2026-11', 'gregorian', 'ru-RU')).toMatch(/^ноябрь 2026/);
    // A Gregorian month stays Gregorian on a Persian page.
    expect(monthLabel('2026-11', 'gregorian', 'fa-IR-u-ca-persian-nu-arabext')).toContain('نوامبر');
  });
});

/**
 * The months a report can be asked for, as its jurisdiction counts them: an Iranian
 * farm's in the Solar Hijri calendar from Tehran midnight (`1405-09`, Azar 1405), any
 * other's in the Gregorian calendar (`2026-11`). The calendars are the browser's (Intl).
 */

export type MonthCalendar = 'gregorian' | 'persian';

const TEHRAN = 'Asia/Tehran';

const pad = (value: number): string => String(value).padStart(2, '0');

/** How a farm's (or a jurisdiction's) country counts report months. */
export function calendarOf(country: string | null | undefined): MonthCalendar {
  return country === 'IR' ? 'persian' : 'gregorian';
}

/** The Solar Hijri year and month `ms` falls in, in Tehran. */
function persianMonthAt(ms: number): { year: number; month: number } {
  const parts = new Intl.DateTimeFormat('en', {
    calendar: 'persian',
    numberingSystem: 'latn',
    timeZone: TEHRAN,
    year: 'numeric',
    month: 'numeric',
  }).formatToParts(ms);
  const field = (type: string): number => Number(parts.find((part) => part.type === type)?.value);
  return { year: field('year') || field('relatedYear'), month: field('month') };
}

/** The last whole month before `nowMs`, `YYYY-MM` in the calendar. */
export function lastMonth(calendar: MonthCalendar, nowMs: number): string {
  if (calendar === 'persian') {
    const { year, month } = persianMonthAt(nowMs);
    return month === 1 ? `${String(year - 1)}-12` : `${String(year)}-${pad(month - 1)}`;
  }
  const now = new Date(nowMs);
  const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${String(previous.getUTCFullYear())}-${pad(previous.getUTCMonth() + 1)}`;
}

/** Solar Hijri month numbers and their names in `locale` (Farvardin … Esfand). */
export function persianMonthNames(locale: string): { month: number; name: string }[] {
  const format = new Intl.DateTimeFormat(locale, { calendar: 'persian', month: 'long', timeZone: TEHRAN });
  // Farvardin 1405 began on 21 March 2026: the middle of each month, 30.4 days apart.
  const nowruz = Date.UTC(2026, 2, 21);
  return Array.from({ length: 12 }, (_, index) => ({
    month: index + 1,
    name: format.format(nowruz + (index * 30.4 + 15) * 86_400_000),
  }));
}

/** The Solar Hijri years a report may cover: this one and the five before it. */
export function persianYears(nowMs: number): number[] {
  const { year } = persianMonthAt(nowMs);
  return Array.from({ length: 6 }, (_, index) => year - index);
}

/** A report's month as its reader names it: "Azar 1405", "ноябрь 2026 г.". */
export function monthLabel(month: string, calendar: MonthCalendar, locale: string): string {
  const [year = 0, number = 1] = month.split('-').map(Number);
  if (calendar === 'gregorian') {
    return new Intl.DateTimeFormat(locale, {
      calendar: 'gregory',
      year: 'numeric',
      month: 'long',
      timeZone: 'UTC',
    }).format(Date.UTC(year, number - 1, 15));
  }
  const name = persianMonthNames(locale).find((entry) => entry.month === number)?.name ?? '';
  const yearShown = new Intl.NumberFormat(locale, { useGrouping: false }).format(year);
  return `${name} ${yearShown}`;
}

import type { ReportCalendar } from '@hashwatt/schemas';
import { HwError } from '../../errors.ts';

/**
 * The month a regulator report covers, as its reader counts it: Iran files by the
 * Solar Hijri month in Tehran time, Russia by the calendar month in Moscow time (the
 * monthly FNS mining report is due by the 20th of the next month), anywhere else by
 * the calendar month of the farm's own zone. A month is cut at local midnight, so a
 * Tehran month starts at 20:30 UTC the evening before.
 */

/** How a report's period is counted: its calendar and the zone its days start in. */
export interface PeriodConvention {
  readonly calendar: ReportCalendar;
  readonly timezone: string;
}

/** A report's period, resolved: two instants, and how people name it. */
export interface ResolvedPeriod extends PeriodConvention {
  readonly fromMs: number;
  readonly toMs: number;
  /** `YYYY-MM` in its calendar (`1405-09` is Azar 1405), or null for a period given by its instants. */
  readonly month: string | null;
  /** When a Russian farm's monthly FNS report of this month is due (`YYYY-MM-DD`); null otherwise. */
  readonly dueDate: string | null;
}

export interface PeriodRequest {
  readonly month?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly calendar?: ReportCalendar | undefined;
}

const DAY_MS = 86_400_000;
const MAX_PERIOD_MS = 400 * DAY_MS;
/** A Solar Hijri year this far back is no report's; a Gregorian one this early neither. */
const PERSIAN_YEARS = { min: 1380, max: 1500 } as const;
const GREGORIAN_YEARS = { min: 2009, max: 2200 } as const;

/** How a jurisdiction counts months: `country` of the farm or the jurisdiction, and the farm's zone if any. */
export function periodConvention(
  country: string | null,
  farmTimezone: string | null,
  calendar?: ReportCalendar,
): PeriodConvention {
  if (country === 'IR') {
    return { calendar: calendar ?? 'persian', timezone: 'Asia/Tehran' };
  }
  if (country === 'RU') {
    return { calendar: calendar ?? 'gregorian', timezone: 'Europe/Moscow' };
  }
  return { calendar: calendar ?? 'gregorian', timezone: farmTimezone ?? 'UTC' };
}

interface CalendarDay {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Unicode's names of the calendars (BCP 47 `ca`). */
const CALENDAR_IDS: Readonly<Record<ReportCalendar, string>> = { gregorian: 'gregory', persian: 'persian' };

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The day `ms` falls on in a calendar and zone. */
function dayIn(ms: number, calendar: ReportCalendar, timezone: string): CalendarDay {
  const key = `${calendar}\u0000${timezone}`;
  let format = dayFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en', {
      calendar: CALENDAR_IDS[calendar],
      numberingSystem: 'latn',
      timeZone: timezone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
    });
    dayFormats.set(key, format);
  }
  const parts = Object.fromEntries(format.formatToParts(ms).map((part) => [part.type, part.value]));
  // ICU names the year of a non-Gregorian calendar `relatedYear` in some versions.
  return {
    year: Number(parts.year ?? parts.relatedYear),
    month: Number(parts.month),
    day: Number(parts.day),
  };
}

/** The zone's offset from UTC at `ms`, in milliseconds. */
function offsetMs(ms: number, timezone: string): number {
  const day = dayIn(ms, 'gregorian', timezone);
  const clock = new Intl.DateTimeFormat('en-u-hc-h23', {
    timeZone: timezone,
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  })
    .formatToParts(ms)
    .reduce<Record<string, number>>((fields, part) => ({ ...fields, [part.type]: Number(part.value) }), {});
  const local = Date.UTC(day.year, day.month - 1, day.day, clock.hour, clock.minute, clock.second);
  return local - Math.floor(ms / 1000) * 1000;
}

/** The instant a Gregorian day starts in a zone. */
function localMidnight(year: number, month: number, day: number, timezone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  // Twice: the offset at the guess may differ from the offset at the answer across a DST change.
  let ms = wall - offsetMs(wall, timezone);
  ms = wall - offsetMs(ms, timezone);
  return ms;
}

function compareDays(a: CalendarDay, b: CalendarDay): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** The Gregorian day (as UTC noon) that a calendar's first of the month falls on. */
function firstOfMonth(year: number, month: number, calendar: ReportCalendar): CalendarDay {
  if (calendar === 'gregorian') {
    const date = new Date(Date.UTC(year, month - 1, 1));
    return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: 1 };
  }
  // Farvardin 1 is at the March equinox, 20 or 21 March; months run 6 × 31, then 30s.
  const normalized = { year: year + Math.floor((month - 1) / 12), month: ((month - 1) % 12) + 1, day: 1 };
  const daysIn = normalized.month <= 7 ? (normalized.month - 1) * 31 : 186 + (normalized.month - 7) * 30;
  let noon = Date.UTC(normalized.year + 621, 2, 21, 12) + daysIn * DAY_MS;
  // The estimate is within two days; step towards the day the Persian calendar names.
  for (let step = 0; step < 8; step += 1) {
    const found = dayIn(noon, 'persian', 'UTC');
    const order = compareDays(found, normalized);
    if (order === 0) {
      const date = new Date(noon);
      return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
    }
    noon += order < 0 ? DAY_MS : -DAY_MS;
  }
  throw new Error(`no Gregorian day for Persian ${String(year)}-${String(month)}-01`);
}

function monthBounds(
  year: number,
  month: number,
  convention: PeriodConvention,
): { fromMs: number; toMs: number } {
  const start = firstOfMonth(year, month, convention.calendar);
  const end = firstOfMonth(year, month + 1, convention.calendar);
  return {
    fromMs: localMidnight(start.year, start.month, start.day, convention.timezone),
    toMs: localMidnight(end.year, end.month, end.day, convention.timezone),
  };
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/**
 * The day a Russian monthly FNS report of `month` (`YYYY-MM`, Gregorian) is due: the
 * 20th of the next month, moved past a Saturday or Sunday to the Monday (Tax Code
 * art. 6.1 p. 7). Moved public holidays are decreed yearly and are not known here.
 */
export function fnsDueDate(month: string): string {
  const [year = 0, number = 0] = month.split('-').map(Number);
  const due = new Date(Date.UTC(year, number, 20));
  const weekday = due.getUTCDay();
  const shift = weekday === 6 ? 2 : weekday === 0 ? 1 : 0;
  due.setUTCDate(due.getUTCDate() + shift);
  return due.toISOString().slice(0, 10);
}

function monthWanted(month: string, calendar: ReportCalendar): { year: number; month: number } {
  const [year = 0, number = 0] = month.split('-').map(Number);
  const range = calendar === 'persian' ? PERSIAN_YEARS : GREGORIAN_YEARS;
  if (year < range.min || year > range.max) {
    throw new HwError(
      'HW_ERR_VALIDATION',
      calendar === 'persian'
        ? `${month} is not a Solar Hijri month: an Iranian farm reports by its month, e.g. 1405-09 for Azar 1405 (or ask for calendar gregorian).`
        : `${month} is not a Gregorian month of this era, e.g. 2026-11.`,
      'body.month',
    );
  }
  return { year, month: number };
}

/**
 * The period a report request names, counted as its jurisdiction counts: a month of
 * its calendar, the instants given, or (neither) the last whole month before `nowMs`.
 */
export function resolvePeriod(
  request: PeriodRequest,
  convention: PeriodConvention,
  nowMs: number,
): ResolvedPeriod {
  const dueDate = (month: string): string | null =>
    convention.timezone === 'Europe/Moscow' && convention.calendar === 'gregorian' ? fnsDueDate(month) : null;
  if (request.month !== undefined) {
    if (request.from !== undefined || request.to !== undefined) {
      throw new HwError('HW_ERR_VALIDATION', 'Give a month, or a period from … to, not both.', 'body.month');
    }
    const wanted = monthWanted(request.month, convention.calendar);
    return {
      ...convention,
      ...monthBounds(wanted.year, wanted.month, convention),
      month: request.month,
      dueDate: dueDate(request.month),
    };
  }
  if (request.from === undefined && request.to === undefined) {
    const today = dayIn(nowMs, convention.calendar, convention.timezone);
    const previous =
      today.month === 1 ? { year: today.year - 1, month: 12 } : { year: today.year, month: today.month - 1 };
    const month = `${pad(previous.year, 4)}-${pad(previous.month)}`;
    return {
      ...convention,
      ...monthBounds(previous.year, previous.month, convention),
      month,
      dueDate: dueDate(month),
    };
  }
  if (request.from === undefined || request.to === undefined) {
    throw new HwError(
      'HW_ERR_VALIDATION',
      'A period needs both from and to.',
      request.from === undefined ? 'body.from' : 'body.to',
    );
  }
  const fromMs = Date.parse(request.from);
  const toMs = Date.parse(request.to);
  if (!(toMs > fromMs)) {
    throw new HwError('HW_ERR_VALIDATION', 'A period ends after it starts.', 'body.to');
  }
  if (toMs - fromMs > MAX_PERIOD_MS) {
    throw new HwError('HW_ERR_VALIDATION', 'A period is at most 400 days.', 'body.to');
  }
  return { ...convention, fromMs, toMs, month: null, dueDate: null };
}

/** The months of a calendar, in a zone, that [fromMs, toMs) touches: `YYYY-MM` with their bounds clipped to the period. */
export function monthsWithin(
  fromMs: number,
  toMs: number,
  convention: PeriodConvention,
): { readonly month: string; readonly fromMs: number; readonly toMs: number }[] {
  const months: { month: string; fromMs: number; toMs: number }[] = [];
  let day = dayIn(fromMs, convention.calendar, convention.timezone);
  let year = day.year;
  let month = day.month;
  for (;;) {
    const bounds = monthBounds(year, month, convention);
    if (bounds.fromMs >= toMs) {
      return months;
    }
    months.push({
      month: `${pad(year, 4)}-${pad(month)}`,
      fromMs: Math.max(bounds.fromMs, fromMs),
      toMs: Math.min(bounds.toMs, toMs),
    });
    day = dayIn(bounds.toMs, convention.calendar, convention.timezone);
    year = day.year;
    month = day.month;
  }
}

const LOCALES = { en: 'en-GB', fa: 'fa-IR', ru: 'ru-RU' } as const;

/** A month as its reader names it: "Azar 1405", "آذر ۱۴۰۵", "ноябрь 2026 г.". */
export function monthName(month: string, calendar: ReportCalendar, language: keyof typeof LOCALES): string {
  const [year = 0, number = 0] = month.split('-').map(Number);
  const first = firstOfMonth(year, number, calendar);
  const noon = Date.UTC(first.year, first.month - 1, first.day + 10, 12);
  return new Intl.DateTimeFormat(LOCALES[language], {
    calendar: CALENDAR_IDS[calendar],
    numberingSystem: language === 'fa' ? 'arabext' : 'latn',
    timeZone: 'UTC',
    year: 'numeric',
    month: 'long',
  })
    .format(noon)
    .replace(/\s*AP$/, '');
}

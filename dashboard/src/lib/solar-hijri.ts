/**
 * Solar Hijri (Jalali) days to and from the ISO days the API speaks (`2024-03-20`), through
 * the browser's own Persian calendar (Intl, `ca-persian`): the date pickers then agree to
 * the day with every date the dashboard shows, which goes through the same calendar.
 * A day here is a calendar day, with no time zone: both sides are read at UTC noon.
 */

export interface SolarHijriDay {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const DAY_MS = 86_400_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** 1 Farvardin 1 AP fell in March 622; Nowruz stays on 19–22 March of the year 621 later. */
const YEARS_BEFORE_GREGORIAN = 621;

const persianParts = new Intl.DateTimeFormat('en', {
  calendar: 'persian',
  numberingSystem: 'latn',
  timeZone: 'UTC',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
});

function noonOf(isoDay: string): number | null {
  const match = ISO_DAY.exec(isoDay);
  if (!match) {
    return null;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day, 12);
  // Date.UTC rolls 31 February over into March: such a day does not exist.
  const back = new Date(ms);
  return back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === day
    ? ms
    : null;
}

function solarHijriAt(ms: number): SolarHijriDay {
  const parts = persianParts.formatToParts(ms);
  const field = (type: string): number => Number(parts.find((part) => part.type === type)?.value);
  return { year: field('year') || field('relatedYear'), month: field('month'), day: field('day') };
}

/** The day of the year: the first six months have 31 days, the next five 30, Esfand 29 or 30. */
function dayOfYear(month: number, day: number): number {
  return month <= 7 ? (month - 1) * 31 + day : 186 + (month - 7) * 30 + day;
}

/** The Solar Hijri day of an ISO day; null for text that is no ISO day. */
export function toSolarHijri(isoDay: string): SolarHijriDay | null {
  const ms = noonOf(isoDay);
  return ms === null ? null : solarHijriAt(ms);
}

/** The ISO day of a Solar Hijri day; null for a day the calendar does not have (30 Esfand of a common year). */
export function fromSolarHijri({ year, month, day }: SolarHijriDay): string | null {
  if (
    ![year, month, day].every(Number.isInteger) ||
    year < 1 ||
    year > 9_000 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31
  ) {
    return null;
  }
  // A first guess within a day or two, then steps by the difference the calendar reports.
  let ms = Date.UTC(year + YEARS_BEFORE_GREGORIAN, 2, 20, 12) + (dayOfYear(month, day) - 1) * DAY_MS;
  for (let step = 0; step < 5; step += 1) {
    const found = solarHijriAt(ms);
    if (found.year === year && found.month === month && found.day === day) {
      return new Date(ms).toISOString().slice(0, 10);
    }
    const apart = (year - found.year) * 365 + dayOfYear(month, day) - dayOfYear(found.month, found.day);
    // Across a leap year's 30 Esfand the count of 365 is one day short: step towards the year.
    ms += (apart === 0 ? Math.sign(year - found.year) : apart) * DAY_MS;
  }
  return null;
}

/** How many days a Solar Hijri month has: 31, 30, or for Esfand 30 in a leap year and 29 otherwise. */
export function daysInSolarHijriMonth(year: number, month: number): number {
  if (month <= 6) {
    return 31;
  }
  if (month <= 11) {
    return 30;
  }
  return fromSolarHijri({ year, month: 12, day: 30 }) === null ? 29 : 30;
}

/** The Solar Hijri month names in `locale` (Farvardin … Esfand), in the month's order. */
export function solarHijriMonthNames(locale: string): readonly string[] {
  const names = new Intl.DateTimeFormat(locale, { calendar: 'persian', month: 'long', timeZone: 'UTC' });
  // The 15th of each month of 1403, a year like any other for naming months.
  return Array.from({ length: 12 }, (_, index) =>
    names.format(Date.parse(`${fromSolarHijri({ year: 1403, month: index + 1, day: 15 }) ?? ''}T12:00:00Z`)),
  );
}

/** Today in the reader's own time zone, as an ISO day. */
export function localIsoDay(ms: number): string {
  const date = new Date(ms);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${String(date.getFullYear())}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** An ISO day `days` after (or before, when negative) another. */
export function addDays(isoDay: string, days: number): string {
  const ms = noonOf(isoDay);
  if (ms === null) {
    throw new RangeError(`Not an ISO day: ${isoDay}`);
  }
  return new Date(ms + days * DAY_MS).toISOString().slice(0, 10);
}

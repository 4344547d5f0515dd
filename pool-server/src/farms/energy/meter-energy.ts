/**
 * Energy from an energy meter's readings, split by time: by tariff band for the power
 * bill, and inside restricted windows for the regulator. Windows are in the farm's
 * local time (Asia/Tehran, Asia/Irkutsk, …); an interval between two readings that
 * crosses a window's edge is shared pro rata, as regulation-economics.md 3.2 says:
 * E_restr = Σ P_i · |[t_i, t_i + Δt) ∩ W|.
 */

/** A daily span of local time, `from` inclusive, `to` exclusive; `to` before `from` runs past midnight. */
export interface DailyWindow {
  readonly from: string;
  readonly to: string;
  /** Months (1–12, local calendar) the window applies in; all when absent. A seasonal band. */
  readonly months?: readonly number[];
}

/** A meter's running total at a moment. */
export interface MeterReading {
  readonly atMs: number;
  readonly energyWh: number;
}

const MINUTE_MS = 60_000;

function minutesOf(clock: string): number {
  const match =
    /^([01]\d|2[0-3]):([0-5]\d)$/.exec(clock) ?? (clock === '24:00' ? ['24:00', '24', '00'] : null);
  if (!match) {
    throw new RangeError(`"${clock}" is not a time of day as HH:MM`);
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

export interface LocalTime {
  /** Minutes since local midnight. */
  readonly minute: number;
  readonly month: number;
  /** The local date, YYYY-MM-DD (Gregorian). */
  readonly date: string;
}

/** Local time of day, month and date of an instant in a time zone, through Intl (no calendar code of our own). */
export function localClock(timeZone: string): (atMs: number) => LocalTime {
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: 'numeric',
    minute: 'numeric',
  });
  return (atMs) => {
    const parts = Object.fromEntries(format.formatToParts(atMs).map((part) => [part.type, part.value]));
    return {
      minute: Number(parts.hour) * 60 + Number(parts.minute),
      month: Number(parts.month),
      date: `${parts.year ?? ''}-${parts.month ?? ''}-${parts.day ?? ''}`,
    };
  };
}

/** The instant a local date (YYYY-MM-DD) begins in a time zone, to the minute. */
export function localMidnight(date: string, local: (atMs: number) => LocalTime): number {
  let guess = Date.parse(`${date}T00:00:00Z`);
  // Twice: the offset found at the first guess may differ from the one at midnight (a DST change).
  for (let pass = 0; pass < 2; pass += 1) {
    const seen = local(guess);
    const offsetMs =
      Date.parse(`${seen.date}T00:00:00Z`) +
      seen.minute * MINUTE_MS -
      Math.floor(guess / MINUTE_MS) * MINUTE_MS;
    guess = Date.parse(`${date}T00:00:00Z`) - offsetMs;
  }
  return guess;
}

export function inWindow(window: DailyWindow, local: Pick<LocalTime, 'minute' | 'month'>): boolean {
  if (window.months && !window.months.includes(local.month)) {
    return false;
  }
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  return from <= to ? local.minute >= from && local.minute < to : local.minute >= from || local.minute < to;
}

/**
 * Splits the energy between consecutive readings over `classify`'s answers, minute by
 * minute (windows are set to the minute), pro rata within an interval: each interval's
 * energy is spread evenly over its duration. A meter that went back (replaced, reset)
 * contributes nothing for that interval; the count of such intervals is returned.
 */
export function energyBy<K extends string>(
  readings: readonly MeterReading[],
  classify: (atMs: number) => K,
): { byClass: Map<K, number>; resets: number } {
  const byClass = new Map<K, number>();
  let resets = 0;
  const sorted = [...readings].sort((a, b) => a.atMs - b.atMs);
  for (let i = 1; i < sorted.length; i += 1) {
    const start = sorted[i - 1] as MeterReading;
    const end = sorted[i] as MeterReading;
    const wh = end.energyWh - start.energyWh;
    const span = end.atMs - start.atMs;
    if (wh < 0) {
      resets += 1;
      continue;
    }
    if (span <= 0 || wh === 0) {
      continue;
    }
    let at = start.atMs;
    while (at < end.atMs) {
      const next = Math.min(end.atMs, (Math.floor(at / MINUTE_MS) + 1) * MINUTE_MS);
      const share = (wh * (next - at)) / span;
      const key = classify(at);
      byClass.set(key, (byClass.get(key) ?? 0) + share);
      at = next;
    }
  }
  return { byClass, resets };
}

/**
 * The highest average power over any whole demand interval (15 min unless told), in W:
 * the peak demand regulators compare with the licensed capacity. Null when the readings
 * cover no whole interval: a partial one is an average over less than the interval.
 */
export function peakDemand(readings: readonly MeterReading[], intervalMs = 15 * MINUTE_MS): number | null {
  const sorted = [...readings].sort((a, b) => a.atMs - b.atMs);
  const first = sorted[0];
  const last = sorted.at(-1);
  if (!first || !last) {
    return null;
  }
  const perInterval = energyBy(sorted, (atMs) => String(Math.floor(atMs / intervalMs))).byClass;
  const firstWhole = Math.ceil(first.atMs / intervalMs) * intervalMs;
  if (firstWhole + intervalMs > last.atMs) {
    return null;
  }
  let peak = 0;
  for (const [bucket, wh] of perInterval) {
    const bucketStart = Number(bucket) * intervalMs;
    if (bucketStart >= first.atMs && bucketStart + intervalMs <= last.atMs) {
      peak = Math.max(peak, (wh * 3_600_000) / intervalMs);
    }
  }
  return peak;
}

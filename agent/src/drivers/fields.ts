/**
 * Reading numbers out of miner replies: firmware sends numbers as numbers, as strings
 * ("4885.08", "3250 W"), as "" for an absent chain, and as nan or "inf". Absent or
 * unreadable is undefined, never zero.
 */

export type Record_ = Readonly<Record<string, unknown>>;

export function num(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : undefined;
  }
  if (typeof value === 'string') {
    const match = /^\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)/i.exec(value);
    if (match?.[1] === undefined) {
      return undefined;
    }
    const parsed = Number(match[1]);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

/** A reading that is there only when above zero (a sensor that reads 0 is absent). */
export function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}

/** `value` in other units (GH/s to H/s: 1e9), absent staying absent. */
export function scaled(value: number | undefined, factor: number): number | undefined {
  return value === undefined ? undefined : value * factor;
}

/** A count: a non-negative whole number, or undefined. */
export function count(value: unknown): number | undefined {
  const n = num(value);
  return n === undefined || n < 0 ? undefined : Math.round(n);
}

export function str(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed.length > 0 ? trimmed : undefined;
  }
  return typeof value === 'number' ? String(value) : undefined;
}

export function record(value: unknown): Record_ | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record_)
    : undefined;
}

export function records(value: unknown): Record_[] {
  if (Array.isArray(value)) {
    return value.map(record).filter((entry): entry is Record_ => entry !== undefined);
  }
  // cgminer's API README shows sections as objects; firmware sends one-element arrays.
  const single = record(value);
  return single ? [single] : [];
}

/** The first entry of a section, in either shape: `SUMMARY: [{…}]` or `SUMMARY: {…}`. */
export function first(value: unknown): Record_ | undefined {
  return records(value)[0];
}

const UNIT_SCALE: Readonly<Record<string, number>> = {
  H: 1,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
};

/** H/s per unit of a unit name: "GH", "GH/s", "Mh/s", "TH/s", "KHS", "kH/s". */
export function unitScale(unit: string): number | undefined {
  const letter = /^\s*([hkmgtp])h?(?:s|\/s)?\s*$/i.exec(unit)?.[1]?.toUpperCase();
  return letter === undefined ? undefined : UNIT_SCALE[letter];
}

export type Window = '5s' | '30s' | '1m' | '5m' | '15m' | '30m' | '24h' | 'av';

/** The windows a real-time hashrate is taken from, best first. */
export const REALTIME_WINDOWS: readonly Window[] = ['5s', '30s', '1m', '5m', '15m', '30m', 'av'];

export interface RateField {
  readonly hashrate: number;
  readonly raw: { readonly value: number; readonly unit: string; readonly field: string };
}

/**
 * cgminer names its hashrate fields by unit and window: `GHS 5s`, `MHS av`, `KHS 30s`.
 * Returns the first window in `windows` the record holds, in H/s.
 */
export function rateField(
  entry: Record_,
  windows: readonly Window[] = REALTIME_WINDOWS,
): RateField | undefined {
  for (const window of windows) {
    for (const unit of ['THS', 'GHS', 'MHS', 'KHS', 'HS']) {
      const field = `${unit} ${window}`;
      const value = num(entry[field]);
      if (value !== undefined) {
        const scale = unitScale(unit) ?? 1;
        return { hashrate: value * scale, raw: { value, unit: `${unit.slice(0, -1)}/s`, field } };
      }
    }
  }
  return undefined;
}

type KeptKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? never : K }[keyof T];

/** `fields` without its undefined values: those keys become optional, as the schemas have them. */
export type Defined<T> = { [K in KeptKeys<T>]: T[K] } & {
  [K in Exclude<keyof T, KeptKeys<T>>]?: Exclude<T[K], undefined>;
};

export function defined<T extends Record<string, unknown>>(fields: T): Defined<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Defined<T>;
}

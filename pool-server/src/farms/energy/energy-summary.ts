import type { EnergyBasis, EnergySummary, RestrictedWindow, Tariff } from '@hashwatt/schemas';
import { energyBy, inWindow, localClock, peakDemand, type MeterReading } from './meter-energy.ts';

/**
 * Readings further apart than this leave the time between them uncovered. The meter's
 * counter measures the energy across any gap, but beyond one demand interval (15 min,
 * what utility meters record) the peak demand inside it is unknowable.
 */
export const MAX_READING_GAP_MS = 15 * 60_000;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const NO_TARIFF = 'no tariff';

/** A meter of the farm and when it last reported, whatever the period. */
export interface MeterStatus {
  readonly name: string;
  readonly lastSampleAtMs: number | null;
}

export interface Coverage {
  readonly basis: EnergyBasis;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  readonly fraction: number;
}

/**
 * How much of [fromMs, toMs] the readings cover. Time before the first reading, after the
 * last, and between readings further apart than MAX_READING_GAP_MS is uncovered, as is an
 * interval in which the meter went back (its energy is lost).
 */
export function coverageOf(readings: readonly MeterReading[], fromMs: number, toMs: number): Coverage {
  const sorted = readings.filter((r) => r.atMs >= fromMs && r.atMs <= toMs).sort((a, b) => a.atMs - b.atMs);
  const first = sorted[0];
  const last = sorted.at(-1);
  if (!first || !last || sorted.length < 2) {
    return { basis: 'unknown', firstMs: first?.atMs ?? null, lastMs: last?.atMs ?? null, fraction: 0 };
  }
  const gap = (spanMs: number): number => (spanMs > MAX_READING_GAP_MS ? spanMs : 0);
  let uncoveredMs = gap(first.atMs - fromMs) + gap(toMs - last.atMs);
  for (let i = 1; i < sorted.length; i += 1) {
    const start = sorted[i - 1] as MeterReading;
    const end = sorted[i] as MeterReading;
    const span = end.atMs - start.atMs;
    uncoveredMs += end.energyWh < start.energyWh ? span : gap(span);
  }
  return {
    basis: uncoveredMs === 0 ? 'measured' : 'partial',
    firstMs: first.atMs,
    lastMs: last.atMs,
    fraction: Math.min(1, Math.max(0, 1 - uncoveredMs / (toMs - fromMs))),
  };
}

const iso = (atMs: number): string => new Date(atMs).toISOString().replace('.000Z', 'Z');

function amount(value: number): string {
  return String(Math.round(value * 10) / 10);
}

const UNITS = [
  { name: 'days', ms: DAY_MS },
  { name: 'hours', ms: HOUR_MS },
  { name: 'minutes', ms: 60_000 },
] as const;

/**
 * "12.5 of 30 days", "3 of 24 hours", "50 minutes of 24 hours": the period in days from
 * two days on, in hours below; the covered time in the same unit unless it is less than one.
 * Readings far apart cover little time though they exist: then "less than a minute".
 */
function share(coveredMs: number, periodMs: number): string {
  const period = periodMs < 2 * DAY_MS ? UNITS[1] : UNITS[0];
  const whole = `${amount(periodMs / period.ms)} ${period.name}`;
  const covered = UNITS.find((unit) => unit.ms <= period.ms && coveredMs >= unit.ms);
  if (!covered) {
    return `less than a minute of ${whole}`;
  }
  return covered === period
    ? `${amount(coveredMs / covered.ms)} of ${whole}`
    : `${amount(coveredMs / covered.ms)} ${covered.name} of ${whole}`;
}

/** Why the readings leave the period unknown or partly covered; null when they cover it whole. */
function coverageReason(
  coverage: Coverage,
  meters: readonly MeterStatus[],
  fromMs: number,
  toMs: number,
): string | null {
  if (meters.length === 0) {
    return 'the farm has no meter';
  }
  if (coverage.basis === 'partial' && coverage.firstMs !== null && coverage.lastMs !== null) {
    return `readings cover ${share(coverage.fraction * (toMs - fromMs), toMs - fromMs)} (from ${iso(coverage.firstMs)} to ${iso(coverage.lastMs)})`;
  }
  if (coverage.basis !== 'unknown') {
    return null;
  }
  if (coverage.firstMs !== null) {
    return `only one meter reading in the period, at ${iso(coverage.firstMs)}`;
  }
  const named = (meter: MeterStatus): string => (meters.length === 1 ? 'the meter' : `meter "${meter.name}"`);
  const never = meters.find((meter) => meter.lastSampleAtMs === null);
  if (never) {
    return `${named(never)} has never reported`;
  }
  const silent = [...meters].sort((a, b) => (a.lastSampleAtMs ?? 0) - (b.lastSampleAtMs ?? 0))[0];
  if (
    silent?.lastSampleAtMs !== null &&
    silent?.lastSampleAtMs !== undefined &&
    silent.lastSampleAtMs < fromMs
  ) {
    return meters.length === 1
      ? `no meter reading since ${iso(silent.lastSampleAtMs)}`
      : `${named(silent)}: no reading since ${iso(silent.lastSampleAtMs)}`;
  }
  return `no meter reading between ${iso(fromMs)} and ${iso(toMs)}`;
}

/** Why the cost is unknown though the energy is known, or null when it is known. */
function costReason(
  byBand: EnergySummary['byBand'],
  tariffs: readonly Tariff[],
  currencies: readonly string[],
) {
  if (tariffs.length === 0) {
    return 'the farm has no tariff';
  }
  if (currencies.length > 1) {
    return `the tariffs are in several currencies (${currencies.join(', ')})`;
  }
  const oldest = tariffs.at(-1);
  if (oldest && byBand.some((band) => band.band === NO_TARIFF)) {
    return `no tariff before ${oldest.effectiveFrom}`;
  }
  return null;
}

/**
 * A farm's energy over a period from its metered series: the total, the peak demand
 * against its licence, the energy priced by the tariff in force at each moment (its
 * bands in local time), and the energy drawn inside each restricted window. What the
 * readings do not cover is said (`basis`, `unknownReason`, `coverage`), and a figure
 * nothing measured is null.
 */
export function summarizeEnergy(input: {
  readonly fromMs: number;
  readonly toMs: number;
  readonly readings: readonly MeterReading[];
  /** Every meter of the farm; none means there is nothing to measure with. */
  readonly meters: readonly MeterStatus[];
  readonly timezone: string;
  readonly licensedCapacityKw: number | null;
  /** Newest first, as listTariffs gives them. */
  readonly tariffs: readonly Tariff[];
  readonly windows: readonly RestrictedWindow[];
}): EnergySummary {
  const local = localClock(input.timezone);
  const readings = input.readings.filter(
    (reading) => reading.atMs >= input.fromMs && reading.atMs <= input.toMs,
  );
  const coverage = coverageOf(readings, input.fromMs, input.toMs);
  const basis = input.meters.length === 0 ? 'unknown' : coverage.basis;
  const known = basis !== 'unknown';
  const tariffAt = (date: string): Tariff | undefined =>
    input.tariffs.find((tariff) => tariff.effectiveFrom <= date);
  const { byClass, resets } = energyBy(readings, (atMs) => {
    const time = local(atMs);
    const tariff = tariffAt(time.date);
    if (!tariff) {
      return `${NO_TARIFF}\u0000`;
    }
    const band = tariff.bands.find((candidate) => candidate.windows.some((window) => inWindow(window, time)));
    return `${band?.name ?? 'default'}\u0000${tariff.id}`;
  });
  const byBand = [...byClass].map(([key, wh]) => {
    const [band = '', tariffId = ''] = key.split('\u0000');
    const tariff = input.tariffs.find((candidate) => candidate.id === tariffId);
    const price = tariff
      ? (tariff.bands.find((candidate) => candidate.name === band)?.pricePerKwh ?? tariff.defaultPricePerKwh)
      : null;
    return { band, kwh: wh / 1000, pricePerKwh: price, cost: price === null ? null : (wh / 1000) * price };
  });
  const kwhTotal = known ? byBand.reduce((sum, band) => sum + band.kwh, 0) : null;
  const peakW = known ? peakDemand(readings) : null;
  const peakKw = peakW === null ? null : peakW / 1000;
  const restricted = input.windows.map((window) => {
    const inside = energyBy(readings, (atMs) => {
      const time = local(atMs);
      const valid = time.date >= window.validFrom && (window.validTo === null || time.date <= window.validTo);
      return valid && inWindow(window, time) ? 'inside' : 'outside';
    }).byClass.get('inside');
    return { windowId: window.id, class: window.class, kwh: known ? (inside ?? 0) / 1000 : null };
  });
  const currencies = [...new Set(input.tariffs.map((tariff) => tariff.currency))];
  const noCost = known ? costReason(byBand, input.tariffs, currencies) : null;
  return {
    from: new Date(input.fromMs).toISOString(),
    to: new Date(input.toMs).toISOString(),
    kwhTotal,
    peakKw,
    peakVsLicence:
      input.licensedCapacityKw === null || peakKw === null ? null : peakKw / input.licensedCapacityKw,
    byBand,
    currency: currencies.length === 1 ? (currencies[0] ?? null) : null,
    // With no reason against it, every band has a price and a cost.
    cost:
      kwhTotal === null || noCost !== null ? null : byBand.reduce((sum, band) => sum + (band.cost ?? 0), 0),
    restricted,
    meterResets: resets,
    basis,
    unknownReason: coverageReason(coverage, input.meters, input.fromMs, input.toMs),
    costReason: noCost,
    coverage: {
      firstReadingAt: coverage.firstMs === null ? null : new Date(coverage.firstMs).toISOString(),
      lastReadingAt: coverage.lastMs === null ? null : new Date(coverage.lastMs).toISOString(),
      fraction: coverage.fraction,
    },
  };
}

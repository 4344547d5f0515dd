import type { EnergySummary, RestrictedWindow, Tariff } from '@hashwatt/schemas';
import { energyBy, inWindow, localClock, peakDemandW, type MeterReading } from './energy.ts';

/**
 * A farm's energy over a period from its metered series: the total, the peak demand
 * against its licence, the energy priced by the tariff in force at each moment (its
 * bands in local time), and the energy drawn inside each restricted window.
 */
export function summarizeEnergy(input: {
  readonly fromMs: number;
  readonly toMs: number;
  readonly readings: readonly MeterReading[];
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
  const tariffAt = (date: string): Tariff | undefined =>
    input.tariffs.find((tariff) => tariff.effectiveFrom <= date);
  const { byClass, resets } = energyBy(readings, (atMs) => {
    const time = local(atMs);
    const tariff = tariffAt(time.date);
    if (!tariff) {
      return 'no tariff\u0000';
    }
    const band = tariff.bands.find((candidate) => candidate.windows.some((window) => inWindow(window, time)));
    return `${band?.name ?? 'default'}\u0000${tariff.id}`;
  });
  const byBand = [...byClass].map(([key, wh]) => {
    const [band = '', tariffId = ''] = key.split('\u0000');
    const tariff = input.tariffs.find((candidate) => candidate.id === tariffId);
    const price =
      tariff?.bands.find((candidate) => candidate.name === band)?.pricePerKwh ??
      tariff?.defaultPricePerKwh ??
      0;
    return { band, kwh: wh / 1000, pricePerKwh: price, cost: (wh / 1000) * price };
  });
  const kwhTotal = byBand.reduce((sum, band) => sum + band.kwh, 0);
  const peakKw = peakDemandW(readings) / 1000;
  const restricted = input.windows.map((window) => {
    const inside = energyBy(readings, (atMs) => {
      const time = local(atMs);
      const valid = time.date >= window.validFrom && (window.validTo === null || time.date <= window.validTo);
      return valid && inWindow(window, time) ? 'inside' : 'outside';
    }).byClass.get('inside');
    return { windowId: window.id, class: window.class, kwh: (inside ?? 0) / 1000 };
  });
  const currencies = [...new Set(input.tariffs.map((tariff) => tariff.currency))];
  return {
    from: new Date(input.fromMs).toISOString(),
    to: new Date(input.toMs).toISOString(),
    kwhTotal,
    peakKw,
    peakVsLicence: input.licensedCapacityKw === null ? null : peakKw / input.licensedCapacityKw,
    byBand,
    currency: currencies.length === 1 ? (currencies[0] ?? null) : null,
    cost: byBand.reduce((sum, band) => sum + band.cost, 0),
    restricted,
    meterResets: resets,
  };
}

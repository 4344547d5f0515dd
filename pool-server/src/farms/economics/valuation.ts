import type { EconomicsDay, EconomicsTotals, EnergyBasis, Price, RateType } from '@hashwatt/schemas';
import type { Queryable } from '../../db/pool.ts';
import { HwError } from '../../errors.ts';
import { SATS_PER_BTC, type NetworkState } from './hashprice.ts';
import { networkAt } from './network.ts';
import { priceAt } from './prices.ts';

/**
 * How a farm's mining is valued and summed: what a hashrate should earn, the money of
 * a period (revenue, power cost, profit, break-even), the prices and network state a
 * day needs (missing ones named, never invented), and the totals over many days.
 */

export interface Money {
  readonly revenue: number | null;
  readonly powerCost: number | null;
  readonly profit: number | null;
  readonly breakEvenPerKwh: number | null;
}

/** Hashprice × hashrate after the pool's fee; null without a known network. */
export function expectedSatsOf(
  hashprice: number | null,
  hashrate: number | null,
  poolFeePercent: number,
): number | null {
  return hashprice === null || hashrate === null
    ? null
    : hashprice * (hashrate / 1e12) * (1 - poolFeePercent / 100);
}

/**
 * Revenue, cost, profit and break-even. `wholeKwh` is the energy of the whole period, or
 * null when only part of it (or none) is known: then the cost stands for what was
 * measured, and profit and break-even, which need the whole, are null.
 */
export function money(
  expectedSats: number | null,
  wholeKwh: number | null,
  btcPrice: number | null,
  cost: number | null,
): Money {
  const revenue =
    btcPrice === null || expectedSats === null ? null : (expectedSats / SATS_PER_BTC) * btcPrice;
  const whole = wholeKwh !== null;
  return {
    revenue,
    powerCost: cost,
    profit: revenue === null || cost === null || !whole ? null : revenue - cost,
    breakEvenPerKwh: revenue === null || wholeKwh === null || wholeKwh <= 0 ? null : revenue / wholeKwh,
  };
}

/** A price, or undefined with what was missing added to `missing`. */
export async function maybePrice(
  db: Queryable,
  pair: { base: string; quote: string; rateType: RateType },
  atMs: number,
  missing: string[],
): Promise<Price | null> {
  try {
    return await priceAt(db, pair, atMs);
  } catch (error) {
    if (error instanceof HwError && error.code === 'HW_ERR_PRICE_NOT_FOUND') {
      missing.push(
        `no ${pair.base}/${pair.quote} (${pair.rateType}) price at or before ${new Date(atMs).toISOString()}`,
      );
      return null;
    }
    throw error;
  }
}

export async function maybeNetwork(
  db: Queryable,
  atMs: number,
  windowBlocks: number,
  missing: string[],
): Promise<NetworkState | null> {
  try {
    return await networkAt(db, atMs, windowBlocks);
  } catch (error) {
    if (error instanceof HwError && error.code === 'HW_ERR_NETWORK_UNKNOWN') {
      missing.push(`no block template seen at or before ${new Date(atMs).toISOString()}`);
      return null;
    }
    throw error;
  }
}

/** The basis of a sum of figures: measured if all are, unknown if none is known, partial otherwise. */
function basisOf(bases: readonly EnergyBasis[]): EnergyBasis {
  if (bases.every((basis) => basis === 'measured')) {
    return 'measured';
  }
  return bases.every((basis) => basis === 'unknown') ? 'unknown' : 'partial';
}

/** The sum of the figures that are known; null when none is. */
function knownSum(values: readonly (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null);
  return known.length === 0 ? null : known.reduce((sum, value) => sum + value, 0);
}

export function totalOf(
  days: readonly (Pick<EconomicsDay, 'energyKwh' | 'energyBasis' | 'expectedSats' | 'minedSats'> & Money)[],
): EconomicsTotals {
  const complete = days.filter((day) => day.revenue !== null && day.profit !== null);
  const revenue = knownSum(complete.map((day) => day.revenue));
  const powerCost = knownSum(complete.map((day) => day.powerCost));
  const completeKwh = knownSum(complete.map((day) => day.energyKwh));
  return {
    energyKwh: knownSum(days.map((day) => day.energyKwh)),
    energyBasis: basisOf(days.map((day) => day.energyBasis)),
    expectedSats: knownSum(days.map((day) => day.expectedSats)),
    minedSats: days.reduce((sum, day) => sum + day.minedSats, 0),
    revenue,
    powerCost,
    profit: revenue === null || powerCost === null ? null : revenue - powerCost,
    breakEvenPerKwh:
      revenue === null || completeKwh === null || completeKwh <= 0 ? null : revenue / completeKwh,
    daysMissing: days.length - complete.length,
  };
}

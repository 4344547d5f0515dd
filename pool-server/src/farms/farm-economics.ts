import type {
  EconomicsDay,
  EconomicsTotals,
  Farm,
  FarmDeviceEconomics,
  FarmEconomics,
  OrganisationEconomics,
  Price,
  RateType,
} from '@hashwatt/schemas';
import type { Database } from '../db/pool.ts';
import { HwError } from '../errors.ts';
import {
  HASHES_PER_DIFFICULTY,
  hashpriceSatsPerThDay,
  joulesPerTh,
  type NetworkState,
  SATS_PER_BTC,
} from './economics.ts';
import { localClock, localMidnight } from './energy.ts';
import { farmMeters } from './energy-report.ts';
import { summarizeEnergy } from './energy-summary.ts';
import { listFarms } from './farms.ts';
import { networkAt } from './network.ts';
import { farmEnergySeries } from './orders.ts';
import { priceAt } from './prices.ts';
import { attributedSats, farmHashrate } from './production.ts';
import { listTariffs } from './tariffs.ts';

/**
 * A farm's economics day by day (its local days), from stored data only: hashrate as
 * reported and as the pool measured it, metered energy at the tariff, hashprice from
 * the network the templates showed, the coins credited, and every amount valued in
 * the currency asked at that day's recorded prices. A missing price leaves that day's
 * money figures null and says what was missing, rather than inventing a number.
 */

const MAX_DAYS = 92;
const DAY_MS = 86_400_000;

export interface EconomicsSettings {
  readonly poolFeePercent: number;
  readonly feeWindowBlocks: number;
  readonly nowMs: number;
}

export interface Valuation {
  readonly currency: string;
  readonly rateType: RateType;
}

interface Money {
  readonly revenue: number | null;
  readonly powerCost: number | null;
  readonly profit: number | null;
  readonly breakEvenPerKwh: number | null;
}

function money(expectedSats: number, energyKwh: number, btcPrice: number | null, cost: number | null): Money {
  const revenue = btcPrice === null ? null : (expectedSats / SATS_PER_BTC) * btcPrice;
  return {
    revenue,
    powerCost: cost,
    profit: revenue === null || cost === null ? null : revenue - cost,
    breakEvenPerKwh: revenue === null || energyKwh <= 0 ? null : revenue / energyKwh,
  };
}

/** A price, or undefined with what was missing added to `missing`. */
async function maybePrice(
  db: Database,
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

async function maybeNetwork(
  db: Database,
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

/** The local days `from`..`to` as instants; a clear 400 for a reversed or too long span. */
function daysOf(farm: Farm, from: string, to: string): { date: string; fromMs: number; toMs: number }[] {
  const count = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  if (!(count >= 1)) {
    throw new HwError('HW_ERR_VALIDATION', 'The last day is on or after the first.', 'query.to');
  }
  if (count > MAX_DAYS) {
    throw new HwError('HW_ERR_VALIDATION', `At most ${String(MAX_DAYS)} days at a time.`, 'query.to');
  }
  const local = localClock(farm.timezone);
  return Array.from({ length: count }, (_, index) => {
    const date = new Date(Date.parse(from) + index * DAY_MS).toISOString().slice(0, 10);
    const next = new Date(Date.parse(from) + (index + 1) * DAY_MS).toISOString().slice(0, 10);
    return { date, fromMs: localMidnight(date, local), toMs: localMidnight(next, local) };
  });
}

function totalOf(
  days: readonly (Pick<EconomicsDay, 'energyKwh' | 'expectedSats' | 'minedSats' | 'missing'> & Money)[],
): EconomicsTotals {
  const complete = days.filter((day) => day.revenue !== null && day.powerCost !== null);
  const sum = (of: (day: (typeof days)[number]) => number | null, among = days): number =>
    among.reduce((total, day) => total + (of(day) ?? 0), 0);
  const energyKwh = sum((day) => day.energyKwh);
  const revenue = complete.length === 0 ? null : sum((day) => day.revenue, complete);
  const powerCost = complete.length === 0 ? null : sum((day) => day.powerCost, complete);
  const completeKwh = sum((day) => day.energyKwh, complete);
  return {
    energyKwh,
    expectedSats: sum((day) => day.expectedSats),
    minedSats: sum((day) => day.minedSats),
    revenue,
    powerCost,
    profit: revenue === null || powerCost === null ? null : revenue - powerCost,
    breakEvenPerKwh: revenue === null || completeKwh <= 0 ? null : revenue / completeKwh,
    daysMissing: days.length - complete.length,
  };
}

export async function farmEconomics(
  db: Database,
  farm: Farm,
  query: { readonly from: string; readonly to: string } & Valuation,
  settings: EconomicsSettings,
): Promise<FarmEconomics> {
  const days = daysOf(farm, query.from, query.to);
  const firstMs = days[0]?.fromMs ?? 0;
  const lastMs = days.at(-1)?.toMs ?? 0;
  const [readings, meters, tariffs] = await Promise.all([
    farmEnergySeries(db, farm.id, firstMs, lastMs),
    farmMeters(db, farm.id),
    listTariffs(db, farm.id),
  ]);
  const results: EconomicsDay[] = [];
  for (const day of days) {
    const missing: string[] = [];
    // A day not over yet is valued as it stands now.
    const atMs = Math.min(day.toMs, settings.nowMs);
    const [hashrate, minedSats, network] = await Promise.all([
      farmHashrate(db, farm.id, day.fromMs, day.toMs),
      attributedSats(db, farm.id, day.fromMs, day.toMs),
      maybeNetwork(db, atMs, settings.feeWindowBlocks, missing),
    ]);
    const energy = summarizeEnergy({
      fromMs: day.fromMs,
      toMs: day.toMs,
      readings,
      meters,
      timezone: farm.timezone,
      licensedCapacityKw: farm.licence.capacityKw,
      tariffs,
      windows: [],
    });
    const hashprice = network === null ? null : hashpriceSatsPerThDay(network);
    const earning = hashrate.poolAverage > 0 ? hashrate.poolAverage : hashrate.reportedAverage;
    const expectedSats =
      hashprice === null ? 0 : hashprice * (earning / 1e12) * (1 - settings.poolFeePercent / 100);
    const btcPrice = await maybePrice(
      db,
      { base: 'BTC', quote: query.currency, rateType: query.rateType },
      atMs,
      missing,
    );
    // Until the economics schema carries unknown energy, an unknown day counts as none.
    const kwhTotal = energy.kwhTotal ?? 0;
    if (energy.currency === null && kwhTotal > 0) {
      missing.push('no tariff (or tariffs in several currencies) for this day');
    }
    const tariffRate =
      energy.currency === null
        ? null
        : await maybePrice(
            db,
            { base: energy.currency, quote: query.currency, rateType: query.rateType },
            atMs,
            missing,
          );
    const cost =
      tariffRate === null || energy.cost === null
        ? kwhTotal === 0
          ? 0
          : null
        : energy.cost * tariffRate.value;
    const averageW = (kwhTotal * 1000 * 3_600_000) / (day.toMs - day.fromMs);
    results.push({
      date: day.date,
      from: new Date(day.fromMs).toISOString(),
      to: new Date(day.toMs).toISOString(),
      hashrate: { reported: hashrate.reportedAverage, pool: hashrate.poolAverage },
      energyKwh: kwhTotal,
      joulesPerTh: joulesPerTh(averageW, hashrate.reportedAverage) ?? null,
      network: network && hashprice !== null ? { ...network, hashpriceSatsPerThDay: hashprice } : null,
      expectedSats,
      minedSats,
      btcPrice,
      tariffRate,
      ...money(expectedSats, kwhTotal, btcPrice?.value ?? null, cost),
      missing,
    });
  }
  return {
    farmId: farm.id,
    currency: query.currency,
    rateType: query.rateType,
    poolFeePercent: settings.poolFeePercent,
    days: results,
    total: totalOf(results),
  };
}

/** Every farm of an organisation over the same local dates, each with its totals, and the sum. */
export async function organisationEconomics(
  db: Database,
  organisationId: string,
  query: { readonly from: string; readonly to: string } & Valuation,
  settings: EconomicsSettings,
): Promise<OrganisationEconomics> {
  const farms: OrganisationEconomics['farms'][number][] = [];
  const allDays: FarmEconomics['days'] = [];
  for (const farm of await listFarms(db, organisationId)) {
    const economics = await farmEconomics(db, farm, query, settings);
    farms.push({ farmId: farm.id, name: farm.name, total: economics.total });
    allDays.push(...economics.days);
  }
  return {
    organisationId,
    currency: query.currency,
    rateType: query.rateType,
    farms,
    total: totalOf(allDays),
  };
}

interface DeviceDayRow {
  readonly id: string;
  readonly device: string;
  readonly model: string | null;
  readonly hashrate: number | null;
  readonly power_w: number | null;
  readonly difficulty: number | null;
}

/**
 * Each device's day: its own mean hashrate and power, its worker's measured hashrate,
 * its energy charged at the farm's metered cost per kWh that day. One statement for
 * all devices.
 */
export async function deviceEconomics(
  db: Database,
  farm: Farm,
  query: { readonly day: string } & Valuation,
  settings: EconomicsSettings,
): Promise<FarmDeviceEconomics> {
  const [farmDay] = (await farmEconomics(db, farm, { ...query, from: query.day, to: query.day }, settings))
    .days;
  if (!farmDay) {
    throw new Error('a one-day period has one day');
  }
  const fromMs = Date.parse(farmDay.from);
  const toMs = Date.parse(farmDay.to);
  const { rows } = await db.query<DeviceDayRow>(
    `SELECT d.id::text, d.device, d.model, s.hashrate, s.power_w, p.difficulty
       FROM devices d
       LEFT JOIN LATERAL (
         SELECT avg(hashrate) AS hashrate, avg(power_w) AS power_w FROM miner_samples
          WHERE device_id = d.id AND time >= to_timestamp($2::double precision / 1000) AND time < to_timestamp($3::double precision / 1000)
       ) s ON true
       LEFT JOIN LATERAL (
         SELECT sum(r.accepted_difficulty) AS difficulty
           FROM workers w JOIN share_rollups_worker_hour r ON r.worker_id = w.id
          WHERE w.name = d.pool_user
            AND r.bucket >= to_timestamp($2::double precision / 1000) AND r.bucket < to_timestamp($3::double precision / 1000)
       ) p ON true
      WHERE d.farm_id = $1
      ORDER BY d.device`,
    [farm.id, fromMs, toMs],
  );
  const hours = (toMs - fromMs) / 3_600_000;
  const pricePerKwh =
    farmDay.powerCost === null || farmDay.energyKwh <= 0 ? null : farmDay.powerCost / farmDay.energyKwh;
  const hashprice = farmDay.network?.hashpriceSatsPerThDay ?? null;
  const btcPrice = farmDay.btcPrice?.value ?? null;
  return {
    farmId: farm.id,
    date: farmDay.date,
    currency: query.currency,
    pricePerKwh,
    network: farmDay.network,
    missing: farmDay.missing,
    devices: rows.map((row) => {
      const pool =
        row.difficulty === null ? null : (row.difficulty * HASHES_PER_DIFFICULTY) / ((toMs - fromMs) / 1000);
      const earning = pool !== null && pool > 0 ? pool : (row.hashrate ?? 0);
      const expectedSats =
        hashprice === null ? 0 : hashprice * (earning / 1e12) * (1 - settings.poolFeePercent / 100);
      const energyKwh = row.power_w === null ? null : (row.power_w * hours) / 1000;
      const cost = energyKwh === null || pricePerKwh === null ? null : energyKwh * pricePerKwh;
      return {
        deviceId: row.id,
        device: row.device,
        model: row.model,
        hashrate: { reported: row.hashrate, pool },
        powerW: row.power_w,
        energyKwh,
        joulesPerTh:
          row.power_w === null || row.hashrate === null
            ? null
            : (joulesPerTh(row.power_w, row.hashrate) ?? null),
        expectedSats,
        ...money(expectedSats, energyKwh ?? 0, btcPrice, cost),
      };
    }),
  };
}

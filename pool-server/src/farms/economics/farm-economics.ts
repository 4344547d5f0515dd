import type {
  EconomicsDay,
  Farm,
  FarmDeviceEconomics,
  FarmEconomics,
  OrganisationEconomics,
  PowerFigure,
  RateType,
} from '@hashwatt/schemas';
import type { Queryable } from '../../db/pool.ts';
import { HwError } from '../../errors.ts';
import { workerWork } from '../../ledger/worker-production.ts';
import { farmEnergySeries } from '../curtailment/orders.ts';
import { summarizeEnergy } from '../energy/energy-summary.ts';
import { farmMeters } from '../energy/farm-energy.ts';
import { isBitcoinAlgorithm } from '../devices/algorithms.ts';
import { localClock, localMidnight } from '../energy/meter-energy.ts';
import { listTariffs } from '../energy/tariffs.ts';
import { listFarms } from '../farms.ts';
import { attributedSats, farmHashrate } from '../production.ts';
import { HASHES_PER_DIFFICULTY, hashpriceSatsPerThDay, joulesPerTh } from './hashprice.ts';
import { expectedSatsOf, maybeNetwork, maybePrice, money, totalOf } from './valuation.ts';

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

export async function farmEconomics(
  db: Queryable,
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
    const earning =
      hashrate.poolAverage !== null && hashrate.poolAverage > 0
        ? hashrate.poolAverage
        : hashrate.reportedAverage;
    if (earning === null) {
      missing.push('hashrate: no device reported one, and no device mines as a worker the pool knows');
    }
    const expectedSats = expectedSatsOf(hashprice, earning, settings.poolFeePercent);
    const btcPrice = await maybePrice(
      db,
      { base: 'BTC', quote: query.currency, rateType: query.rateType },
      atMs,
      missing,
    );
    if (energy.unknownReason !== null) {
      missing.push(`energy: ${energy.unknownReason}`);
    }
    if (energy.costReason !== null) {
      missing.push(`power cost: ${energy.costReason}`);
    }
    const tariffRate =
      energy.currency === null || energy.cost === null
        ? null
        : await maybePrice(
            db,
            { base: energy.currency, quote: query.currency, rateType: query.rateType },
            atMs,
            missing,
          );
    const cost = energy.cost === null || tariffRate === null ? null : energy.cost * tariffRate.value;
    if (hashrate.otherAlgorithmsHashed) {
      missing.push(
        "J/TH: the farm also hashed other algorithms, and its metered energy is not all SHA-256's",
      );
    }
    const wholeKwh = energy.basis === 'measured' ? energy.kwhTotal : null;
    const averageW = wholeKwh === null ? null : (wholeKwh * 1000 * 3_600_000) / (day.toMs - day.fromMs);
    results.push({
      date: day.date,
      from: new Date(day.fromMs).toISOString(),
      to: new Date(day.toMs).toISOString(),
      hashrate: { reported: hashrate.reportedAverage, pool: hashrate.poolAverage },
      energyKwh: energy.kwhTotal,
      energyBasis: energy.basis,
      joulesPerTh:
        averageW === null || hashrate.reportedAverage === null || hashrate.otherAlgorithmsHashed
          ? null
          : (joulesPerTh(averageW, hashrate.reportedAverage) ?? null),
      network: network && hashprice !== null ? { ...network, hashpriceSatsPerThDay: hashprice } : null,
      expectedSats,
      minedSats,
      btcPrice,
      tariffRate,
      ...money(expectedSats, wholeKwh, btcPrice?.value ?? null, cost),
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
  db: Queryable,
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
  readonly algorithm: string;
  readonly nominal_power_w: number | null;
  readonly hashrate: number | null;
  readonly power_w: number | null;
  readonly pool_user: string | null;
}

/**
 * The mean power a device's day is counted at: what it reported, or its nameplate power
 * (an estimate) when it reported none but hashed, or unknown with why.
 */
function dayPower(row: Pick<DeviceDayRow, 'power_w' | 'nominal_power_w' | 'hashrate'>): PowerFigure {
  if (row.power_w !== null) {
    return { watts: row.power_w, basis: 'measured', source: 'miner', reason: null };
  }
  if (row.hashrate === null || row.hashrate <= 0) {
    return {
      watts: null,
      basis: 'unknown',
      source: null,
      reason:
        row.hashrate === null ? 'the device reported nothing that day' : 'the device did not hash that day',
    };
  }
  if (row.nominal_power_w !== null) {
    return {
      watts: row.nominal_power_w,
      basis: 'estimated',
      source: 'nameplate',
      reason: 'the device reports no power: its nameplate power',
    };
  }
  return {
    watts: null,
    basis: 'unknown',
    source: null,
    reason: 'the device reports no power and has no nameplate power set',
  };
}

/**
 * Each device's day: its own mean hashrate and power (its nameplate's when it reports
 * none), its worker's measured hashrate, its energy charged at the farm's metered cost
 * per kWh that day. One statement for all devices, and one for their workers.
 */
export async function deviceEconomics(
  db: Queryable,
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
    `SELECT d.id::text, d.device, d.model, d.algorithm, d.nominal_power_w, d.pool_user, s.hashrate, s.power_w
       FROM devices d
       LEFT JOIN LATERAL (
         SELECT avg(hashrate) AS hashrate, avg(power_w) AS power_w FROM miner_samples
          WHERE device_id = d.id AND time >= to_timestamp($2::double precision / 1000) AND time < to_timestamp($3::double precision / 1000)
       ) s ON true
      WHERE d.farm_id = $1
      ORDER BY d.device`,
    [farm.id, fromMs, toMs],
  );
  const poolUsers = [...new Set(rows.map((row) => row.pool_user).filter((user) => user !== null))];
  const work = await workerWork(db, poolUsers, 'hour', fromMs, toMs);
  /** Difficulty from the device's worker; null when it has none or the worker sent nothing that day. */
  const difficultyOf = (poolUser: string | null): number | null => {
    const worker = poolUser === null ? undefined : work.get(poolUser);
    return worker === undefined || worker.firstBucketMs === null ? null : worker.difficulty;
  };
  const hours = (toMs - fromMs) / 3_600_000;
  const pricePerKwh =
    farmDay.powerCost === null || farmDay.energyKwh === null || farmDay.energyKwh <= 0
      ? null
      : farmDay.powerCost / farmDay.energyKwh;
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
      const difficulty = difficultyOf(row.pool_user);
      const pool =
        difficulty === null ? null : (difficulty * HASHES_PER_DIFFICULTY) / ((toMs - fromMs) / 1000);
      // A device of another algorithm earns no bitcoin here, whatever its hashrate.
      const bitcoin = isBitcoinAlgorithm(row.algorithm);
      const earning = !bitcoin ? null : pool !== null && pool > 0 ? pool : (row.hashrate ?? 0);
      const expectedSats = expectedSatsOf(hashprice, earning, settings.poolFeePercent);
      const power = dayPower(row);
      const energyKwh = power.watts === null ? null : (power.watts * hours) / 1000;
      const cost = energyKwh === null || pricePerKwh === null ? null : energyKwh * pricePerKwh;
      return {
        deviceId: row.id,
        device: row.device,
        model: row.model,
        hashrate: { reported: row.hashrate, pool },
        powerW: row.power_w,
        power,
        energyKwh,
        joulesPerTh:
          power.watts === null || row.hashrate === null || !bitcoin
            ? null
            : (joulesPerTh(power.watts, row.hashrate) ?? null),
        expectedSats,
        ...money(expectedSats, energyKwh, btcPrice, cost),
      };
    }),
  };
}

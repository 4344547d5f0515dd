import type { CurtailmentOrder, EnergySummary, Farm } from '@hashwatt/schemas';
import type { Queryable } from '../../db/pool.ts';
import { farmEnergy } from '../energy/farm-energy.ts';
import type { AccountCredit, AccountPayout } from '../../ledger/worker-production.ts';
import { listOrders } from '../curtailment/orders.ts';
import { accountCredits, accountPayouts, farmHashrate, type FarmHashrate } from '../production.ts';
import { monthsWithin, type ResolvedPeriod } from './periods.ts';

/** A meter's register at the first and the last reading of the period. */
export interface MeterFacts {
  readonly name: string;
  readonly serial: string | null;
  /** Null when the meter gave no reading in the period. */
  readonly first: { readonly atMs: number; readonly kwh: number } | null;
  readonly last: { readonly atMs: number; readonly kwh: number } | null;
}

/** One machine of the farm's inventory, as its agent identified it. */
export interface DeviceFacts {
  readonly device: string;
  readonly make: string;
  readonly model: string | null;
  readonly serial: string | null;
  readonly firmware: string;
  readonly algorithm: string;
  /** Hours it reported hashing in the period; null when it gave no reading in it. */
  readonly hoursRun: number | null;
}

/** What the pool credited the farm's accounts in one month of the period's calendar. */
export interface MonthCredits {
  readonly month: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly accounts: readonly AccountCredit[];
}

/** What a regulator report says about one farm over its period. */
export interface FarmFacts {
  readonly farm: Farm;
  readonly organisation: string;
  readonly energy: EnergySummary;
  readonly meters: readonly MeterFacts[];
  /** Orders in force at some moment of the period, oldest first, each with its measured compliance. */
  readonly orders: readonly CurtailmentOrder[];
  readonly hashrate: FarmHashrate;
  /**
   * Satoshis credited to the farm's accounts, in proportion to the farm's part of each
   * account's work each day; null when no device mines as a worker the pool knows.
   */
  readonly minedSats: number | null;
  readonly credits: readonly MonthCredits[];
  readonly payouts: readonly AccountPayout[];
  readonly devices: readonly DeviceFacts[];
  readonly devicesByModel: readonly { readonly model: string; readonly count: number }[];
}

export interface ReportFacts {
  readonly period: ResolvedPeriod;
  readonly farms: readonly FarmFacts[];
}

/** A reading this long after the one before says nothing of the time between: it counts this much at most. */
const LONGEST_READING_GAP = '10 minutes';

async function deviceInventory(
  db: Queryable,
  farmId: string,
  fromMs: number,
  toMs: number,
): Promise<DeviceFacts[]> {
  const { rows } = await db.query<{
    device: string;
    make: string;
    model: string | null;
    serial: string | null;
    firmware: string;
    algorithm: string;
    readings: number;
    seconds_mining: number | null;
  }>(
    // Each reading stands for the time to the next one (looked up past the period's
    // ends), at most LONGEST_READING_GAP, clipped to the period.
    `WITH readings AS (
       SELECT device_id, state, time, lead(time) OVER (PARTITION BY device_id ORDER BY time) AS next
         FROM miner_samples
        WHERE farm_id = $1
          AND time >= to_timestamp($2::double precision / 1000) - interval '${LONGEST_READING_GAP}'
          AND time < to_timestamp($3::double precision / 1000) + interval '${LONGEST_READING_GAP}'
     ), spans AS (
       SELECT device_id, state, time,
              greatest(time, to_timestamp($2::double precision / 1000)) AS span_from,
              least(coalesce(next, time), time + interval '${LONGEST_READING_GAP}',
                    to_timestamp($3::double precision / 1000)) AS span_to
         FROM readings
     )
     SELECT d.device, d.make, d.model, d.serial, d.firmware, d.algorithm,
            count(s.time) FILTER (WHERE s.time >= to_timestamp($2::double precision / 1000)
                                    AND s.time < to_timestamp($3::double precision / 1000))::int AS readings,
            sum(extract(epoch FROM s.span_to - s.span_from))
              FILTER (WHERE s.state = 'mining' AND s.span_to > s.span_from) AS seconds_mining
       FROM devices d LEFT JOIN spans s ON s.device_id = d.id
      WHERE d.farm_id = $1 AND d.first_seen < to_timestamp($3::double precision / 1000)
        AND d.last_seen >= to_timestamp($2::double precision / 1000)
      GROUP BY d.id ORDER BY d.make, d.model, d.device`,
    [farmId, fromMs, toMs],
  );
  return rows.map((row) => ({
    device: row.device,
    make: row.make,
    model: row.model,
    serial: row.serial,
    firmware: row.firmware,
    algorithm: row.algorithm,
    hoursRun: row.readings === 0 ? null : (row.seconds_mining ?? 0) / 3600,
  }));
}

async function meterRegisters(
  db: Queryable,
  farmId: string,
  fromMs: number,
  toMs: number,
): Promise<MeterFacts[]> {
  const { rows } = await db.query<{
    name: string;
    serial: string | null;
    first_at: Date | null;
    first_wh: number | null;
    last_at: Date | null;
    last_wh: number | null;
  }>(
    `SELECT m.name, m.serial, f.time AS first_at, f.energy_wh AS first_wh, l.time AS last_at, l.energy_wh AS last_wh
       FROM meters m
       LEFT JOIN LATERAL (SELECT time, energy_wh FROM meter_samples
                           WHERE meter_id = m.id AND time >= to_timestamp($2::double precision / 1000)
                             AND time < to_timestamp($3::double precision / 1000)
                           ORDER BY time LIMIT 1) f ON true
       LEFT JOIN LATERAL (SELECT time, energy_wh FROM meter_samples
                           WHERE meter_id = m.id AND time >= to_timestamp($2::double precision / 1000)
                             AND time < to_timestamp($3::double precision / 1000)
                           ORDER BY time DESC LIMIT 1) l ON true
      WHERE m.farm_id = $1
      ORDER BY m.name`,
    [farmId, fromMs, toMs],
  );
  const reading = (at: Date | null, wh: number | null): MeterFacts['first'] =>
    at === null || wh === null ? null : { atMs: at.getTime(), kwh: wh / 1000 };
  return rows.map((row) => ({
    name: row.name,
    serial: row.serial,
    first: reading(row.first_at, row.first_wh),
    last: reading(row.last_at, row.last_wh),
  }));
}

function byModel(devices: readonly DeviceFacts[]): FarmFacts['devicesByModel'] {
  const counts = new Map<string, number>();
  for (const device of devices) {
    const model = device.model ?? device.make;
    counts.set(model, (counts.get(model) ?? 0) + 1);
  }
  return [...counts]
    .map(([model, count]) => ({ model, count }))
    .sort((a, b) => b.count - a.count || a.model.localeCompare(b.model));
}

/** Everything a report states about a farm over its period, read from stored data only. */
export async function farmFacts(
  db: Queryable,
  farm: Farm,
  period: ResolvedPeriod,
  nowMs: number,
): Promise<FarmFacts> {
  const { fromMs, toMs } = period;
  const months = monthsWithin(fromMs, toMs, period);
  const [organisation, energy, meters, orders, hashrate, credits, payouts, devices] = await Promise.all([
    db.query<{ name: string }>('SELECT name FROM organisations WHERE id = $1', [farm.organisationId]),
    farmEnergy(db, farm, { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() }),
    meterRegisters(db, farm.id, fromMs, toMs),
    listOrders(db, farm.id, nowMs),
    farmHashrate(db, farm.id, fromMs, toMs),
    Promise.all(
      months.map(async (month) => ({
        ...month,
        accounts: await accountCredits(db, farm.id, month.fromMs, month.toMs),
      })),
    ),
    accountPayouts(db, farm.id, fromMs, toMs),
    deviceInventory(db, farm.id, fromMs, toMs),
  ]);
  return {
    farm,
    organisation: organisation.rows[0]?.name ?? '',
    energy,
    meters,
    orders: orders
      .filter((order) => Date.parse(order.startsAt) < toMs && Date.parse(order.endsAt) > fromMs)
      .reverse(),
    hashrate,
    // No linked worker: the pool cannot say what the farm mined, which is not nothing.
    minedSats:
      hashrate.poolAverage === null
        ? null
        : credits.reduce(
            (sum, month) => sum + month.accounts.reduce((total, account) => total + account.sats, 0),
            0,
          ),
    credits,
    payouts,
    devices,
    devicesByModel: byModel(devices),
  };
}

import type { CurtailmentOrder, EnergySummary, Farm } from '@hashwatt/schemas';
import type { Database } from '../db/pool.ts';
import { farmEnergy } from './energy-report.ts';
import { listOrders } from './orders.ts';
import { attributedSats, farmHashrate, type FarmHashrate } from './production.ts';

/** What a regulator report says about one farm over its period. */
export interface FarmFacts {
  readonly farm: Farm;
  readonly organisation: string;
  readonly energy: EnergySummary;
  /** Orders in force at some moment of the period, oldest first, each with its measured compliance. */
  readonly orders: readonly CurtailmentOrder[];
  readonly hashrate: FarmHashrate;
  /** Satoshis credited to the farm's accounts, in proportion to the farm's part of each account's work each day. */
  readonly minedSats: number;
  readonly devicesByModel: readonly { readonly model: string; readonly count: number }[];
}

export interface ReportFacts {
  readonly fromMs: number;
  readonly toMs: number;
  readonly farms: readonly FarmFacts[];
}

async function devicesByModel(
  db: Database,
  farmId: string,
  fromMs: number,
  toMs: number,
): Promise<FarmFacts['devicesByModel']> {
  const { rows } = await db.query<{ model: string; count: number }>(
    `SELECT coalesce(model, make) AS model, count(*)::int AS count FROM devices
      WHERE farm_id = $1 AND first_seen < to_timestamp($3::double precision / 1000)
        AND last_seen >= to_timestamp($2::double precision / 1000)
      GROUP BY 1 ORDER BY 2 DESC, 1`,
    [farmId, fromMs, toMs],
  );
  return rows;
}

/** Everything a report states about a farm over [fromMs, toMs), read from stored data only. */
export async function farmFacts(
  db: Database,
  farm: Farm,
  fromMs: number,
  toMs: number,
  nowMs: number,
): Promise<FarmFacts> {
  const period = { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
  const [organisation, energy, orders, hashrate, mined, models] = await Promise.all([
    db.query<{ name: string }>('SELECT name FROM organisations WHERE id = $1', [farm.organisationId]),
    farmEnergy(db, farm, period),
    listOrders(db, farm.id, nowMs),
    farmHashrate(db, farm.id, fromMs, toMs),
    attributedSats(db, farm.id, fromMs, toMs),
    devicesByModel(db, farm.id, fromMs, toMs),
  ]);
  return {
    farm,
    organisation: organisation.rows[0]?.name ?? '',
    energy,
    orders: orders
      .filter((order) => Date.parse(order.startsAt) < toMs && Date.parse(order.endsAt) > fromMs)
      .reverse(),
    hashrate,
    minedSats: mined,
    devicesByModel: models,
  };
}

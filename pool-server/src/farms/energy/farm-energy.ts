import type { EnergyQuery, EnergySummary, Farm } from '@hashwatt/schemas';
import type { Queryable } from '../../db/pool.ts';
import { HwError } from '../../errors.ts';
import { type MeterStatus, summarizeEnergy } from './energy-summary.ts';
import { farmEnergySeries } from '../curtailment/orders.ts';
import { listTariffs, windowsForFarm } from './tariffs.ts';

/** Periods longer than this are split by the caller: a year of minutes is 525,600 rows. */
const MAX_PERIOD_MS = 400 * 86_400_000;

/** Every meter of a farm and when it last reported: what tells "no meter" from "a silent meter". */
export async function farmMeters(db: Queryable, farmId: string): Promise<MeterStatus[]> {
  const { rows } = await db.query<{ name: string; last: Date | null }>(
    `SELECT m.name, (SELECT max(s.time) FROM meter_samples s WHERE s.meter_id = m.id) AS last
       FROM meters m WHERE m.farm_id = $1 ORDER BY m.name`,
    [farmId],
  );
  return rows.map((row) => ({ name: row.name, lastSampleAtMs: row.last?.getTime() ?? null }));
}

/** A farm's energy over a period, from its meters, its tariffs and the windows that hold for it. */
export async function farmEnergy(db: Queryable, farm: Farm, period: EnergyQuery): Promise<EnergySummary> {
  const fromMs = Date.parse(period.from);
  const toMs = Date.parse(period.to);
  if (!(toMs > fromMs)) {
    throw new HwError('HW_ERR_VALIDATION', 'A period ends after it starts.', 'query.to');
  }
  if (toMs - fromMs > MAX_PERIOD_MS) {
    throw new HwError('HW_ERR_VALIDATION', 'A period is at most 400 days.', 'query.to');
  }
  const [readings, meters, tariffs, windows] = await Promise.all([
    farmEnergySeries(db, farm.id, fromMs, toMs),
    farmMeters(db, farm.id),
    listTariffs(db, farm.id),
    windowsForFarm(db, farm.id),
  ]);
  return summarizeEnergy({
    fromMs,
    toMs,
    readings,
    meters,
    timezone: farm.timezone,
    licensedCapacityKw: farm.licence.capacityKw,
    tariffs,
    windows,
  });
}

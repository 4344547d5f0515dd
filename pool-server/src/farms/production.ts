import type { Queryable } from '../db/pool.ts';
import {
  totalDifficulty,
  workerCredits,
  workerPayouts,
  workerWork,
  type AccountCredit,
  type AccountPayout,
} from '../ledger/worker-production.ts';
import { BITCOIN_ALGORITHM } from './devices/algorithms.ts';
import { farmPoolUsers } from './devices/devices.ts';
import { HASHES_PER_DIFFICULTY, SATS_PER_BTC } from './economics/hashprice.ts';

/**
 * What a farm produced, from the pool's side and its own: hashrate as its devices
 * reported it and as the pool measured it from their workers' shares (a device is
 * linked to its worker by the pool user it mines as), and the coins credited for it.
 */

export interface FarmHashrate {
  /**
   * The SHA-256 devices' own figures (other algorithms are not Bitcoin hashrate): the mean
   * and the highest of the farm's hourly totals; null with no reading.
   */
  readonly reportedAverage: number | null;
  readonly reportedPeak: number | null;
  /**
   * What the pool measured from the shares of the workers the devices mine as, over the
   * whole period; null when no device mines as a worker the pool knows (0 is a measurement).
   */
  readonly poolAverage: number | null;
  /** A device of another algorithm hashed in the period: the farm's metered energy is not all SHA-256's. */
  readonly otherAlgorithmsHashed: boolean;
}

interface HashrateRow {
  readonly reported_average: number | null;
  readonly reported_peak: number | null;
  readonly others_hashed: boolean;
}

/** A farm's hashrate over [fromMs, toMs): as its devices reported it, and as the pool measured it. */
export async function farmHashrate(
  db: Queryable,
  farmId: string,
  fromMs: number,
  toMs: number,
): Promise<FarmHashrate> {
  // Hourly totals of per-device hourly means: a device polled less often than its
  // neighbours weighs the same, and an hour with no readings is no reading, not zero.
  const [{ rows }, work] = await Promise.all([
    db.query<HashrateRow>(
      `WITH device_hours AS (
         SELECT date_trunc('hour', s.time) AS hour, s.device_id, avg(s.hashrate) AS hashrate
           FROM miner_samples s JOIN devices d ON d.id = s.device_id AND d.algorithm = $4
          WHERE s.farm_id = $1 AND s.hashrate IS NOT NULL
            AND s.time >= to_timestamp($2::double precision / 1000) AND s.time < to_timestamp($3::double precision / 1000)
          GROUP BY 1, 2
       ), farm_hours AS (
         SELECT hour, sum(hashrate) AS hashrate FROM device_hours GROUP BY hour
       )
       SELECT (SELECT avg(hashrate) FROM farm_hours) AS reported_average,
              (SELECT max(hashrate) FROM farm_hours) AS reported_peak,
              EXISTS (
                SELECT 1 FROM miner_samples s JOIN devices d ON d.id = s.device_id AND d.algorithm <> $4
                 WHERE s.farm_id = $1 AND s.hashrate > 0
                   AND s.time >= to_timestamp($2::double precision / 1000) AND s.time < to_timestamp($3::double precision / 1000)
              ) AS others_hashed`,
      [farmId, fromMs, toMs, BITCOIN_ALGORITHM],
    ),
    farmPoolUsers(db, farmId).then((users) => workerWork(db, users, 'hour', fromMs, toMs)),
  ]);
  const row = rows[0];
  const poolDifficulty = totalDifficulty(work);
  return {
    reportedAverage: row?.reported_average ?? null,
    reportedPeak: row?.reported_peak ?? null,
    otherAlgorithmsHashed: row?.others_hashed ?? false,
    poolAverage:
      poolDifficulty === null ? null : (poolDifficulty * HASHES_PER_DIFFICULTY) / ((toMs - fromMs) / 1000),
  };
}

/** Satoshis as a decimal string of bitcoin, 8 places: no float ever rounds an amount of coin. */
export function btcAmount(sats: number): string {
  const whole = Math.floor(sats / SATS_PER_BTC);
  const rest = sats - whole * SATS_PER_BTC;
  return `${String(whole)}.${String(rest).padStart(8, '0')}`;
}

/**
 * Satoshis credited to each of the farm's accounts over [fromMs, toMs), in proportion
 * to the farm's part of each account's work each day.
 */
export async function accountCredits(
  db: Queryable,
  farmId: string,
  fromMs: number,
  toMs: number,
): Promise<AccountCredit[]> {
  return workerCredits(db, await farmPoolUsers(db, farmId), fromMs, toMs);
}

/** Satoshis credited to the farm's accounts over [fromMs, toMs), all accounts together. */
export async function attributedSats(
  db: Queryable,
  farmId: string,
  fromMs: number,
  toMs: number,
): Promise<number> {
  const credits = await accountCredits(db, farmId, fromMs, toMs);
  return credits.reduce((sum, credit) => sum + credit.sats, 0);
}

/** The payouts sent over [fromMs, toMs) to the accounts the farm's devices mine for. */
export async function accountPayouts(
  db: Queryable,
  farmId: string,
  fromMs: number,
  toMs: number,
): Promise<AccountPayout[]> {
  return workerPayouts(db, await farmPoolUsers(db, farmId), fromMs, toMs);
}

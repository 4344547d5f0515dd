import type { FarmDevice, FarmMeter, FarmPower, PowerFigure } from '@hashwatt/schemas';
import type { Queryable } from '../../db/pool.ts';
import { isBitcoinAlgorithm, otherAlgorithms } from './algorithms.ts';
import { STALE_READING_MS, efficiencyOf, isoSeconds } from './device-power.ts';
import { listDevices, type DeviceListing } from './devices.ts';

/** A farm meter's latest reading, whenever it was, and its latest failed read when that came after it. */
export interface MeterNow {
  readonly name: string;
  readonly watts: number | null;
  readonly atMs: number | null;
  readonly failure?: { readonly atMs: number; readonly reason: string } | undefined;
}

/** Why the meters cannot give the power now, or null when they can. */
function meterProblem(meters: readonly MeterNow[], nowMs: number): string | null {
  const named = (meter: MeterNow): string => (meters.length === 1 ? 'the meter' : `meter "${meter.name}"`);
  // A read that failed after the last good one: the meter's figure is unknown since, for that reason.
  const failed = meters.find((meter) => meter.failure !== undefined);
  if (failed?.failure) {
    return `${named(failed)} is unknown: its read failed at ${isoSeconds(failed.failure.atMs)} (${failed.failure.reason})`;
  }
  const never = meters.find((meter) => meter.atMs === null);
  if (never) {
    return `${named(never)} has never reported`;
  }
  const silent = meters.find((meter) => (meter.atMs ?? 0) < nowMs - STALE_READING_MS);
  return silent ? `${named(silent)} has been silent since ${isoSeconds(silent.atMs ?? 0)}` : null;
}

/** "a, b and 3 more": the first few names of a list. */
function some(names: readonly string[]): string {
  return names.length <= 3
    ? names.join(', ')
    : `${names.slice(0, 3).join(', ')} and ${String(names.length - 3)} more`;
}

/**
 * A farm's power now: its meters' total when every meter is fresh, otherwise the sum of its
 * devices' figures; estimated when any device's is, unknown (null) when any device's is.
 * A meter reading nothing while devices hash is not believed. Its hashrate is Bitcoin's
 * (SHA-256) alone; devices of other algorithms are summed apart, each in its own unit.
 */
export function farmPowerOf(
  farmId: string,
  devices: readonly FarmDevice[],
  meters: readonly MeterNow[],
  nowMs: number,
): FarmPower {
  // Only a mining device's hashrate counts: an old reading's is not its hashrate now, and
  // one asleep, idle, starting, failing or unreachable does no work whatever figure it last showed.
  const reported = devices.filter(
    (device) =>
      device.hashrate !== null &&
      device.state === 'mining' &&
      Date.parse(device.lastSeen) >= nowMs - STALE_READING_MS,
  );
  const bitcoin = reported.filter((device) => isBitcoinAlgorithm(device.algorithm));
  const hashrate =
    bitcoin.length === 0 ? null : bitcoin.reduce((sum, device) => sum + (device.hashrate ?? 0), 0);
  const others = otherAlgorithms(reported);
  const othersHashing = others.filter((other) => other.hashrate > 0);
  const count = (basis: PowerFigure['basis']): number =>
    devices.filter((device) => device.power.basis === basis).length;
  const meterWatts = meters.some((meter) => meter.watts === null || meter.failure !== undefined)
    ? null
    : meters.reduce((sum, meter) => sum + (meter.watts ?? 0), 0);
  const times = meters.map((meter) => meter.atMs).filter((atMs): atMs is number => atMs !== null);
  const meterIssue = meters.length === 0 ? 'the farm has no meter' : meterProblem(meters, nowMs);
  const hashing = (hashrate ?? 0) > 0 || othersHashing.length > 0;
  const problem =
    meterIssue ??
    (meterWatts !== null && meterWatts < 1 && hashing ? 'the meter reads 0 W while devices hash' : null);
  const power = problem === null && meterWatts !== null ? metered(meterWatts) : fromDevices(devices, problem);
  const silentHashing = devices.filter(
    (device) => device.state === 'mining' && device.hashrate === null && isBitcoinAlgorithm(device.algorithm),
  );
  // Where other algorithms hash too, the farm's J/TH is its SHA-256 devices' own power
  // over their hashrate: the meter's total includes the scrypt and X11 machines' draw.
  const bitcoinPower =
    othersHashing.length === 0
      ? power
      : fromDevices(
          devices.filter((device) => isBitcoinAlgorithm(device.algorithm)),
          `the farm also hashes ${othersHashing.map((other) => other.algorithm).join(', ')}`,
        );
  return {
    farmId,
    power,
    hashrate,
    otherAlgorithms: others,
    efficiency:
      silentHashing.length > 0 && bitcoinPower.watts !== null
        ? {
            joulesPerTh: null,
            basis: 'unknown',
            reason: `devices that mine report no hashrate: ${some(silentHashing.map((device) => device.device))}`,
          }
        : efficiencyOf(bitcoinPower, hashrate, 'the farm'),
    devices: {
      total: devices.length,
      measured: count('measured'),
      estimated: count('estimated'),
      unknown: count('unknown'),
    },
    meter:
      meters.length === 0
        ? null
        : {
            watts: meterWatts,
            at: times.length === 0 ? null : new Date(Math.min(...times)).toISOString(),
            fresh: meterIssue === null,
          },
  };
}

function metered(watts: number): PowerFigure {
  return { watts, basis: 'measured', source: 'meter', reason: null };
}

function fromDevices(devices: readonly FarmDevice[], meterProblem: string | null): PowerFigure {
  const why = (reason: string): string => (meterProblem === null ? reason : `${meterProblem}; ${reason}`);
  if (devices.length === 0) {
    return { watts: null, basis: 'unknown', source: null, reason: why('the farm has no devices') };
  }
  const unknown = devices.filter((device) => device.power.watts === null);
  if (unknown.length > 0) {
    const named = unknown.map((device) => `${device.device} (${device.power.reason ?? 'unknown'})`);
    return {
      watts: null,
      basis: 'unknown',
      source: null,
      reason: why(
        `${String(unknown.length)} of ${String(devices.length)} devices have no power figure: ${some(named)}`,
      ),
    };
  }
  const watts = devices.reduce((sum, device) => sum + (device.power.watts ?? 0), 0);
  const estimated = devices.filter((device) => device.power.basis === 'estimated').length;
  if (estimated === 0) {
    return { watts, basis: 'measured', source: 'miner', reason: meterProblem };
  }
  return {
    watts,
    basis: 'estimated',
    source: 'nameplate',
    reason: why(`${String(estimated)} of ${String(devices.length)} devices estimated from nameplate power`),
  };
}

/** Every meter of a farm with its latest reading, and its latest failed read when that is newer. */
async function metersNow(
  db: Queryable,
  farmId: string,
): Promise<(MeterNow & { readonly shown: FarmMeter })[]> {
  const { rows } = await db.query<{
    name: string;
    serial: string | null;
    time: Date | null;
    power_w: number | null;
    energy_wh: number | null;
    tariff_energy_wh: Record<string, number> | null;
    failed_at: Date | null;
    reason: string | null;
  }>(
    `SELECT m.name, m.serial, s.time, s.power_w, s.energy_wh, s.tariff_energy_wh, f.time AS failed_at, f.reason
       FROM meters m
       LEFT JOIN LATERAL (
         SELECT time, power_w, energy_wh, tariff_energy_wh FROM meter_samples
          WHERE meter_id = m.id ORDER BY time DESC LIMIT 1
       ) s ON true
       LEFT JOIN LATERAL (
         SELECT time, reason FROM meter_read_failures
          WHERE meter_id = m.id AND (s.time IS NULL OR time > s.time) ORDER BY time DESC LIMIT 1
       ) f ON true
      WHERE m.farm_id = $1
      ORDER BY m.name`,
    [farmId],
  );
  return rows.map((row) => {
    const failure =
      row.failed_at === null ? undefined : { atMs: row.failed_at.getTime(), reason: row.reason ?? '' };
    return {
      name: row.name,
      watts: row.power_w,
      atMs: row.time?.getTime() ?? null,
      failure,
      shown: {
        name: row.name,
        serial: row.serial,
        at: row.time === null ? null : isoSeconds(row.time.getTime()),
        watts: row.power_w,
        energyWh: row.energy_wh,
        tariffEnergyWh: row.tariff_energy_wh ?? {},
        failure: failure === undefined ? null : { at: isoSeconds(failure.atMs), reason: failure.reason },
      },
    };
  });
}

/** A farm's power now, from its meters and devices. */
export async function farmPower(db: Queryable, farmId: string, listing: DeviceListing): Promise<FarmPower> {
  const [devices, meters] = await Promise.all([listDevices(db, farmId, listing), metersNow(db, farmId)]);
  const power = farmPowerOf(farmId, devices, meters, listing.nowMs);
  return power.meter === null
    ? power
    : { ...power, meter: { ...power.meter, meters: meters.map((meter) => meter.shown) } };
}

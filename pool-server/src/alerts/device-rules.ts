/**
 * The rules about one device, pure and clockless as the others (rules.ts): silent, chips
 * out of their temperature range, fans out of theirs, a hashrate gap, a worker gone quiet.
 */
import type { AlertThresholdValues, MinerState } from '@hashwatt/schemas';
import { farmAlert, type AlertCandidate, type FarmRef } from './candidate.ts';

const MINUTE_MS = 60_000;

export interface DeviceFacts extends FarmRef {
  readonly deviceId: string;
  /** The agent's name for it: address and API port. */
  readonly device: string;
  readonly state: MinerState;
  readonly lastSeenMs: number;
  readonly chipTempC: number | null;
  /** Fan speeds of its latest reading, rpm and % of full speed; empty when it reports none (immersion, hydro). */
  readonly fanRpms: readonly number[];
  readonly fanPercents: readonly number[];
  readonly poolUser: string | null;
  /** Its worker's difficulty over the last hour and over the last `silentMinutes`; null without a worker. */
  readonly workerHourDifficulty: number | null;
  readonly workerRecentDifficulty: number | null;
  /** Reported against measured over the last hour, in %; null when either is missing. */
  readonly gapPercent: number | null;
}

/**
 * The hottest chip out of its range: too hot whatever the device does; too cold only while
 * it hashes (a sleeping one cools down), when even its hottest chip is below the minimum.
 */
function temperatureAlerts(device: DeviceFacts, thresholds: AlertThresholdValues): AlertCandidate[] {
  const { chipTempC } = device;
  if (chipTempC === null) {
    return [];
  }
  const breach =
    chipTempC > thresholds.maxChipTempC
      ? ({ rule: 'temperature-high', side: 'above', limit: 'maxChipTempC' } as const)
      : device.state === 'mining' && chipTempC < thresholds.minChipTempC
        ? ({ rule: 'temperature-low', side: 'below', limit: 'minChipTempC' } as const)
        : null;
  if (breach === null) {
    return [];
  }
  const limit = thresholds[breach.limit];
  return [
    farmAlert(
      device,
      breach.rule,
      `device:${device.deviceId}`,
      false,
      `${device.device} chips at ${String(chipTempC)} °C, ${breach.side} ${String(limit)} °C`,
      { deviceId: device.deviceId, device: device.device, chipTempC, [breach.limit]: limit },
    ),
  ];
}

/**
 * Fans out of their range, on a hashing device (a sleeping miner may stop its fans): the
 * slowest too slow or stopped, the fastest at or above its % limit where the firmware gives
 * one, or above the rpm limit when one is set. A device that reports no fans has none to judge.
 */
function fanAlerts(device: DeviceFacts, thresholds: AlertThresholdValues): AlertCandidate[] {
  if (device.state !== 'mining') {
    return [];
  }
  const subject = `device:${device.deviceId}`;
  const facts = { deviceId: device.deviceId, device: device.device };
  const alerts: AlertCandidate[] = [];
  const slowest = device.fanRpms.length > 0 ? Math.min(...device.fanRpms) : null;
  if (thresholds.minFanRpm > 0 && slowest !== null && slowest < thresholds.minFanRpm) {
    alerts.push(
      farmAlert(
        device,
        'fan-low',
        subject,
        false,
        slowest === 0
          ? `${device.device} has a fan stopped, below ${String(thresholds.minFanRpm)} rpm`
          : `${device.device} has a fan at ${String(slowest)} rpm, below ${String(thresholds.minFanRpm)} rpm`,
        { ...facts, fanRpm: slowest, minFanRpm: thresholds.minFanRpm },
      ),
    );
  }
  const fastestPercent = device.fanPercents.length > 0 ? Math.max(...device.fanPercents) : null;
  const fastestRpm = device.fanRpms.length > 0 ? Math.max(...device.fanRpms) : null;
  const fast =
    fastestPercent !== null && fastestPercent >= thresholds.maxFanPercent
      ? {
          speed: `${String(fastestPercent)} % of full speed, at or above ${String(thresholds.maxFanPercent)} %`,
          facts: { fanPercent: fastestPercent, maxFanPercent: thresholds.maxFanPercent },
        }
      : thresholds.maxFanRpm > 0 && fastestRpm !== null && fastestRpm > thresholds.maxFanRpm
        ? {
            speed: `${String(fastestRpm)} rpm, above ${String(thresholds.maxFanRpm)} rpm`,
            facts: { fanRpm: fastestRpm, maxFanRpm: thresholds.maxFanRpm },
          }
        : null;
  if (fast !== null) {
    alerts.push(
      farmAlert(device, 'fan-high', subject, false, `${device.device} has a fan at ${fast.speed}`, {
        ...facts,
        ...fast.facts,
      }),
    );
  }
  return alerts;
}

export function deviceAlerts(
  device: DeviceFacts,
  thresholds: AlertThresholdValues,
  nowMs: number,
): AlertCandidate[] {
  const subject = `device:${device.deviceId}`;
  const facts = { deviceId: device.deviceId, device: device.device };
  const silentForMs = nowMs - device.lastSeenMs;
  if (silentForMs >= thresholds.silentMinutes * MINUTE_MS) {
    // A device not heard from has no current temperature, fan or hashrate to judge.
    return [
      farmAlert(
        device,
        'device-silent',
        subject,
        false,
        `${device.device} has not reported for ${String(Math.floor(silentForMs / MINUTE_MS))} minutes`,
        { ...facts, lastSeen: new Date(device.lastSeenMs).toISOString() },
      ),
    ];
  }
  const alerts: AlertCandidate[] = [
    ...temperatureAlerts(device, thresholds),
    ...fanAlerts(device, thresholds),
  ];
  if (device.gapPercent !== null && Math.abs(device.gapPercent) > thresholds.gapPercent) {
    alerts.push(
      farmAlert(
        device,
        'hashrate-gap',
        subject,
        false,
        `${device.device} reports ${device.gapPercent > 0 ? 'more' : 'less'} hashrate than the pool measured, by ${device.gapPercent.toFixed(1)} %`,
        { ...facts, gapPercent: device.gapPercent, maxGapPercent: thresholds.gapPercent },
      ),
    );
  }
  if (
    device.poolUser !== null &&
    device.state === 'mining' &&
    (device.workerHourDifficulty ?? 0) > 0 &&
    device.workerRecentDifficulty === 0
  ) {
    alerts.push(
      farmAlert(
        device,
        'worker-silent',
        `worker:${device.poolUser}`,
        false,
        `worker ${device.poolUser} (${device.device}) has sent no share for ${String(thresholds.silentMinutes)} minutes`,
        { ...facts, worker: device.poolUser, silentMinutes: thresholds.silentMinutes },
      ),
    );
  }
  return alerts;
}

import type { EfficiencyFigure, MinerState, PowerFigure, PowerSource } from '@hashwatt/schemas';

/**
 * A reading older than this is not the power now: the agent polls every 30 s, so ten
 * minutes without one means the device or the agent has gone quiet.
 */
export const STALE_READING_MS = 10 * 60_000;

/** A moment as ISO 8601 without milliseconds, as the power figures' reasons word it. */
export const isoSeconds = (atMs: number): string => new Date(atMs).toISOString().replace('.000Z', 'Z');

/** What a device's power may be shown as, from its latest reading and its nameplate. */
export function devicePower(
  device: {
    readonly state: MinerState;
    readonly powerW: number | null;
    readonly powerSource: PowerSource | null;
    readonly nominalPowerW: number | null;
    readonly sampleAtMs: number | null;
  },
  nowMs: number,
): PowerFigure {
  const unknown = (reason: string): PowerFigure => ({ watts: null, basis: 'unknown', source: null, reason });
  if (device.sampleAtMs === null) {
    return unknown('the device has never reported');
  }
  if (device.sampleAtMs < nowMs - STALE_READING_MS) {
    return unknown(`no reading from the device since ${isoSeconds(device.sampleAtMs)}`);
  }
  if (device.state === 'unreachable') {
    return unknown('the device is unreachable');
  }
  if (device.powerW !== null) {
    return device.powerSource === 'nameplate'
      ? {
          watts: device.powerW,
          basis: 'estimated',
          source: 'nameplate',
          reason: 'the agent estimated it from the nameplate',
        }
      : { watts: device.powerW, basis: 'measured', source: device.powerSource ?? 'miner', reason: null };
  }
  // Asleep or idle it draws far below its nameplate, and how far only a meter knows.
  if (device.state === 'sleeping' || device.state === 'idle') {
    return unknown(
      `the device is ${device.state === 'idle' ? 'idle' : 'asleep'} and does not report its power`,
    );
  }
  if (device.nominalPowerW !== null) {
    return {
      watts: device.nominalPowerW,
      basis: 'estimated',
      source: 'nameplate',
      reason: 'the device does not report its power: its nameplate power',
    };
  }
  return unknown('the device does not report its power and has no nameplate power set');
}

/** J/TH from a power figure and a hashrate, as sure as the power is. */
export function efficiencyOf(
  power: PowerFigure,
  hashrate: number | null,
  what = 'the device',
): EfficiencyFigure {
  const unknown = (reason: string): EfficiencyFigure => ({ joulesPerTh: null, basis: 'unknown', reason });
  if (power.watts === null) {
    return unknown(`its power is unknown: ${power.reason ?? 'no reading'}`);
  }
  if (hashrate === null) {
    return unknown(`${what} reports no hashrate`);
  }
  if (hashrate <= 0) {
    return unknown(`${what} is not hashing`);
  }
  return {
    joulesPerTh: power.watts / (hashrate / 1e12),
    basis: power.basis === 'measured' ? 'measured' : 'estimated',
    reason: power.basis === 'measured' ? null : `from estimated power: ${power.reason ?? ''}`,
  };
}

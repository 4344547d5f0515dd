import type { ComplianceFinding, MinerState } from '@hashwatt/schemas';
import { findingText } from './compliance-findings.ts';
import { energyBy, peakDemand, type MeterReading } from '../energy/meter-energy.ts';

/**
 * Whether a farm obeyed a grid operator's curtailment order, from every source of
 * evidence (DESIGN.md "Verdicts"): the meter (the load before the notice is the
 * baseline, the order asks for that less `reductionKw`, reached by the start plus a
 * grace and held), each device's reported state, the outcome of each command the
 * order sent, and the hashrate the pool measured from the farm's workers. Missing
 * meter evidence makes the verdict undetermined, never complied; a meter that says
 * the load fell while devices hash is suspect, and the verdict is violated.
 * regulation-economics.md 3.1: time until load ≤ threshold, residual kW, pass/fail.
 */

export interface CurtailmentOrder {
  readonly noticeAtMs: number;
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly reductionKw: number;
}

/** One telemetry reading of a device: what it said it was doing. */
export interface DeviceReading {
  readonly atMs: number;
  readonly state: MinerState;
  /** H/s; null when the device did not say. */
  readonly hashrate: number | null;
}

export interface DeviceEvidence {
  readonly device: string;
  readonly readings: readonly DeviceReading[];
}

/** A command the order sent to a device, and how it ended. */
export interface CommandEvidence {
  readonly device: string;
  readonly action: string;
  readonly status: 'queued' | 'sent' | 'done' | 'failed' | 'unsupported';
  /** The agent's message: the error for a failed command. */
  readonly outcome: string | null;
}

/** H/s the pool measured from the farm's workers; null where it measured nothing (no linked worker). */
export interface PoolEvidence {
  /** Over the hour before the notice. */
  readonly beforeHs: number | null;
  /** Over the order, from its start plus the grace. */
  readonly duringHs: number | null;
}

export interface ComplianceEvidence {
  readonly meter: readonly MeterReading[];
  readonly devices: readonly DeviceEvidence[];
  readonly commands: readonly CommandEvidence[];
  readonly pool: PoolEvidence;
}

export type Verdict = 'complied' | 'violated' | 'undetermined';

export interface FailedCommand {
  readonly device: string;
  readonly action: string;
  readonly status: CommandEvidence['status'];
  readonly error: string | null;
}

export interface Compliance {
  readonly verdict: Verdict;
  /** Why the verdict is what it is; for a complied one, only the failed commands later recovered. */
  readonly findings: readonly ComplianceFinding[];
  /** The findings in English. */
  readonly reasons: readonly string[];
  /** The order's commands that did not succeed: failed, unsupported, or never answered. */
  readonly failedCommands: readonly FailedCommand[];
  /** Devices that reported hashing after the start plus the grace. */
  readonly hashingDevices: readonly string[];
  /** The meter said the load was down while other evidence says it was not. */
  readonly meterSuspect: boolean;
  /** Average power over the hour before the notice, in kW; null when the meter said nothing then. */
  readonly baselineKw: number | null;
  /** The most the farm may draw during the order; null without a baseline. */
  readonly allowedKw: number | null;
  /** When the load first fell to the allowed level (a 1-minute average), or null if it never did. */
  readonly reachedAtMs: number | null;
  /** Seconds after the start it took to get there; 0 when it was there already. */
  readonly secondsLate: number | null;
  /** The highest 15-minute demand inside the order, from its reach on; null when unmeasured. */
  readonly peakKw: number | null;
  /** Energy drawn inside the order; null when unmeasured. */
  readonly energyKwh: number | null;
  readonly poolBeforeHs: number | null;
  readonly poolDuringHs: number | null;
}

export interface ComplianceOptions {
  readonly graceMinutes: number;
  /**
   * A silence of the meter inside the order longer than 1.5 of its usual interval leaves
   * the order unjudged; the tolerated silence is held between these bounds, in minutes.
   */
  readonly meterGapFloorMinutes: number;
  readonly meterGapCeilingMinutes: number;
  /** How far, in %, the pool's hashrate may exceed what the allowed load explains (shares are noisy). */
  readonly poolTolerancePercent: number;
}

export const COMPLIANCE_DEFAULTS: ComplianceOptions = {
  graceMinutes: 15,
  meterGapFloorMinutes: 5,
  // Two 15-minute demand intervals: a meter read every 15 minutes may miss none of its readings.
  meterGapCeilingMinutes: 30,
  poolTolerancePercent: 10,
};

const MINUTE_MS = 60_000;

/** A load equal to the allowed one, but for float rounding in the sums, is within it. */
const withinRounding = (kw: number): number => kw * 1.0001;

const at = (ms: number): string => new Date(ms).toISOString();

function averageKw(readings: readonly MeterReading[], fromMs: number, toMs: number): number | undefined {
  const inside = readings.filter((reading) => reading.atMs >= fromMs && reading.atMs <= toMs);
  const first = inside[0];
  const last = inside.at(-1);
  if (!first || !last || last.atMs <= first.atMs) {
    return undefined;
  }
  return ((last.energyWh - first.energyWh) * 3_600) / (last.atMs - first.atMs);
}

/** The meter's usual interval: the median spacing of its readings, in ms. */
function usualIntervalMs(sorted: readonly MeterReading[]): number {
  const spacings = sorted
    .slice(1)
    .map((reading, index) => reading.atMs - (sorted[index]?.atMs ?? reading.atMs))
    .sort((a, b) => a - b);
  return spacings[Math.floor(spacings.length / 2)] ?? 0;
}

/** The first stretch of the order the meter did not cover, or null when it covered it all. */
function meterGap(
  during: readonly MeterReading[],
  order: CurtailmentOrder,
  maxGapMs: number,
): ComplianceFinding | null {
  let previous = order.startsAtMs;
  for (const atMs of [...during.map((reading) => reading.atMs), order.endsAtMs]) {
    if (atMs - previous > maxGapMs) {
      return { code: 'meter-gap', from: at(previous), to: at(atMs) };
    }
    previous = atMs;
  }
  return null;
}

/** The meter's figures as Compliance carries them, and what the meter alone concludes. */
interface MeterVerdict extends Pick<
  Compliance,
  'baselineKw' | 'allowedKw' | 'reachedAtMs' | 'secondsLate' | 'peakKw' | 'energyKwh'
> {
  /** Why the meter cannot judge the order, or null. */
  readonly missing: ComplianceFinding | null;
  /** Why the meter says the farm failed, or null when it says the farm complied. */
  readonly failure: ComplianceFinding | null;
}

function judgeMeter(
  order: CurtailmentOrder,
  readings: readonly MeterReading[],
  options: ComplianceOptions,
): MeterVerdict {
  const sorted = [...readings].sort((a, b) => a.atMs - b.atMs);
  const baselineKw = averageKw(sorted, order.noticeAtMs - 60 * MINUTE_MS, order.noticeAtMs) ?? null;
  const allowedKw = baselineKw === null ? null : Math.max(0, baselineKw - order.reductionKw);
  const during = sorted.filter(
    (reading) => reading.atMs >= order.startsAtMs && reading.atMs <= order.endsAtMs,
  );
  const unmeasured = (missing: ComplianceFinding): MeterVerdict => ({
    baselineKw,
    allowedKw,
    reachedAtMs: null,
    secondsLate: null,
    peakKw: null,
    energyKwh: null,
    missing,
    failure: null,
  });
  if (during.length < 2) {
    return unmeasured({ code: 'no-readings-during-order' });
  }
  const toleratedMs = Math.min(
    options.meterGapCeilingMinutes * MINUTE_MS,
    Math.max(options.meterGapFloorMinutes * MINUTE_MS, 1.5 * usualIntervalMs(sorted)),
  );
  const gap = meterGap(during, order, toleratedMs);
  const perMinute = energyBy(during, (atMs) => String(Math.floor(atMs / MINUTE_MS))).byClass;
  const energyKwh = [...perMinute.values()].reduce((sum, wh) => sum + wh, 0) / 1000;
  if (allowedKw === null) {
    return { ...unmeasured({ code: 'no-baseline' }), energyKwh };
  }
  // Each minute's average: the first one at or under the allowed level is when the farm got there.
  let reachedAtMs: number | null = null;
  // A minute the meter covered but drew nothing in is absent from `perMinute`: 0 kW, not unknown.
  const firstAtMs = during[0]?.atMs ?? 0;
  const lastAtMs = during.at(-1)?.atMs ?? 0;
  const firstMinute = Math.floor(firstAtMs / MINUTE_MS);
  const lastMinute = Math.floor(lastAtMs / MINUTE_MS);
  for (let minute = firstMinute; minute < lastMinute; minute += 1) {
    const wh = perMinute.get(String(minute)) ?? 0;
    // Averaged over the part of the minute the readings cover: the first one may come late in it.
    const start = Math.max(minute * MINUTE_MS, order.startsAtMs, firstAtMs);
    const end = Math.min((minute + 1) * MINUTE_MS, order.endsAtMs, lastAtMs);
    if (end > start && (wh * 3_600) / (end - start) <= withinRounding(allowedKw)) {
      reachedAtMs = start;
      break;
    }
  }
  const reached = reachedAtMs;
  // A farm that never got there is judged on the whole order: its peak is what it drew.
  const fromReach = reached === null ? during : during.filter((reading) => reading.atMs >= reached);
  // Only whole demand intervals count: a stretch too short to hold one has no peak, not a peak of 0.
  const peakW = peakDemand(fromReach);
  const peakKw = peakW === null ? null : peakW / 1000;
  const secondsLate = reachedAtMs === null ? null : Math.max(0, (reachedAtMs - order.startsAtMs) / 1000);
  const late = secondsLate === null || secondsLate > options.graceMinutes * 60;
  return {
    baselineKw,
    allowedKw,
    reachedAtMs,
    secondsLate,
    peakKw,
    energyKwh,
    missing: gap,
    failure:
      secondsLate === null
        ? { code: 'load-never-fell', allowedKw }
        : late
          ? { code: 'reached-late', allowedKw, minutesLate: secondsLate / 60 }
          : peakKw !== null && peakKw > withinRounding(allowedKw)
            ? { code: 'demand-rose-again', peakKw }
            : null,
  };
}

const hashing = (reading: DeviceReading): boolean =>
  reading.state === 'mining' && (reading.hashrate === null || reading.hashrate > 0);

// Idle (curtailed to idle, or no work) hashes nothing; starting is waking, not stopped.
const stopped = (reading: DeviceReading): boolean =>
  reading.state === 'sleeping' ||
  reading.state === 'idle' ||
  (reading.state === 'mining' && reading.hashrate === 0);

export function assessCompliance(
  order: CurtailmentOrder,
  evidence: ComplianceEvidence,
  options: Partial<ComplianceOptions> = {},
): Compliance {
  const settings = { ...COMPLIANCE_DEFAULTS, ...options };
  const meter = judgeMeter(order, evidence.meter, settings);
  // Devices are judged once they should be down: from the start plus the grace to the end.
  const fromMs = order.startsAtMs + settings.graceMinutes * MINUTE_MS;
  const inWindow = (reading: DeviceReading): boolean =>
    reading.atMs >= fromMs && reading.atMs <= order.endsAtMs;
  const commanded = new Set(
    evidence.commands.filter((command) => command.action === 'sleep').map((command) => command.device),
  );
  const fullCut = meter.allowedKw !== null && meter.allowedKw <= 0;
  const meterAtZero = meter.peakKw !== null && meter.peakKw <= 0;

  const hashingDevices = evidence.devices
    .filter((device) => device.readings.some((reading) => inWindow(reading) && hashing(reading)))
    .map((device) => device.device);
  // A hashing device contradicts the order when it was told to sleep, when nothing may run,
  // or when the meter says nothing runs; otherwise it may be within the allowed load.
  const offending = hashingDevices.filter((device) => commanded.has(device) || fullCut || meterAtZero);

  const failedCommands: FailedCommand[] = evidence.commands
    .filter((command) => command.status !== 'done')
    .map((command) => ({
      device: command.device,
      action: command.action,
      status: command.status,
      error: command.outcome ?? (command.status === 'failed' ? null : `never answered (${command.status})`),
    }));
  const stoppedDevices = new Set(
    evidence.devices
      .filter((device) => {
        const inside = device.readings.filter(inWindow);
        return inside.length > 0 && inside.every(stopped);
      })
      .map((device) => device.device),
  );
  // A failed command is recovered when a later one for the device succeeded or the device stopped anyway.
  const succeeded = new Set(
    evidence.commands.filter((command) => command.status === 'done').map((command) => command.device),
  );
  const unrecovered = failedCommands.filter(
    (command) => !succeeded.has(command.device) && !stoppedDevices.has(command.device),
  );

  const { beforeHs, duringHs } = evidence.pool;
  let poolContradicts: ComplianceFinding | null = null;
  if (
    beforeHs !== null &&
    duringHs !== null &&
    beforeHs > 0 &&
    meter.baselineKw !== null &&
    meter.allowedKw !== null
  ) {
    const share = meter.baselineKw > 0 ? Math.min(1, meter.allowedKw / meter.baselineKw) : 0;
    const mostHs = beforeHs * share * (1 + settings.poolTolerancePercent / 100);
    if (duringHs > mostHs) {
      poolContradicts = { code: 'pool-contradicts', duringHs, beforeHs, mostHs };
    }
  }

  const failed = (command: FailedCommand, unrecovered: boolean): ComplianceFinding => ({
    code: 'command-failed',
    device: command.device,
    action: command.action,
    status: command.status,
    error: command.error,
    unrecovered,
  });
  const contradictions: ComplianceFinding[] = [
    ...offending.map((device): ComplianceFinding => ({
      code: commanded.has(device) ? 'hashing-after-sleep' : 'hashing-during-order',
      device,
    })),
    ...(poolContradicts === null ? [] : [poolContradicts]),
  ];
  const meterSaysComplied = meter.missing === null && meter.failure === null;
  const meterSuspect = contradictions.length > 0 && (meterSaysComplied || meterAtZero);
  const commandReasons = failedCommands.map((command) => failed(command, false));

  const figures = {
    failedCommands,
    hashingDevices,
    meterSuspect,
    baselineKw: meter.baselineKw,
    allowedKw: meter.allowedKw,
    reachedAtMs: meter.reachedAtMs,
    secondsLate: meter.secondsLate,
    peakKw: meter.peakKw,
    energyKwh: meter.energyKwh,
    poolBeforeHs: beforeHs,
    poolDuringHs: duringHs,
  };
  const judged = (verdict: Verdict, findings: readonly ComplianceFinding[]): Compliance => ({
    verdict,
    findings,
    reasons: findings.map((finding) => findingText(finding)),
    ...figures,
  });
  if (contradictions.length > 0 || (meter.missing === null && meter.failure !== null)) {
    return judged('violated', [
      ...(meter.missing !== null ? [meter.missing] : meter.failure !== null ? [meter.failure] : []),
      ...(meterSuspect ? [{ code: 'meter-suspect', peakKw: meter.peakKw } as const] : []),
      ...contradictions,
      ...commandReasons,
    ]);
  }
  if (meter.missing !== null) {
    return judged('undetermined', [meter.missing, ...commandReasons]);
  }
  if (unrecovered.length > 0) {
    return judged(
      'undetermined',
      unrecovered.map((command) => failed(command, true)),
    );
  }
  return judged('complied', commandReasons);
}

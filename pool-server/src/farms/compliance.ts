import { energyBy, peakDemandW, type MeterReading } from './energy.ts';

/**
 * Whether a farm obeyed a grid operator's curtailment order, measured from its meter,
 * never assumed from the commands sent: the load before the notice is the baseline,
 * the order asks for that less `reductionKw`, and the farm complies when its
 * 15-minute demand reaches that level by the start (plus a grace) and stays there.
 * regulation-economics.md 3.1: time until load ≤ threshold, residual kW, pass/fail.
 */

export interface CurtailmentOrder {
  readonly noticeAtMs: number;
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly reductionKw: number;
}

export interface Compliance {
  /** Average power over the hour before the notice, in kW. */
  readonly baselineKw: number;
  /** The most the farm may draw during the order. */
  readonly allowedKw: number;
  /** When the load first fell to the allowed level (a 1-minute average), or null if it never did. */
  readonly reachedAtMs: number | null;
  /** Seconds after the start it took to get there; 0 when it was there already. */
  readonly secondsLate: number | null;
  /** The highest 15-minute demand inside the order, from its reach on. */
  readonly peakKw: number;
  readonly energyKwh: number;
  readonly pass: boolean;
  /** Why it failed, or that the meter said too little to judge. */
  readonly reason: string | null;
}

const MINUTE_MS = 60_000;

/** A load equal to the allowed one, but for float rounding in the sums, is within it. */
const withinRounding = (kw: number): number => kw * 1.0001;

function averageKw(readings: readonly MeterReading[], fromMs: number, toMs: number): number | undefined {
  const inside = readings.filter((reading) => reading.atMs >= fromMs && reading.atMs <= toMs);
  const first = inside[0];
  const last = inside.at(-1);
  if (!first || !last || last.atMs <= first.atMs) {
    return undefined;
  }
  return ((last.energyWh - first.energyWh) * 3_600) / (last.atMs - first.atMs);
}

export function assessCompliance(
  order: CurtailmentOrder,
  readings: readonly MeterReading[],
  options: { readonly graceMinutes: number } = { graceMinutes: 15 },
): Compliance {
  const sorted = [...readings].sort((a, b) => a.atMs - b.atMs);
  const baselineKw = averageKw(sorted, order.noticeAtMs - 60 * MINUTE_MS, order.noticeAtMs);
  const during = sorted.filter(
    (reading) => reading.atMs >= order.startsAtMs && reading.atMs <= order.endsAtMs,
  );
  const undecided = (reason: string): Compliance => ({
    baselineKw: baselineKw ?? 0,
    allowedKw: Math.max(0, (baselineKw ?? 0) - order.reductionKw),
    reachedAtMs: null,
    secondsLate: null,
    peakKw: 0,
    energyKwh: 0,
    pass: false,
    reason,
  });
  if (baselineKw === undefined) {
    return undecided('no meter readings in the hour before the notice');
  }
  if (during.length < 2) {
    return undecided('no meter readings during the order');
  }
  const allowedKw = Math.max(0, baselineKw - order.reductionKw);
  // Each minute's average: the first one at or under the allowed level is when the farm got there.
  const perMinute = energyBy(during, (atMs) => String(Math.floor(atMs / MINUTE_MS))).byClass;
  let reachedAtMs: number | null = null;
  for (const [minute, wh] of [...perMinute].sort((a, b) => Number(a[0]) - Number(b[0]))) {
    const start = Math.max(Number(minute) * MINUTE_MS, order.startsAtMs);
    const end = Math.min((Number(minute) + 1) * MINUTE_MS, order.endsAtMs);
    if (end > start && (wh * 3_600) / (end - start) <= withinRounding(allowedKw)) {
      reachedAtMs = start;
      break;
    }
  }
  const energyKwh = [...perMinute.values()].reduce((sum, wh) => sum + wh, 0) / 1000;
  const reached = reachedAtMs;
  // A farm that never got there is judged on the whole order: its peak is what it drew.
  const fromReach = reached === null ? during : during.filter((reading) => reading.atMs >= reached);
  const peakKw = peakDemandW(fromReach) / 1000;
  const secondsLate = reachedAtMs === null ? null : Math.max(0, (reachedAtMs - order.startsAtMs) / 1000);
  const late = secondsLate === null || secondsLate > options.graceMinutes * 60;
  const over = peakKw > withinRounding(allowedKw);
  return {
    baselineKw,
    allowedKw,
    reachedAtMs,
    secondsLate,
    peakKw,
    energyKwh,
    pass: !late && !over,
    reason:
      secondsLate === null
        ? `the load never fell to ${allowedKw.toFixed(0)} kW`
        : late
          ? `the load reached ${allowedKw.toFixed(0)} kW ${(secondsLate / 60).toFixed(1)} min after the start`
          : over
            ? `15-minute demand rose again to ${peakKw.toFixed(0)} kW`
            : null,
  };
}

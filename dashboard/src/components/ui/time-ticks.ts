/**
 * Where a time axis puts its labels: as many as fit the plot's width with room between
 * them, at a round step of local time (5 minutes to 30 days). A phone gets fewer than a
 * desktop; no two labels ever overlap, whatever their language.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const STEPS_MS: readonly number[] = [
  5 * MINUTE_MS,
  10 * MINUTE_MS,
  15 * MINUTE_MS,
  30 * MINUTE_MS,
  HOUR_MS,
  2 * HOUR_MS,
  3 * HOUR_MS,
  4 * HOUR_MS,
  6 * HOUR_MS,
  8 * HOUR_MS,
  12 * HOUR_MS,
  DAY_MS,
  2 * DAY_MS,
  3 * DAY_MS,
  7 * DAY_MS,
  14 * DAY_MS,
  30 * DAY_MS,
];

/** Room kept between two labels, px. */
export const LABEL_GAP_PX = 12;

export interface TickRequest {
  readonly fromMs: number;
  readonly toMs: number;
  /** The plot's width, CSS px. */
  readonly widthPx: number;
  /** The widest label the axis may show, CSS px. */
  readonly labelWidthPx: number;
  /** Local time's offset from UTC at the range (+03:30 in Tehran is 12,600,000): steps fall on local hours and midnights. */
  readonly offsetMs: number;
}

/** The smallest round step whose ticks, each a label wide plus the gap apart, fit the width. */
export function tickStepMs(request: Omit<TickRequest, 'offsetMs'>): number {
  const spanMs = Math.max(1, request.toMs - request.fromMs);
  const pxPerMs = request.widthPx / spanMs;
  const minimumMs = (request.labelWidthPx + LABEL_GAP_PX) / Math.max(pxPerMs, Number.MIN_VALUE);
  return STEPS_MS.find((step) => step >= minimumMs) ?? Math.ceil(minimumMs / DAY_MS) * DAY_MS;
}

/**
 * The ticks of a range, oldest first. A label is centred on its tick, so ticks closer
 * than half a label to either end are left out: their labels would be cut off.
 */
export function timeTicks(request: TickRequest): { readonly stepMs: number; readonly ticks: number[] } {
  const stepMs = tickStepMs(request);
  const { fromMs, toMs, offsetMs } = request;
  const marginMs = ((request.labelWidthPx / 2) * (toMs - fromMs)) / Math.max(1, request.widthPx);
  const local = fromMs + offsetMs;
  let tick = local - (((local % stepMs) + stepMs) % stepMs) + stepMs - offsetMs;
  const ticks: number[] = [];
  for (; tick <= toMs; tick += stepMs) {
    if (tick - fromMs >= marginMs && toMs - tick >= marginMs) {
      ticks.push(tick);
    }
  }
  return { stepMs, ticks };
}

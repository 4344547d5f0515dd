import type { SeriesRange } from '@hashwatt/schemas';

/**
 * The buckets of a history chart: a range ending now cut into at most 300 buckets (more
 * than a phone's plot has pixels for), aligned to the Unix epoch as the rollups are, so
 * a 7-day chart reads whole hours of the share rollups and a 30-day one 3-hour spans.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

const RANGES: Readonly<Record<SeriesRange, { readonly spanMs: number; readonly bucketMs: number }>> = {
  '24h': { spanMs: 24 * HOUR_MS, bucketMs: 5 * MINUTE_MS },
  '7d': { spanMs: 7 * 24 * HOUR_MS, bucketMs: HOUR_MS },
  '30d': { spanMs: 30 * 24 * HOUR_MS, bucketMs: 3 * HOUR_MS },
};

export interface SeriesFrame {
  readonly range: SeriesRange;
  /** The first bucket's start: the range's start, rounded down to a bucket. */
  readonly fromMs: number;
  /** Now: the last bucket is the one now falls in, and ends here. */
  readonly toMs: number;
  readonly bucketMs: number;
}

export function seriesFrame(range: SeriesRange, nowMs: number): SeriesFrame {
  const { spanMs, bucketMs } = RANGES[range];
  const start = nowMs - spanMs;
  return { range, fromMs: start - (((start % bucketMs) + bucketMs) % bucketMs), toMs: nowMs, bucketMs };
}

/** Every bucket's start, oldest first. */
export function bucketStarts(frame: SeriesFrame): number[] {
  const starts: number[] = [];
  for (let at = frame.fromMs; at < frame.toMs; at += frame.bucketMs) {
    starts.push(at);
  }
  return starts;
}

/** How long a bucket has run: the whole bucket, or up to now for the last one. */
export function bucketSpanMs(frame: SeriesFrame, startMs: number): number {
  return Math.min(frame.bucketMs, frame.toMs - startMs);
}

/** The frame as the API's answers word it. */
export function frameFields(frame: SeriesFrame): {
  range: SeriesRange;
  from: string;
  to: string;
  bucketSeconds: number;
} {
  return {
    range: frame.range,
    from: new Date(frame.fromMs).toISOString(),
    to: new Date(frame.toMs).toISOString(),
    bucketSeconds: frame.bucketMs / 1000,
  };
}

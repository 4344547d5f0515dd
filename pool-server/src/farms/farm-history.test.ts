import type { RestrictedWindow } from '@hashwatt/schemas';
import { describe, expect, it } from 'vitest';
import { meterBuckets, poolHashrateOf, windowSpans } from './farm-history.ts';
import { seriesFrame } from './series-frame.ts';

const HOUR = 3_600_000;

function window(fields: Partial<RestrictedWindow>): RestrictedWindow {
  return {
    id: '1',
    farmId: '7',
    country: null,
    region: null,
    class: 'seasonal_ban',
    from: '10:00',
    to: '16:00',
    validFrom: '2026-12-01',
    validTo: null,
    noticeRef: null,
    ...fields,
  };
}

describe('restricted windows as spans of a chart', () => {
  it('falls on the local days it is valid on only, in the farm’s time zone', () => {
    // Irkutsk is UTC+8: 10:00–16:00 local is 02:00–08:00Z.
    const spans = windowSpans(
      [window({ validFrom: '2026-12-04', validTo: '2026-12-05' })],
      'Asia/Irkutsk',
      Date.UTC(2026, 11, 1),
      Date.UTC(2026, 11, 8),
    );
    expect(spans.map((span) => [span.from, span.to])).toEqual([
      ['2026-12-04T02:00:00.000Z', '2026-12-04T08:00:00.000Z'],
      ['2026-12-05T02:00:00.000Z', '2026-12-05T08:00:00.000Z'],
    ]);
  });

  it('clips a span the range cuts, and takes a whole day for 00:00–24:00', () => {
    const spans = windowSpans(
      [window({ from: '00:00', to: '24:00' })],
      'UTC',
      Date.UTC(2026, 11, 5, 12),
      Date.UTC(2026, 11, 6, 6),
    );
    expect(spans.map((span) => [span.from, span.to])).toEqual([
      ['2026-12-05T12:00:00.000Z', '2026-12-06T00:00:00.000Z'],
      ['2026-12-06T00:00:00.000Z', '2026-12-06T06:00:00.000Z'],
    ]);
  });
});

describe("a meter's energy by bucket", () => {
  it('counts what the running total covers, never a silence longer than 15 minutes nor a reset', () => {
    const frame = seriesFrame('7d', Date.UTC(2026, 11, 6, 12));
    const start = Date.UTC(2026, 11, 6, 8);
    const buckets = meterBuckets(
      [
        { atMs: start, energyWh: 1_000 },
        { atMs: start + 0.25 * HOUR, energyWh: 2_000 },
        // Silent for 45 minutes: when its 3 kWh were drawn is unknown.
        { atMs: start + HOUR, energyWh: 5_000 },
        { atMs: start + 1.25 * HOUR, energyWh: 6_000 },
        // Replaced: the counter starts again.
        { atMs: start + 1.5 * HOUR, energyWh: 10 },
      ],
      frame,
    );
    expect(buckets.get(start)).toEqual({ wh: 1_000, coveredMs: 0.25 * HOUR });
    expect(buckets.get(start + HOUR)).toEqual({ wh: 1_000, coveredMs: 0.25 * HOUR });
    expect([...buckets.keys()]).toEqual([start, start + HOUR]);
  });
});

describe("the pool's measure of a farm's workers in a bucket", () => {
  const work = { byBucket: new Map([[2 * HOUR, 1_000]]), firstWorkMs: HOUR };
  const bucket = (atMs: number, linkedHashing: number) => ({ atMs, seconds: 300, linkedHashing });

  it('is the work their shares carried, over the bucket', () => {
    expect(poolHashrateOf(work, bucket(2 * HOUR, 0))).toBe((1_000 * 2 ** 32) / 300);
  });

  it('is 0 only when a device mining as one of them hashed and no share came', () => {
    expect(poolHashrateOf(work, bucket(3 * HOUR, 1))).toBe(0);
    // Nothing connected: asleep, off, or silent.
    expect(poolHashrateOf(work, bucket(3 * HOUR, 0))).toBeNull();
  });

  it('is unknown before their first share, and for a farm with no worker the pool knows', () => {
    expect(poolHashrateOf(work, bucket(HOUR - 300_000, 1))).toBeNull();
    expect(poolHashrateOf({ byBucket: new Map(), firstWorkMs: null }, bucket(3 * HOUR, 1))).toBeNull();
    expect(poolHashrateOf(undefined, bucket(3 * HOUR, 1))).toBeNull();
  });
});

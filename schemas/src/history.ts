import Type, { type Static } from 'typebox';
import { Hashrate, Nullable, Timestamp } from './common.ts';
import { RestrictedWindow } from './farms.ts';

/**
 * History charts: a device's, a farm's or a worker's figures over the last 24 hours, 7
 * days or 30 days, in buckets the server averages (at most 300 a chart, whatever the
 * range). A bucket nothing was read in is null, never 0: a gap is drawn as a gap.
 */

export const SeriesRange = Type.Enum(['24h', '7d', '30d'], {
  description: 'The last 24 hours (5-minute buckets), 7 days (hours) or 30 days (3-hour buckets).',
});
export type SeriesRange = Static<typeof SeriesRange>;

export const SeriesQuery = Type.Object(
  { range: Type.Optional(SeriesRange) },
  { additionalProperties: false },
);
export type SeriesQuery = Static<typeof SeriesQuery>;

const SeriesFrame = {
  range: SeriesRange,
  /** The first bucket's start and the end of the last (now): buckets are aligned to the Unix epoch. */
  from: Timestamp,
  to: Timestamp,
  bucketSeconds: Type.Integer({ minimum: 60 }),
};

const Celsius = Nullable(Type.Number());

/** One board of a device in a bucket: its hottest chip and board reading, its mean hashrate. */
export const BoardBucket = Type.Object({
  slot: Type.Integer({ minimum: 0 }),
  chipTempC: Celsius,
  boardTempC: Celsius,
  hashrate: Nullable(Hashrate),
});
export type BoardBucket = Static<typeof BoardBucket>;

export const DeviceSeriesPoint = Type.Object({
  /** The bucket's start. */
  time: Timestamp,
  /** Mean of what the device reported, H/s. */
  hashrate: Nullable(Hashrate),
  /** Mean of the power it reported, W (its own, a meter's or its nameplate's, as the readings say). */
  powerW: Nullable(Type.Number()),
  /** The hottest chip of any board in the bucket: what throttles and trips the machine. */
  chipTempC: Celsius,
  /** The hottest board reading in the bucket. */
  boardTempC: Celsius,
  /** The slowest and the fastest fan in the bucket, rpm: a failing fan shows in the slowest. */
  fanRpmMin: Nullable(Type.Number()),
  fanRpmMax: Nullable(Type.Number()),
  /** Each board the device reported in the bucket (at most 16, the lowest slots). */
  boards: Type.Array(BoardBucket),
});
export type DeviceSeriesPoint = Static<typeof DeviceSeriesPoint>;

export const DeviceSeries = Type.Object({
  deviceId: Type.String(),
  ...SeriesFrame,
  points: Type.Array(DeviceSeriesPoint),
});
export type DeviceSeries = Static<typeof DeviceSeries>;

export const FarmSeriesPoint = Type.Object({
  time: Timestamp,
  /** Sum of each SHA-256 device's mean in the bucket, H/s; null when none reported one. */
  reportedHashrate: Nullable(Hashrate),
  /** How many devices the reported sum counts. */
  reportingDevices: Type.Integer({ minimum: 0 }),
  /**
   * What the pool measured from the shares of the workers the devices mine as. 0 only when
   * they were connected (a device mining as one reported hashing) and sent nothing; null
   * when no device mines as a worker the pool knows, before the workers' first share, and
   * when no share came while no such device hashed (nothing was connected to measure).
   */
  poolHashrate: Nullable(Hashrate),
  /** Mean power from the meters' counters over the part of the bucket they cover, W. */
  meterPowerW: Nullable(Type.Number()),
  /** Energy the meters counted in the bucket, kWh: over the covered part only. */
  energyKwh: Nullable(Type.Number()),
  /** Sum of each device's mean reported power, W: the figure when there is no meter. */
  devicePowerW: Nullable(Type.Number()),
});
export type FarmSeriesPoint = Static<typeof FarmSeriesPoint>;

/**
 * A span the chart shades: a restricted window as it fell in the range, a curtailment
 * order, or a time a meter's reads failed (its power unknown), from its first failed read
 * to its next good reading, or to the range's end while it still fails.
 */
export const SeriesSpan = Type.Object({
  kind: Type.Enum(['restricted-window', 'curtailment-order', 'meter-read-failed']),
  /** The window's or the order's id; for a failed meter, the meter's id and the span's start. */
  id: Type.String(),
  from: Timestamp,
  to: Timestamp,
  /** The window's class; null for an order or a meter. */
  class: Nullable(RestrictedWindow.properties.class),
  /** meter-read-failed: the meter, and why its latest failed read in the span failed, in the agent's words. */
  meter: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
});
export type SeriesSpan = Static<typeof SeriesSpan>;

export const FarmSeries = Type.Object({
  farmId: Type.String(),
  ...SeriesFrame,
  points: Type.Array(FarmSeriesPoint),
  /** Restricted windows and curtailment orders that overlap the range, clipped to it, oldest first. */
  spans: Type.Array(SeriesSpan),
});
export type FarmSeries = Static<typeof FarmSeries>;

export const WorkerSeriesPoint = Type.Object({
  time: Timestamp,
  /**
   * From the accepted difficulty in the bucket; 0 when the worker was connected (a device
   * mining as it reported hashing) after its first share and sent nothing; null when the
   * pool had nothing to measure: before its first share, or while nothing said it was connected.
   */
  hashrate: Nullable(Hashrate),
  accepted: Type.Integer({ minimum: 0 }),
  /** Refused for any reason but staleness. */
  rejected: Type.Integer({ minimum: 0 }),
  stale: Type.Integer({ minimum: 0 }),
});
export type WorkerSeriesPoint = Static<typeof WorkerSeriesPoint>;

export const WorkerSeries = Type.Object({
  account: Type.String(),
  worker: Type.String(),
  ...SeriesFrame,
  points: Type.Array(WorkerSeriesPoint),
});
export type WorkerSeries = Static<typeof WorkerSeries>;

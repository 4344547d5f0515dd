import Type, { type Static, type TSchema } from 'typebox';

/** Every API error: a stable code (docs/errors.md), what to do, and the field at fault. */
export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'A stable code, HW_ERR_…', examples: ['HW_ERR_VALIDATION'] }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'The request field at fault, as a path.' })),
  },
  { $id: 'ErrorBody' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** A value, or null where it is unknown or not set. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Satoshis: whole numbers, exact in JSON (21e14 < 2^53). */
export const Sats = Type.Integer({ minimum: -2_100_000_000_000_000, maximum: 2_100_000_000_000_000 });

/** Hashes per second. */
export const Hashrate = Type.Number({ minimum: 0 });

export const Timestamp = Type.String({ format: 'date-time' });

/**
 * What devices of one algorithm other than Bitcoin's SHA-256 hash together, in that
 * algorithm's own unit: shown beside Bitcoin hashrate, never added to it.
 */
export const AlgorithmHashrate = Type.Object({
  algorithm: Type.String({ examples: ['scrypt', 'x11', 'equihash', 'unknown'] }),
  hashrate: Type.Number({ minimum: 0 }),
  /** Equihash counts solutions: Sol/s; every other algorithm H/s. */
  unit: Type.Enum(['H/s', 'Sol/s']),
  devices: Type.Integer({ minimum: 0 }),
});
export type AlgorithmHashrate = Static<typeof AlgorithmHashrate>;

export const HashrateWindows = Type.Object({
  tenMinutes: Hashrate,
  oneHour: Hashrate,
  oneDay: Hashrate,
});
export type HashrateWindows = Static<typeof HashrateWindows>;

/** Newest first, `before` the cursor of the next page. */
export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  before: Type.Optional(Type.Integer({ minimum: 0, description: 'Only items older than this cursor.' })),
});
export type PageQuery = Static<typeof PageQuery>;

export const ChartRange = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')]);
export type ChartRange = Static<typeof ChartRange>;

export const ChartQuery = Type.Object({
  range: Type.Optional(ChartRange),
});
export type ChartQuery = Static<typeof ChartQuery>;

export const HashrateChart = Type.Object({
  bucketSeconds: Type.Integer({ minimum: 60 }),
  points: Type.Array(
    Type.Object({
      time: Timestamp,
      /**
       * From the accepted difficulty in the bucket; 0 when none came after the scope's
       * first accepted share (the account's, or the first the pool ever stored); null
       * before it, when there was nothing to measure. After it, null for a bucket while the
       * pool was down throughout (pool_uptime); data from before that record reads 0.
       */
      hashrate: Nullable(Hashrate),
      accepted: Type.Integer({ minimum: 0 }),
      rejected: Type.Integer({ minimum: 0 }),
      stale: Type.Integer({ minimum: 0 }),
    }),
  ),
});
export type HashrateChart = Static<typeof HashrateChart>;

export const IdParams = Type.Object({
  id: Type.String({ pattern: '^[1-9][0-9]{0,17}$', description: 'A numeric id.' }),
});
export type IdParams = Static<typeof IdParams>;

import Type, { type Static } from 'typebox';
import { Timestamp } from './common.ts';

const Day = Type.String({ format: 'date', examples: ['2026-03-21'] });
const Country = Type.String({ pattern: '^[A-Z]{2}$', examples: ['IR', 'RU'] });
const Region = Type.String({ pattern: '^[A-Z]{2}-[A-Z0-9]{1,3}$', examples: ['IR-20', 'RU-IRK'] });

/** The licence a farm mines under (Iran: MIMT's; Russia: the operator's register entry). */
export const Licence = Type.Object({
  number: Type.Union([Type.String(), Type.Null()]),
  authority: Type.Union([Type.String(), Type.Null()]),
  capacityKw: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()]),
  validFrom: Type.Union([Day, Type.Null()]),
  validTo: Type.Union([Day, Type.Null()]),
  registerEntry: Type.Union([Type.String(), Type.Null()]),
});
export type Licence = Static<typeof Licence>;

export const Farm = Type.Object({
  id: Type.String(),
  organisationId: Type.String(),
  name: Type.String(),
  createdAt: Timestamp,
  country: Type.Union([Country, Type.Null()]),
  region: Type.Union([Region, Type.Null()]),
  /** IANA zone of the site: restricted windows and tariff bands are in its local time. */
  timezone: Type.String(),
  licence: Licence,
});
export type Farm = Static<typeof Farm>;

/** What an operator may set of its farm; absent fields stay as they are, null clears. */
export const FarmPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    country: Type.Optional(Type.Union([Country, Type.Null()])),
    region: Type.Optional(Type.Union([Region, Type.Null()])),
    timezone: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, examples: ['Asia/Tehran', 'Asia/Irkutsk'] }),
    ),
    licence: Type.Optional(
      Type.Object(
        {
          number: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
          authority: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
          capacityKw: Type.Optional(
            Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 10_000_000 }), Type.Null()]),
          ),
          validFrom: Type.Optional(Type.Union([Day, Type.Null()])),
          validTo: Type.Optional(Type.Union([Day, Type.Null()])),
          registerEntry: Type.Optional(
            Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()]),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type FarmPatch = Static<typeof FarmPatch>;

export const FarmCreate = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type FarmCreate = Static<typeof FarmCreate>;

/** A farm agent's key as it is listed: never the key itself. */
export const ApiKey = Type.Object({
  id: Type.String(),
  farmId: Type.String(),
  label: Type.String(),
  /** The key's first characters, to tell keys apart. */
  prefix: Type.String(),
  createdAt: Timestamp,
  lastUsedAt: Type.Union([Timestamp, Type.Null()]),
  revokedAt: Type.Union([Timestamp, Type.Null()]),
});
export type ApiKey = Static<typeof ApiKey>;

export const ApiKeyCreate = Type.Object(
  { label: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type ApiKeyCreate = Static<typeof ApiKeyCreate>;

/** The key is shown here once; only its hash is kept. */
export const ApiKeyCreated = Type.Object({
  apiKey: ApiKey,
  key: Type.String(),
});
export type ApiKeyCreated = Static<typeof ApiKeyCreated>;

export const FarmKeyParams = Type.Object({
  id: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }),
  keyId: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }),
});
export type FarmKeyParams = Static<typeof FarmKeyParams>;

export const CurtailmentOrderCreate = Type.Object(
  {
    noticeAt: Type.Optional(Timestamp),
    startsAt: Timestamp,
    endsAt: Timestamp,
    reductionKw: Type.Number({ exclusiveMinimum: 0, maximum: 10_000_000 }),
    noticeRef: Type.Optional(Type.String({ minLength: 1, maxLength: 200, examples: ['Tavanir 1405/1234'] })),
    /** Put the farm's devices to sleep for it, staggered over this many minutes before the start. */
    staggerMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 240 })),
  },
  { additionalProperties: false },
);
export type CurtailmentOrderCreate = Static<typeof CurtailmentOrderCreate>;

export const OrderCompliance = Type.Object({
  baselineKw: Type.Number(),
  allowedKw: Type.Number(),
  reachedAt: Type.Union([Timestamp, Type.Null()]),
  secondsLate: Type.Union([Type.Number(), Type.Null()]),
  peakKw: Type.Number(),
  energyKwh: Type.Number(),
  pass: Type.Boolean(),
  reason: Type.Union([Type.String(), Type.Null()]),
});
export type OrderCompliance = Static<typeof OrderCompliance>;

export const CurtailmentOrder = Type.Object({
  id: Type.String(),
  farmId: Type.String(),
  noticeAt: Timestamp,
  startsAt: Timestamp,
  endsAt: Timestamp,
  reductionKw: Type.Number(),
  noticeRef: Type.Union([Type.String(), Type.Null()]),
  orderedBy: Type.String(),
  curtailment: Type.Union([Type.String(), Type.Null()]),
  /** Measured once the order has ended; null before. */
  compliance: Type.Union([OrderCompliance, Type.Null()]),
});
export type CurtailmentOrder = Static<typeof CurtailmentOrder>;

import Type, { type Static } from 'typebox';
import { Nullable, Timestamp } from './common.ts';
import { CurtailmentUnable } from './device-commands.ts';

const Day = Type.String({ format: 'date', examples: ['2026-03-21'] });
const Country = Type.String({ pattern: '^[A-Z]{2}$', examples: ['IR', 'RU'] });
const Region = Type.String({ pattern: '^[A-Z]{2}-[A-Z0-9]{1,3}$', examples: ['IR-20', 'RU-IRK'] });

/** The licence a farm mines under (Iran: MIMT's; Russia: the operator's register entry). */
export const Licence = Type.Object({
  number: Nullable(Type.String()),
  authority: Nullable(Type.String()),
  capacityKw: Nullable(Type.Number({ exclusiveMinimum: 0 })),
  validFrom: Nullable(Day),
  validTo: Nullable(Day),
  registerEntry: Nullable(Type.String()),
  /** The operator's tax id: Russia's INN (10 digits for a company, 12 for a person), Iran's national id. */
  taxId: Nullable(Type.String()),
});
export type Licence = Static<typeof Licence>;

export const Farm = Type.Object({
  id: Type.String(),
  organisationId: Type.String(),
  name: Type.String(),
  createdAt: Timestamp,
  country: Nullable(Country),
  region: Nullable(Region),
  /** IANA zone of the site: restricted windows and tariff bands are in its local time. */
  timezone: Type.String(),
  licence: Licence,
});
export type Farm = Static<typeof Farm>;

/** What an operator may set of its farm; absent fields stay as they are, null clears. */
export const FarmPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    country: Type.Optional(Nullable(Country)),
    region: Type.Optional(Nullable(Region)),
    timezone: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, examples: ['Asia/Tehran', 'Asia/Irkutsk'] }),
    ),
    licence: Type.Optional(
      Type.Object(
        {
          number: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
          authority: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
          capacityKw: Type.Optional(Nullable(Type.Number({ exclusiveMinimum: 0, maximum: 10_000_000 }))),
          validFrom: Type.Optional(Nullable(Day)),
          validTo: Type.Optional(Nullable(Day)),
          registerEntry: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
          taxId: Type.Optional(
            Nullable(Type.String({ pattern: '^[0-9]{10,12}$', examples: ['7707083893'] })),
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
  lastUsedAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
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

/** A farm and one of its tariffs, restricted windows or curtailment orders, by id. */
const Id = Type.String({ pattern: '^[1-9][0-9]{0,17}$' });
export const FarmTariffParams = Type.Object({ id: Id, tariffId: Id });
export type FarmTariffParams = Static<typeof FarmTariffParams>;
export const FarmWindowParams = Type.Object({ id: Id, windowId: Id });
export type FarmWindowParams = Static<typeof FarmWindowParams>;
export const FarmOrderParams = Type.Object({ id: Id, orderId: Id });
export type FarmOrderParams = Static<typeof FarmOrderParams>;

export const CurtailmentOrderCreate = Type.Object(
  {
    noticeAt: Type.Optional(Timestamp),
    startsAt: Timestamp,
    endsAt: Timestamp,
    reductionKw: Type.Number({ exclusiveMinimum: 0, maximum: 10_000_000 }),
    noticeRef: Type.Optional(Type.String({ minLength: 1, maxLength: 200, examples: ['Tavanir 1405/1234'] })),
    /** Put the farm's devices to sleep for it, staggered over this many minutes before the start. */
    staggerMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 240 })),
    /** Only these of the farm's devices are put to sleep (with staggerMinutes); every device when absent. */
    deviceIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 100_000 })),
  },
  { additionalProperties: false },
);
export type CurtailmentOrderCreate = Static<typeof CurtailmentOrderCreate>;

/** A command the order sent that did not succeed: failed, unsupported, or never answered. */
export const FailedOrderCommand = Type.Object({
  device: Type.String(),
  action: Type.String(),
  status: Type.String(),
  /** The agent's error (`fetch failed`), or why there is none. */
  error: Nullable(Type.String()),
});
export type FailedOrderCommand = Static<typeof FailedOrderCommand>;

const Kw = Type.Number();
const Hs = Type.Number();

/**
 * One thing the evidence showed about an order, with its figures: what the verdict's
 * reasons say, in a form each language words for itself (`reasons` is the English).
 */
export const ComplianceFinding = Type.Union([
  Type.Object({ code: Type.Literal('no-readings-during-order') }),
  Type.Object({ code: Type.Literal('no-baseline') }),
  Type.Object({ code: Type.Literal('meter-gap'), from: Timestamp, to: Timestamp }),
  Type.Object({ code: Type.Literal('load-never-fell'), allowedKw: Kw }),
  Type.Object({ code: Type.Literal('reached-late'), allowedKw: Kw, minutesLate: Type.Number() }),
  Type.Object({ code: Type.Literal('demand-rose-again'), peakKw: Kw }),
  /** The meter said the load was down (its peak; null when it covered no whole 15 minutes) while devices hashed. */
  Type.Object({ code: Type.Literal('meter-suspect'), peakKw: Nullable(Kw) }),
  Type.Object({ code: Type.Literal('hashing-after-sleep'), device: Type.String() }),
  Type.Object({ code: Type.Literal('hashing-during-order'), device: Type.String() }),
  Type.Object({ code: Type.Literal('pool-contradicts'), duringHs: Hs, beforeHs: Hs, mostHs: Hs }),
  Type.Object({
    code: Type.Literal('command-failed'),
    device: Type.String(),
    action: Type.String(),
    status: Type.String(),
    error: Nullable(Type.String()),
    /** Nothing shows the device stopped anyway. */
    unrecovered: Type.Boolean(),
  }),
]);
export type ComplianceFinding = Static<typeof ComplianceFinding>;

/**
 * How a farm kept an order, weighed from the meter, each device's reported state, each
 * command's outcome and the pool-measured hashrate (DESIGN.md "Verdicts"). A figure
 * nothing measured is null, never 0.
 */
export const OrderCompliance = Type.Object({
  verdict: Type.Enum(['complied', 'violated', 'undetermined']),
  /** Why: the meter's failure or gap, contradicting devices, failed commands, the pool's hashrate. */
  reasons: Type.Array(Type.String()),
  /** The same, as codes and figures, for words in the reader's language. */
  findings: Type.Array(ComplianceFinding),
  failedCommands: Type.Array(FailedOrderCommand),
  /** Devices that reported hashing once they should have been down. */
  hashingDevices: Type.Array(Type.String()),
  /** The meter said the load was down while other evidence says it was not. */
  meterSuspect: Type.Boolean(),
  baselineKw: Nullable(Type.Number()),
  allowedKw: Nullable(Type.Number()),
  reachedAt: Nullable(Timestamp),
  secondsLate: Nullable(Type.Number()),
  peakKw: Nullable(Type.Number()),
  energyKwh: Nullable(Type.Number()),
  /** H/s the pool measured from the farm's workers in the hour before the notice, and during the order. */
  poolHashrateBefore: Nullable(Type.Number()),
  poolHashrateDuring: Nullable(Type.Number()),
});
export type OrderCompliance = Static<typeof OrderCompliance>;

export const CurtailmentOrder = Type.Object({
  id: Type.String(),
  farmId: Type.String(),
  noticeAt: Timestamp,
  startsAt: Timestamp,
  endsAt: Timestamp,
  reductionKw: Type.Number(),
  noticeRef: Nullable(Type.String()),
  orderedBy: Type.String(),
  curtailment: Nullable(Type.String()),
  /** Measured once the order has ended; null before. */
  compliance: Nullable(OrderCompliance),
});
export type CurtailmentOrder = Static<typeof CurtailmentOrder>;

/** An order as just recorded: with the devices its sleep left out because they cannot sleep, each with why. */
export const CurtailmentOrderRecorded = Type.Object({
  ...CurtailmentOrder.properties,
  unable: Type.Array(CurtailmentUnable),
});
export type CurtailmentOrderRecorded = Static<typeof CurtailmentOrderRecorded>;

/**
 * An order withdrawn before its start (entered by mistake, or lifted by the grid
 * operator): the sleep commands not yet handed to the agent are withdrawn with it; those
 * already sent have reached their devices, which stay asleep until woken.
 */
export const CurtailmentOrderWithdrawn = Type.Object({
  order: CurtailmentOrder,
  commandsWithdrawn: Type.Integer({ minimum: 0 }),
  commandsSent: Type.Integer({ minimum: 0 }),
});
export type CurtailmentOrderWithdrawn = Static<typeof CurtailmentOrderWithdrawn>;

const Clock = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$', examples: ['19:00'] });

export const TariffBand = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 50, examples: ['restricted', 'normal'] }),
    pricePerKwh: Type.Number({ minimum: 0 }),
    windows: Type.Array(
      Type.Object(
        {
          from: Clock,
          to: Clock,
          months: Type.Optional(
            Type.Array(Type.Integer({ minimum: 1, maximum: 12 }), { minItems: 1, maxItems: 12 }),
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 24 },
    ),
  },
  { additionalProperties: false },
);
export type TariffBand = Static<typeof TariffBand>;

export const TariffCreate = Type.Object(
  {
    currency: Type.Enum(['IRR', 'RUB', 'USD']),
    effectiveFrom: Day,
    defaultPricePerKwh: Type.Number({ minimum: 0 }),
    bands: Type.Array(TariffBand, { maxItems: 12, default: [] }),
  },
  { additionalProperties: false },
);
export type TariffCreate = Static<typeof TariffCreate>;

export const Tariff = Type.Object({
  id: Type.String(),
  currency: Type.Enum(['IRR', 'RUB', 'USD']),
  effectiveFrom: Day,
  defaultPricePerKwh: Type.Number(),
  bands: Type.Array(TariffBand),
  createdBy: Type.String(),
});
export type Tariff = Static<typeof Tariff>;

export const RestrictedWindowCreate = Type.Object(
  {
    class: Type.Enum(['critical_peak', 'restricted', 'seasonal_ban']),
    from: Clock,
    to: Clock,
    validFrom: Day,
    validTo: Type.Optional(Day),
    noticeRef: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type RestrictedWindowCreate = Static<typeof RestrictedWindowCreate>;

export const RestrictedWindow = Type.Object({
  id: Type.String(),
  /** The farm it was set for, or null when it holds for a whole country or region. */
  farmId: Nullable(Type.String()),
  country: Nullable(Type.String()),
  region: Nullable(Type.String()),
  class: Type.Enum(['critical_peak', 'restricted', 'seasonal_ban']),
  from: Clock,
  to: Clock,
  validFrom: Day,
  validTo: Nullable(Day),
  noticeRef: Nullable(Type.String()),
});
export type RestrictedWindow = Static<typeof RestrictedWindow>;

export const EnergyQuery = Type.Object({
  from: Timestamp,
  to: Timestamp,
});
export type EnergyQuery = Static<typeof EnergyQuery>;

/**
 * How much of a period the meter readings cover. `measured`: all of it (gaps of a few
 * minutes between samples allowed); `partial`: only part, so the figures are what was
 * measured, a lower bound; `unknown`: no reading, so the figures are null.
 */
export const EnergyBasis = Type.Enum(['measured', 'partial', 'unknown']);
export type EnergyBasis = Static<typeof EnergyBasis>;

export const EnergySummary = Type.Object({
  from: Timestamp,
  to: Timestamp,
  /** Null when no meter reading covers the period: missing is never 0. */
  kwhTotal: Nullable(Type.Number()),
  /** The highest 15-minute demand; null without a whole 15 minutes of readings. */
  peakKw: Nullable(Type.Number()),
  /** Peak demand over the licensed capacity; null without a licensed capacity or a peak. */
  peakVsLicence: Nullable(Type.Number()),
  /** Energy with no tariff in force has no price and no cost (null), never 0. */
  byBand: Type.Array(
    Type.Object({
      band: Type.String(),
      kwh: Type.Number(),
      pricePerKwh: Nullable(Type.Number()),
      cost: Nullable(Type.Number()),
    }),
  ),
  currency: Nullable(Type.String()),
  /** Null when the energy is unknown, or some of it has no tariff, or the tariffs are in several currencies. */
  cost: Nullable(Type.Number()),
  restricted: Type.Array(
    Type.Object({ windowId: Type.String(), class: Type.String(), kwh: Nullable(Type.Number()) }),
  ),
  meterResets: Type.Integer({ minimum: 0 }),
  basis: EnergyBasis,
  /** Why the energy figures are null or partial, in plain English; null when they are measured. */
  unknownReason: Nullable(Type.String()),
  /** Why `cost` is null though the energy is known (no tariff, several currencies); null otherwise. */
  costReason: Nullable(Type.String()),
  coverage: Type.Object({
    firstReadingAt: Nullable(Timestamp),
    lastReadingAt: Nullable(Timestamp),
    /** The part of the period the readings cover, 0..1. */
    fraction: Type.Number({ minimum: 0, maximum: 1 }),
  }),
});
export type EnergySummary = Static<typeof EnergySummary>;

export const RateType = Type.Enum(['market', 'official', 'sana', 'nima', 'free_market'], {
  description: "Which rate: Iran's official, SANA, NIMA and free-market USD rates differ several-fold.",
});
export type RateType = Static<typeof RateType>;

const Currency = Type.String({ pattern: '^[A-Z]{3,5}$', examples: ['BTC', 'USD', 'IRR', 'RUB'] });

export const PriceCreate = Type.Object(
  {
    base: Currency,
    quote: Currency,
    rateType: Type.Optional(RateType),
    value: Type.Number({ exclusiveMinimum: 0 }),
    /** When the price held; now when absent. */
    at: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
export type PriceCreate = Static<typeof PriceCreate>;

export const Price = Type.Object({
  base: Type.String(),
  quote: Type.String(),
  rateType: RateType,
  value: Type.Number(),
  at: Timestamp,
  /** Where it came from: `manual:<email>`, or the adapter that fetched it; a converted price names both legs. */
  origin: Type.String(),
});
export type Price = Static<typeof Price>;

export const PriceQuery = Type.Object({
  base: Currency,
  quote: Currency,
  rateType: Type.Optional(RateType),
  at: Type.Optional(Timestamp),
});
export type PriceQuery = Static<typeof PriceQuery>;

import Type, { type Static } from 'typebox';
import { Nullable, Timestamp } from './common.ts';

/** What raises an alert. Lasting ones stay open until their condition clears; the others are events. */
export const AlertRule = Type.Enum([
  'device-silent',
  'worker-silent',
  'temperature-high',
  'temperature-low',
  'fan-high',
  'fan-low',
  'hashrate-gap',
  'window-starting',
  'curtailment-issued',
  'curtailment-violated',
  'block-found',
  'payout-sent',
  'timescale-job-failing',
  'ledger-lag',
]);
export type AlertRule = Static<typeof AlertRule>;

export const AlertChannel = Type.Enum(['webhook', 'email', 'telegram']);
export type AlertChannel = Static<typeof AlertChannel>;

/** The language an e-mail or a Telegram message is written in; a webhook gets the facts too. */
export const AlertLanguage = Type.Enum(['en', 'fa', 'ru']);
export type AlertLanguage = Static<typeof AlertLanguage>;

/** A new subscription: the user's own, or (for an operator or an admin) an organisation's. */
export const AlertSubscriptionCreate = Type.Object(
  {
    /** For the organisation rather than the user making it. */
    organisationId: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,17}$' })),
    channel: AlertChannel,
    /** The webhook URL (https, or http), the e-mail address or the Telegram chat id. */
    target: Type.String({ minLength: 1, maxLength: 2_000 }),
    rules: Type.Array(AlertRule, { minItems: 1, maxItems: 20, uniqueItems: true }),
    sendResolved: Type.Optional(Type.Boolean()),
    label: Type.Optional(Type.String({ maxLength: 200 })),
    /** English when not given. */
    language: Type.Optional(AlertLanguage),
    /** A Telegram bot token of the subscriber's own, instead of the pool's; write-only. */
    botToken: Type.Optional(Type.String({ pattern: '^[0-9]+:[A-Za-z0-9_-]+$', maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type AlertSubscriptionCreate = Static<typeof AlertSubscriptionCreate>;

export const AlertSubscription = Type.Object({
  id: Type.String(),
  userId: Nullable(Type.String()),
  organisationId: Nullable(Type.String()),
  channel: AlertChannel,
  target: Type.String(),
  rules: Type.Array(AlertRule),
  sendResolved: Type.Boolean(),
  label: Type.String(),
  language: AlertLanguage,
  createdAt: Timestamp,
});
export type AlertSubscription = Static<typeof AlertSubscription>;

/** The answer to a create: the webhook signing secret is shown here once, never again. */
export const AlertSubscriptionCreated = Type.Object({
  subscription: AlertSubscription,
  /** HMAC-SHA256 key of x-hashwatt-signature, for a webhook; null for the other channels. */
  webhookSecret: Nullable(Type.String()),
});
export type AlertSubscriptionCreated = Static<typeof AlertSubscriptionCreated>;

export const AlertDeliveryStatus = Type.Enum(['pending', 'sent', 'failed', 'suppressed']);
export type AlertDeliveryStatus = Static<typeof AlertDeliveryStatus>;

/** One alert notice to one subscription, and what became of it. */
export const AlertDelivery = Type.Object({
  id: Type.String(),
  subscriptionId: Type.String(),
  channel: AlertChannel,
  notice: Type.Enum(['opened', 'resolved']),
  rule: AlertRule,
  subject: Type.String(),
  summary: Type.String(),
  status: AlertDeliveryStatus,
  attempts: Type.Integer({ minimum: 0 }),
  /** Why the last attempt failed, or why it was not sent; null when it went. */
  lastError: Nullable(Type.String()),
  createdAt: Timestamp,
  sentAt: Nullable(Timestamp),
});
export type AlertDelivery = Static<typeof AlertDelivery>;

export const AlertSubscriptionList = Type.Object({ items: Type.Array(AlertSubscription) });
export type AlertSubscriptionList = Static<typeof AlertSubscriptionList>;

export const AlertDeliveryList = Type.Object({ items: Type.Array(AlertDelivery) });
export type AlertDeliveryList = Static<typeof AlertDeliveryList>;

/**
 * The bounds of each threshold a farm may set: the pool-wide settings (alerts.*,
 * farms.hashrateGapAlertPercent) have the same, so a farm is told nothing the pool could not.
 */
export const ALERT_THRESHOLD_BOUNDS = {
  /** Minutes a device or a worker may stay silent. */
  silentMinutes: { minimum: 1, maximum: 1_440 },
  /** °C, the hottest chip of a hashing device: at most this. */
  maxChipTempC: { minimum: 30, maximum: 150 },
  /** °C, the hottest chip of a hashing device: at least this (the whole machine is colder). */
  minChipTempC: { minimum: -40, maximum: 100 },
  /** rpm, the slowest fan of a hashing device; 0 turns the rule off. */
  minFanRpm: { minimum: 0, maximum: 30_000 },
  /** rpm, the fastest fan of a hashing device; 0 turns the rule off. */
  maxFanRpm: { minimum: 0, maximum: 30_000 },
  /** % of full speed, the fastest fan of a hashing device that reports one; 100: at full speed. */
  maxFanPercent: { minimum: 1, maximum: 100 },
  /** %, reported against pool-measured hashrate over the last hour. */
  gapPercent: { exclusiveMinimum: 0, maximum: 100 },
  /** Minutes before a restricted window starts. */
  windowLeadMinutes: { minimum: 1, maximum: 1_440 },
} as const;

const thresholdFields = {
  silentMinutes: Type.Integer(ALERT_THRESHOLD_BOUNDS.silentMinutes),
  minChipTempC: Type.Number(ALERT_THRESHOLD_BOUNDS.minChipTempC),
  maxChipTempC: Type.Number(ALERT_THRESHOLD_BOUNDS.maxChipTempC),
  minFanRpm: Type.Integer(ALERT_THRESHOLD_BOUNDS.minFanRpm),
  maxFanRpm: Type.Integer(ALERT_THRESHOLD_BOUNDS.maxFanRpm),
  maxFanPercent: Type.Number(ALERT_THRESHOLD_BOUNDS.maxFanPercent),
  gapPercent: Type.Number(ALERT_THRESHOLD_BOUNDS.gapPercent),
  windowLeadMinutes: Type.Integer(ALERT_THRESHOLD_BOUNDS.windowLeadMinutes),
};

/** The thresholds of the rules about one farm's devices and restricted windows. */
export const AlertThresholdValues = Type.Object(thresholdFields);
export type AlertThresholdValues = Static<typeof AlertThresholdValues>;

/** A farm's own thresholds: null where it keeps the pool's default. */
export const AlertThresholdOverrides = Type.Object({
  silentMinutes: Nullable(thresholdFields.silentMinutes),
  minChipTempC: Nullable(thresholdFields.minChipTempC),
  maxChipTempC: Nullable(thresholdFields.maxChipTempC),
  minFanRpm: Nullable(thresholdFields.minFanRpm),
  maxFanRpm: Nullable(thresholdFields.maxFanRpm),
  maxFanPercent: Nullable(thresholdFields.maxFanPercent),
  gapPercent: Nullable(thresholdFields.gapPercent),
  windowLeadMinutes: Nullable(thresholdFields.windowLeadMinutes),
});
export type AlertThresholdOverrides = Static<typeof AlertThresholdOverrides>;

/** A change to a farm's thresholds: a value overrides the default, null returns to it, absent keeps it. */
export const AlertThresholdsPatch = Type.Object(
  {
    silentMinutes: Type.Optional(Nullable(thresholdFields.silentMinutes)),
    minChipTempC: Type.Optional(Nullable(thresholdFields.minChipTempC)),
    maxChipTempC: Type.Optional(Nullable(thresholdFields.maxChipTempC)),
    minFanRpm: Type.Optional(Nullable(thresholdFields.minFanRpm)),
    maxFanRpm: Type.Optional(Nullable(thresholdFields.maxFanRpm)),
    maxFanPercent: Type.Optional(Nullable(thresholdFields.maxFanPercent)),
    gapPercent: Type.Optional(Nullable(thresholdFields.gapPercent)),
    windowLeadMinutes: Type.Optional(Nullable(thresholdFields.windowLeadMinutes)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type AlertThresholdsPatch = Static<typeof AlertThresholdsPatch>;

/** A farm's alert thresholds: the pool's defaults, the farm's overrides, and what the rules use. */
export const FarmAlertThresholds = Type.Object({
  farmId: Type.String(),
  defaults: AlertThresholdValues,
  overrides: AlertThresholdOverrides,
  effective: AlertThresholdValues,
  /** When and by whom the overrides were last changed; null while the farm has never set any. */
  updatedAt: Nullable(Timestamp),
  updatedBy: Nullable(Type.String()),
});
export type FarmAlertThresholds = Static<typeof FarmAlertThresholds>;

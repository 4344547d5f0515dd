import Type, { type Static } from 'typebox';
import { Nullable, Timestamp } from './common.ts';

/** What raises an alert. Lasting ones stay open until their condition clears; the others are events. */
export const AlertRule = Type.Enum([
  'device-silent',
  'worker-silent',
  'temperature-high',
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

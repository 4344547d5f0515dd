import Type, { type Static } from 'typebox';
import { ALERT_THRESHOLD_BOUNDS, type AlertThresholdValues } from '@hashwatt/schemas';

/** Alerts: what raises one, how often they are evaluated, and the channels that carry them. Sections of ConfigSchema (config.ts). */

export const AlertsSettings = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description: 'Evaluate alert rules and deliver them (in the writer role).',
    }),
    intervalSeconds: Type.Integer({
      default: 60,
      minimum: 5,
      maximum: 3_600,
      description: 'Rules are evaluated, and due deliveries sent, this often.',
    }),
    silentMinutes: Type.Integer({
      ...ALERT_THRESHOLD_BOUNDS.silentMinutes,
      default: 10,
      description:
        'A device its agent has not reported for this long, or a worker without a share for this long after hashing in the hour before, raises an alert. A farm may set its own (PATCH /api/farms/:id/alert-thresholds).',
    }),
    maxChipTempC: Type.Number({
      ...ALERT_THRESHOLD_BOUNDS.maxChipTempC,
      default: 90,
      description:
        "A device's hottest chip above this (°C) raises an alert: 90 leaves a margin under the mid-90s at which firmware commonly starts protecting its chips; the maker's limit for a model is the one to set. A farm may set its own. Not below minChipTempC.",
    }),
    minChipTempC: Type.Number({
      ...ALERT_THRESHOLD_BOUNDS.minChipTempC,
      default: 10,
      description:
        "A hashing device whose hottest chip is below this (°C) raises an alert: chips at work run tens of degrees above the air or coolant, so a whole machine this cold is in a hall or a loop near freezing (a cold start, immersion or hydro in winter), below where its firmware is made to run, or its sensors read wrong. The makers' minimums differ by model and none is recorded here: set a farm's own. Not above maxChipTempC.",
    }),
    minFanRpm: Type.Integer({
      ...ALERT_THRESHOLD_BOUNDS.minFanRpm,
      default: 1_000,
      description:
        'A hashing device with a fan below this (rpm) raises an alert (at 0 rpm: stopped, a failed fan); 0 turns the rule off. Devices that report no fans (immersion, hydro) are never judged. A farm may set its own.',
    }),
    maxFanRpm: Type.Integer({
      ...ALERT_THRESHOLD_BOUNDS.maxFanRpm,
      default: 0,
      description:
        "A hashing device with a fan above this (rpm) raises an alert; 0 turns the rule off, the default: full speed is the fan's own (about 6,150 rpm on an Antminer S19 Pro, other speeds on other models), so a farm that knows its machines sets its own. Not below minFanRpm.",
    }),
    maxFanPercent: Type.Number({
      ...ALERT_THRESHOLD_BOUNDS.maxFanPercent,
      default: 100,
      description:
        'A hashing device with a fan at or above this % of its full speed raises an alert, for firmware that reports a fan percent (Braiins, LuxOS, AxeOS, Avalon): at 100 % the firmware has no cooling left to add. A farm may set its own.',
    }),
    ledgerLagMinutes: Type.Integer({
      default: 10,
      minimum: 1,
      maximum: 1_440,
      description:
        "Accepted shares waiting this long in a Stratum node's journal for the database (its oldest journal file not stored) raise an alert, for admins.",
    }),
    windowLeadMinutes: Type.Integer({
      ...ALERT_THRESHOLD_BOUNDS.windowLeadMinutes,
      default: 30,
      description:
        'A restricted window starting within this many minutes raises an alert. A farm may set its own.',
    }),
    maxAttempts: Type.Integer({
      default: 5,
      minimum: 1,
      maximum: 20,
      description: 'Attempts at one delivery before it is recorded as failed.',
    }),
    retryBaseSeconds: Type.Integer({
      default: 30,
      minimum: 1,
      maximum: 3_600,
      description: 'The wait after a failed attempt, doubling with each further one.',
    }),
    perSubscriptionPerHour: Type.Integer({
      default: 30,
      minimum: 1,
      maximum: 10_000,
      description:
        'Deliveries one subscription is sent per hour; beyond it they are recorded as suppressed, not sent (an alert storm).',
    }),
    perChannelPerMinute: Type.Integer({
      default: 60,
      minimum: 1,
      maximum: 10_000,
      description:
        'Deliveries sent per minute on each channel (webhook, email, telegram); beyond it they wait for the next evaluation.',
    }),
    secretKeyFile: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "The AES-256 key (32 bytes, base64, mode 0600) that seals subscriptions' webhook secrets and bot tokens in the database. Unset: dataDir/alert-secret.key, made on first start; every host running the API or the writer needs the same one. `hashwatt alerts key rotate` replaces it and seals them again. Backups carry it.",
      }),
    ),
    webhookPrivateTargets: Type.Boolean({
      default: false,
      description:
        "Let webhooks reach loopback, private and link-local addresses (a receiver on the pool's own network). Off: such a delivery fails without a request, so that a subscriber cannot make the pool probe its network.",
    }),
    timeoutSeconds: Type.Integer({
      default: 10,
      minimum: 1,
      maximum: 120,
      description: 'One delivery attempt (an HTTP request or an SMTP conversation) is given up after this.',
    }),
    smtp: Type.Object(
      {
        host: Type.Optional(Type.String({ minLength: 1, description: 'The SMTP server. Unset: no e-mail.' })),
        port: Type.Integer({ default: 587, minimum: 1, maximum: 65_535 }),
        secure: Type.Boolean({
          default: false,
          description: 'TLS from the start (port 465); otherwise STARTTLS when the server offers it.',
        }),
        user: Type.Optional(Type.String({ minLength: 1 })),
        password: Type.Optional(
          Type.String({ minLength: 1, maxLength: 1_024, writeOnly: true, description: 'Never logged.' }),
        ),
        from: Type.String({
          default: 'hashwatt <alerts@localhost>',
          minLength: 3,
          maxLength: 320,
          description: 'The sender of alert e-mails.',
        }),
      },
      { default: {} },
    ),
    telegram: Type.Object(
      {
        botToken: Type.Optional(
          Type.String({
            pattern: '^[0-9]+:[A-Za-z0-9_-]+$',
            writeOnly: true,
            description:
              "The pool's Telegram bot (from @BotFather); a subscription may bring its own. Never logged.",
          }),
        ),
        apiBaseUrl: Type.String({
          default: 'https://api.telegram.org',
          pattern: '^https?://',
          description: 'The Bot API: sendMessage is posted to <this>/bot<token>/sendMessage.',
        }),
      },
      { default: {} },
    ),
  },
  { default: {} },
);

/** The thresholds that are the ends of a range. */
type RangeEnd = 'minChipTempC' | 'maxChipTempC' | 'minFanRpm' | 'maxFanRpm';

/** A range whose low end is above its high end: both ends, and why, in the API's words. */
export interface InvertedRange {
  readonly low: RangeEnd;
  readonly high: RangeEnd;
  readonly message: string;
}

/**
 * The ranges upside down in `values`: the chip temperature's, and the fans' when their
 * upper limit is on (maxFanRpm 0 is off). No device could be within them: the pool's
 * configuration and a farm's own thresholds are refused.
 */
export function invertedRanges(values: Pick<AlertThresholdValues, RangeEnd>): InvertedRange[] {
  const inverted: InvertedRange[] = [];
  if (values.minChipTempC > values.maxChipTempC) {
    inverted.push({
      low: 'minChipTempC',
      high: 'maxChipTempC',
      message: `The lowest chip temperature (${String(values.minChipTempC)} °C) is above the highest (${String(values.maxChipTempC)} °C).`,
    });
  }
  if (values.maxFanRpm > 0 && values.minFanRpm > values.maxFanRpm) {
    inverted.push({
      low: 'minFanRpm',
      high: 'maxFanRpm',
      message: `The slowest fan speed (${String(values.minFanRpm)} rpm) is above the fastest (${String(values.maxFanRpm)} rpm).`,
    });
  }
  return inverted;
}

/** The configuration's ranges that are upside down, each naming its two settings. */
export function alertsProblems(alerts: Static<typeof AlertsSettings>): string[] {
  return invertedRanges(alerts).map(
    (range) =>
      `alerts.${range.low} ${String(alerts[range.low])} and alerts.${range.high} ${String(alerts[range.high])}: ${range.message}`,
  );
}

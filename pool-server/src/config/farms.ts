import Type from 'typebox';
import { ALERT_THRESHOLD_BOUNDS } from '@hashwatt/schemas';

/** Farms: devices and energy, prices, the demo farm, regulator reports. Sections of ConfigSchema (config.ts). */

export const FarmsSettings = Type.Object(
  {
    hashrateGapAlertPercent: Type.Number({
      ...ALERT_THRESHOLD_BOUNDS.gapPercent,
      default: 10,
      description:
        "A device whose hashrate over the last hour and its pool worker's measured hashrate differ by more than this (%) is flagged, and raises an alert. A farm may set its own (PATCH /api/farms/:id/alert-thresholds).",
    }),
    feeWindowBlocks: Type.Integer({
      default: 144,
      minimum: 1,
      maximum: 10_000,
      description: 'Hashprice averages the fees per block over this many heights (Luxor: 144, about a day).',
    }),
  },
  { default: {} },
);

export const PricesSettings = Type.Object(
  {
    intervalMinutes: Type.Integer({
      default: 60,
      minimum: 1,
      maximum: 1_440,
      description: 'The price sources below are read this often.',
    }),
    mempoolUrl: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description:
          'BTC in USD, EUR and five more from a mempool instance (https://mempool.space). Unset: not read.',
      }),
    ),
    cbrUrl: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description:
          "The Bank of Russia's official rates, RUB per currency (https://www.cbr.ru). Unset: not read.",
      }),
    ),
    json: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 50 }),
          url: Type.String({ pattern: '^https?://' }),
          path: Type.String({ minLength: 1, maxLength: 200 }),
          base: Type.String({ pattern: '^[A-Z]{3,5}$' }),
          quote: Type.String({ pattern: '^[A-Z]{3,5}$' }),
          rateType: Type.Enum(['market', 'official', 'sana', 'nima', 'free_market']),
          multiplier: Type.Number({ default: 1, exclusiveMinimum: 0 }),
        },
        { additionalProperties: false },
      ),
      {
        default: [],
        description:
          'Rates read as one number at a path in a JSON body ({name, url, path, base, quote, rateType, multiplier}); as JSON in the variable. For the rates no source is settled for, such as the free-market rial.',
      },
    ),
  },
  { default: {} },
);

export const DemoSettings = Type.Object(
  {
    enabled: Type.Enum(['auto', 'on', 'off'], {
      default: 'auto',
      description:
        'The demo farm (CPU miners behind emulated Antminers, a meter, the farm agent, demo logins). auto: on with the devchain and the embedded database only.',
    }),
    rigs: Type.Integer({ default: 3, minimum: 1, maximum: 20, description: 'Demo miners.' }),
    hashesPerSecond: Type.Integer({
      default: 300_000,
      minimum: 1_000,
      maximum: 50_000_000,
      description: 'What the demo miners hash together, at most: they leave the CPU to the pool.',
    }),
    shareDifficulty: Type.Number({
      default: 0.0005,
      exclusiveMinimum: 0,
      description: "The demo miners' share difficulty.",
    }),
  },
  { default: {} },
);

export const ReportsSettings = Type.Object(
  {
    signingKeyFile: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'The Ed25519 private key (PKCS#8 PEM) that signs regulator reports. Unset: dataDir/report-signing-key.pem, made on first start.',
      }),
    ),
  },
  { default: {} },
);

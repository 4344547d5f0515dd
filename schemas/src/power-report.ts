import Type, { type Static } from 'typebox';
import { Nullable, Timestamp } from './common.ts';
import { CurtailmentOrder, EnergySummary, Licence } from './farms.ts';
import { ReportCalendar, ReportLanguage } from './reports.ts';

/**
 * A regulator report as machine-readable JSON (`format: json`): the same facts as its
 * PDF and CSV, signed the same way (the pool keeps the file's SHA-256 and its Ed25519
 * signature). Amounts of coin are decimal strings of 8 places; energy in kWh, power in
 * kW, hashrate in H/s; instants in UTC with the zone the period is counted in. A figure
 * nothing measured is null, with the reason beside it, never 0.
 */

const Btc = Type.String({ pattern: '^[0-9]+\\.[0-9]{8}$', examples: ['0.00312500'] });
const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });

const MeterRegister = Type.Object({
  at: Timestamp,
  kwh: Type.Number(),
});

export const PowerReportFarm = Type.Object({
  id: Type.String(),
  name: Type.String(),
  operator: Type.String(),
  country: Nullable(Type.String()),
  region: Nullable(Type.String()),
  timezone: Type.String(),
  /** The licence or register entry it mines under, and the operator's tax id (INN in Russia). */
  licence: Licence,
  energy: EnergySummary,
  /** Each meter by the serial on it, with its register at the first and last reading of the period. */
  meters: Type.Array(
    Type.Object({
      name: Type.String(),
      serial: Nullable(Type.String()),
      first: Nullable(MeterRegister),
      last: Nullable(MeterRegister),
    }),
  ),
  devices: Type.Array(
    Type.Object({
      device: Type.String(),
      make: Type.String(),
      model: Nullable(Type.String()),
      serial: Nullable(Type.String()),
      firmware: Type.String(),
      algorithm: Type.String(),
      /** Hours it reported hashing; null when it gave no reading in the period. */
      hoursRun: Nullable(Type.Number({ minimum: 0 })),
    }),
  ),
  hashrate: Type.Object({
    /** The devices' own figures: the mean and highest of the farm's hourly totals; null with no reading. */
    deviceAverage: Nullable(Type.Number()),
    devicePeak: Nullable(Type.Number()),
    /** Measured by the pool from the shares of the workers the devices mine as; null when none is linked. */
    poolAverage: Nullable(Type.Number()),
  }),
  production: Type.Object({
    coin: Type.Literal('BTC'),
    /** Credited by the pool for the farm's work over the whole period; null when no device mines as a worker the pool knows. */
    mined: Nullable(Btc),
    /** By month of the period's calendar and by account, with the address the account is paid to. */
    credits: Type.Array(
      Type.Object({
        month: Type.String(),
        from: Timestamp,
        to: Timestamp,
        accounts: Type.Array(
          Type.Object({ account: Type.String(), address: Nullable(Type.String()), amount: Btc }),
        ),
      }),
    ),
    /** Coins sent to the farm's accounts in the period: what a filing lists as received, by address. */
    payouts: Type.Array(
      Type.Object({
        sentAt: Timestamp,
        account: Type.String(),
        address: Type.String(),
        amount: Btc,
        txid: Type.String(),
      }),
    ),
  }),
  curtailments: Type.Array(CurtailmentOrder),
});
export type PowerReportFarm = Static<typeof PowerReportFarm>;

export const PowerReport = Type.Object({
  schema: Type.Literal('hashwatt.power-report/1'),
  id: Type.String({ format: 'uuid' }),
  issuedAt: Timestamp,
  language: ReportLanguage,
  scope: Type.Union([
    Type.Object({ kind: Type.Literal('farm'), farmId: Type.String() }),
    Type.Object({
      kind: Type.Literal('jurisdiction'),
      country: Type.String(),
      regions: Type.Array(Type.String()),
    }),
  ]),
  period: Type.Object({
    from: Timestamp,
    to: Timestamp,
    /** The zone its days start in, and how its month is counted and named. */
    timezone: Type.String(),
    calendar: ReportCalendar,
    /** `YYYY-MM` in its calendar (`1405-09`), and as its reader names it (`Azar 1405`); null for a free period. */
    month: Nullable(Type.String()),
    monthName: Nullable(Type.String()),
    /** When a Russian farm's monthly FNS report of this month is due. */
    fnsDueDate: Nullable(Type.String({ format: 'date' })),
  }),
  signingKey: Type.Object({
    algorithm: Type.Literal('Ed25519'),
    fingerprint: Sha256,
    publicKey: Type.String(),
  }),
  farms: Type.Array(PowerReportFarm),
});
export type PowerReport = Static<typeof PowerReport>;

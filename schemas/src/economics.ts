import Type, { type Static } from 'typebox';
import { Hashrate, Nullable, Sats } from './common.ts';
import { EnergyBasis, Price, RateType } from './farms.ts';
import { PowerFigure } from './telemetry.ts';

const Day = Type.String({ format: 'date', examples: ['2026-10-01'] });
const Currency = Type.String({ pattern: '^[A-Z]{3,5}$', examples: ['BTC', 'USD', 'IRR', 'RUB'] });

/** Local days of the farm, `from` to `to` inclusive (at most 92), valued in `currency`. */
export const EconomicsQuery = Type.Object({
  from: Day,
  to: Day,
  currency: Currency,
  rateType: Type.Optional(RateType),
});
export type EconomicsQuery = Static<typeof EconomicsQuery>;

export const DeviceEconomicsQuery = Type.Object({
  day: Day,
  currency: Currency,
  rateType: Type.Optional(RateType),
});
export type DeviceEconomicsQuery = Static<typeof DeviceEconomicsQuery>;

const Network = Type.Object({
  height: Type.Integer({ minimum: 0 }),
  difficulty: Type.Number(),
  averageFeesSats: Type.Number(),
  /** Satoshis one TH/s was expected to earn that day, before the pool's fee. */
  hashpriceSatsPerThDay: Type.Number(),
});

/**
 * The money side of a day; null where a price, a tariff or the energy was missing
 * (`missing` says which). Never 0 for a missing figure.
 */
const Valued = {
  /** Expected revenue (hashprice × hashrate, after the pool's fee) in the currency asked. */
  revenue: Nullable(Type.Number()),
  /** The energy at the tariff, in the currency asked; of the part measured when the energy is partial. */
  powerCost: Nullable(Type.Number()),
  /** Null unless the energy of the whole day is known: a part's cost would overstate it. */
  profit: Nullable(Type.Number()),
  /** The power price per kWh, in the currency asked, at which the day would have broken even. */
  breakEvenPerKwh: Nullable(Type.Number()),
};

export const EconomicsDay = Type.Object({
  date: Day,
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  /** Null when nothing measured it: no device reading, no device mining as a worker the pool knows. */
  hashrate: Type.Object({ reported: Nullable(Hashrate), pool: Nullable(Hashrate) }),
  /** Metered energy; null when no reading covers the day, a lower bound when `energyBasis` is partial. */
  energyKwh: Nullable(Type.Number()),
  energyBasis: EnergyBasis,
  /** Metered power over the day against the reported hashrate; null unless the energy of the whole day is known. */
  joulesPerTh: Nullable(Type.Number()),
  network: Nullable(Network),
  /**
   * Hashprice × the pool-measured hashrate (the reported one when the pool saw none), after
   * the pool's fee; null when no template showed the network.
   */
  expectedSats: Nullable(Type.Number()),
  /** What the ledger credited to the farm's workers' accounts, attributed by their share of the work. */
  minedSats: Sats,
  btcPrice: Nullable(Price),
  /** The tariff's currency to the currency asked. */
  tariffRate: Nullable(Price),
  ...Valued,
  missing: Type.Array(Type.String()),
});
export type EconomicsDay = Static<typeof EconomicsDay>;

export const EconomicsTotals = Type.Object({
  /** The days' energy that is known; null when none is, a lower bound unless `energyBasis` is measured. */
  energyKwh: Nullable(Type.Number()),
  energyBasis: EnergyBasis,
  /** Of the days whose network is known; null when none is. */
  expectedSats: Nullable(Type.Number()),
  minedSats: Sats,
  ...Valued,
  /** Days left out of the money totals for a missing price, tariff or energy. */
  daysMissing: Type.Integer({ minimum: 0 }),
});
export type EconomicsTotals = Static<typeof EconomicsTotals>;

export const FarmEconomics = Type.Object({
  farmId: Type.String(),
  currency: Type.String(),
  rateType: RateType,
  poolFeePercent: Type.Number(),
  days: Type.Array(EconomicsDay),
  total: EconomicsTotals,
});
export type FarmEconomics = Static<typeof FarmEconomics>;

export const OrganisationEconomics = Type.Object({
  organisationId: Type.String(),
  currency: Type.String(),
  rateType: RateType,
  farms: Type.Array(Type.Object({ farmId: Type.String(), name: Type.String(), total: EconomicsTotals })),
  total: EconomicsTotals,
});
export type OrganisationEconomics = Static<typeof OrganisationEconomics>;

export const DeviceEconomics = Type.Object({
  deviceId: Type.String(),
  device: Type.String(),
  model: Nullable(Type.String()),
  hashrate: Type.Object({ reported: Nullable(Hashrate), pool: Nullable(Hashrate) }),
  /** Mean power the device reported that day, in W; null when it reported none. */
  powerW: Nullable(Type.Number()),
  /** The mean power its energy is counted at: reported, its nameplate's (estimated), or unknown and why. */
  power: PowerFigure,
  /** That power over the day's 24 hours, in kWh; estimated when the power is. */
  energyKwh: Nullable(Type.Number()),
  joulesPerTh: Nullable(Type.Number()),
  expectedSats: Nullable(Type.Number()),
  ...Valued,
});
export type DeviceEconomics = Static<typeof DeviceEconomics>;

export const FarmDeviceEconomics = Type.Object({
  farmId: Type.String(),
  date: Day,
  currency: Type.String(),
  /** The farm's metered cost per kWh that day, in the currency asked: what each device's energy is charged at. */
  pricePerKwh: Nullable(Type.Number()),
  network: Nullable(Network),
  devices: Type.Array(DeviceEconomics),
  missing: Type.Array(Type.String()),
});
export type FarmDeviceEconomics = Static<typeof FarmDeviceEconomics>;

/**
 * Bitcoin mining economics, pure: from network difficulty, height and fees to what a
 * hash earns, and from power and its price to what it costs. Formulas and the worked
 * example are in ../shared/domain/regulation-economics.md (4.1, 4.2); figures are
 * per TH/s per day, amounts of bitcoin in satoshis.
 */

export const SATS_PER_BTC = 100_000_000;
const HALVING_INTERVAL = 210_000;
const SECONDS_PER_DAY = 86_400;
/** Expected hashes per block at difficulty 1 (2^32, short of the exact 2^48/0xFFFF by 1.5e-5). */
export const HASHES_PER_DIFFICULTY = 2 ** 32;

/** The block subsidy at a height: 50 BTC halved every 210,000 blocks, in satoshis. */
export function subsidySats(height: number): number {
  if (!Number.isInteger(height) || height < 0) {
    throw new RangeError(`a block height is a whole number from 0, not ${String(height)}`);
  }
  const halvings = Math.floor(height / HALVING_INTERVAL);
  // After 64 halvings the shift would wrap; the subsidy is long zero by then (33 halvings).
  return halvings >= 64 ? 0 : Number(5_000_000_000n >> BigInt(halvings));
}

/** Blocks one TH/s is expected to find in a day at difficulty `difficulty`. */
export function blocksPerThDay(difficulty: number): number {
  if (!(difficulty > 0)) {
    throw new RangeError(`network difficulty must be above 0, not ${String(difficulty)}`);
  }
  return (1e12 * SECONDS_PER_DAY) / (difficulty * HASHES_PER_DIFFICULTY);
}

export interface NetworkState {
  readonly difficulty: number;
  readonly height: number;
  /** Average fees per block over the chosen window (Luxor: 144 blocks), in satoshis. */
  readonly averageFeesSats: number;
}

/** Hashprice: satoshis one TH/s is expected to earn in a day, before any pool fee. */
export function hashpriceSatsPerThDay(network: NetworkState): number {
  return blocksPerThDay(network.difficulty) * (subsidySats(network.height) + network.averageFeesSats);
}

/** What `hashrate` (H/s) is expected to earn in a day at the network's hashprice, less the pool's fee. */
export function expectedSatsPerDay(network: NetworkState, hashrate: number, poolFeePercent: number): number {
  return hashpriceSatsPerThDay(network) * (hashrate / 1e12) * (1 - poolFeePercent / 100);
}

/** The network's hashrate implied by its difficulty, in H/s (one block in 600 s on average). */
export function impliedNetworkHashrate(difficulty: number): number {
  return (difficulty * HASHES_PER_DIFFICULTY) / 600;
}

/** Energy one TH/s draws in a day at `joulesPerTh` J/TH, in kWh: e W for 24 h. */
export function kwhPerThDay(joulesPerTh: number): number {
  return (joulesPerTh * 24) / 1000;
}

/**
 * The power price at which mining stops paying, in units of `price` per kWh: a TH/s
 * earns `hashprice` a day and draws 0.024·e kWh a day at e J/TH.
 */
export function breakEvenPowerPrice(hashpricePerThDay: number, joulesPerTh: number): number {
  if (!(joulesPerTh > 0)) {
    throw new RangeError(`efficiency must be above 0 J/TH, not ${String(joulesPerTh)}`);
  }
  return hashpricePerThDay / kwhPerThDay(joulesPerTh);
}

/** J/TH from measured power (W) and hashrate (H/s); undefined while nothing hashes. */
export function joulesPerTh(powerW: number, hashrate: number): number | undefined {
  return hashrate > 0 ? powerW / (hashrate / 1e12) : undefined;
}

export interface DayEconomics {
  /** Expected satoshis for the day, after the pool's fee. */
  readonly revenueSats: number;
  readonly energyKwh: number;
  /** What the energy cost, in the tariff's currency. */
  readonly powerCost: number;
  /** Revenue valued in the tariff's currency at `btcPrice`, less the power cost. */
  readonly profit: number;
  readonly joulesPerTh: number | undefined;
  /** The power price per kWh at which this day would have broken even. */
  readonly breakEvenPrice: number | undefined;
}

/**
 * A farm's (or a device's) day: its average hashrate earning at the day's hashprice,
 * less the pool fee; its energy at the tariff's cost; valued at a BTC price in the
 * tariff's currency.
 */
export function dayEconomics(input: {
  readonly network: NetworkState;
  readonly hashrate: number;
  readonly poolFeePercent: number;
  readonly energyKwh: number;
  readonly powerCost: number;
  /** The price of one BTC in the tariff's currency. */
  readonly btcPrice: number;
}): DayEconomics {
  const revenueSats = expectedSatsPerDay(input.network, input.hashrate, input.poolFeePercent);
  const revenue = (revenueSats / SATS_PER_BTC) * input.btcPrice;
  const averagePowerW = (input.energyKwh * 1000) / 24;
  return {
    revenueSats,
    energyKwh: input.energyKwh,
    powerCost: input.powerCost,
    profit: revenue - input.powerCost,
    joulesPerTh: joulesPerTh(averagePowerW, input.hashrate),
    breakEvenPrice: input.energyKwh > 0 ? revenue / input.energyKwh : undefined,
  };
}

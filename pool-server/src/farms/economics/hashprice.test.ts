import { describe, expect, it } from 'vitest';
import {
  blocksPerThDay,
  breakEvenPowerPrice,
  dayEconomics,
  hashpriceSatsPerThDay,
  impliedNetworkHashrate,
  joulesPerTh,
  subsidySats,
} from './hashprice.ts';

/**
 * The worked example of ../shared/domain/regulation-economics.md 4.2: difficulty
 * 141,668,107,417,558 at height 933,586 (a Feb 2026 node reply), fees 0.02 BTC a
 * block, BTC at US$100,000 (illustrative).
 */
const FEB_2026 = { difficulty: 141_668_107_417_558, height: 933_586, averageFeesSats: 2_000_000 };

describe('subsidy', () => {
  it('halves every 210,000 blocks: 50, 25, … 3.125 BTC at 840,000, 1.5625 at 1,050,000', () => {
    expect(subsidySats(0)).toBe(5_000_000_000);
    expect(subsidySats(209_999)).toBe(5_000_000_000);
    expect(subsidySats(210_000)).toBe(2_500_000_000);
    expect(subsidySats(839_999)).toBe(625_000_000);
    expect(subsidySats(840_000)).toBe(312_500_000);
    expect(subsidySats(1_050_000)).toBe(156_250_000);
    expect(subsidySats(6_930_000)).toBe(0);
    expect(subsidySats(64 * 210_000)).toBe(0);
    expect(() => subsidySats(-1)).toThrow(RangeError);
    expect(() => subsidySats(1.5)).toThrow(/whole number/);
  });
});

describe('hashprice and break-even, the worked example', () => {
  it('1.420e-7 blocks per TH/s per day, 44.7 sats = $0.0447 per TH/s per day', () => {
    expect(blocksPerThDay(FEB_2026.difficulty)).toBeCloseTo(1.42e-7, 9);
    const sats = hashpriceSatsPerThDay(FEB_2026);
    expect(sats).toBeCloseTo(44.7, 1);
    expect((sats / 1e8) * 100_000).toBeCloseTo(0.0447, 4);
  });

  it('breaks even at $0.138 / 0.106 / 0.087 / 0.063 per kWh for 13.5 / 17.5 / 21.5 / 29.5 J/TH', () => {
    const usdPerThDay = (hashpriceSatsPerThDay(FEB_2026) / 1e8) * 100_000;
    expect(
      [13.5, 17.5, 21.5, 29.5].map((j) => Number(breakEvenPowerPrice(usdPerThDay, j).toFixed(3))),
    ).toEqual([0.138, 0.106, 0.087, 0.063]);
  });

  it('implies about 1,014 EH/s from the difficulty', () => {
    expect(impliedNetworkHashrate(FEB_2026.difficulty) / 1e18).toBeCloseTo(1014, 0);
  });

  it('refuses a difficulty or an efficiency that is not above zero', () => {
    expect(() => blocksPerThDay(0)).toThrow(/above 0/);
    expect(() => breakEvenPowerPrice(0.04, 0)).toThrow(/above 0 J\/TH/);
  });
});

describe('a farm day', () => {
  it('100 S21 Pros (234 TH/s, 3,510 W) for a day on FPPS at 2.5 %, power at 0.05 $/kWh', () => {
    const hashrate = 100 * 234e12;
    const energyKwh = (100 * 3_510 * 24) / 1000;
    const day = dayEconomics({
      network: FEB_2026,
      hashrate,
      poolFeePercent: 2.5,
      energyKwh,
      powerCost: energyKwh * 0.05,
      btcPrice: 100_000,
    });
    // 23,400 TH/s × 44.67 sats × 0.975 = 1,019,200 sats ≈ 0.0102 BTC ≈ $1,019.2.
    expect(day.revenueSats).toBeCloseTo(23_400 * hashpriceSatsPerThDay(FEB_2026) * 0.975, 6);
    expect(day.revenueSats / 1e8).toBeCloseTo(0.01019, 5);
    expect(day.energyKwh).toBe(8_424);
    expect(day.powerCost).toBeCloseTo(421.2, 6);
    expect(day.profit).toBeCloseTo((day.revenueSats / 1e8) * 100_000 - 421.2, 6);
    expect(day.joulesPerTh).toBeCloseTo(15, 9);
    // Revenue per kWh: the power price this day could have paid and still broken even.
    expect(day.breakEvenPrice).toBeCloseTo(((day.revenueSats / 1e8) * 100_000) / 8_424, 9);
  });

  it('has no efficiency or break-even while nothing hashes or draws', () => {
    expect(joulesPerTh(3_000, 0)).toBeUndefined();
    const idle = dayEconomics({
      network: FEB_2026,
      hashrate: 0,
      poolFeePercent: 0,
      energyKwh: 0,
      powerCost: 0,
      btcPrice: 1,
    });
    expect(idle).toMatchObject({
      revenueSats: 0,
      joulesPerTh: undefined,
      breakEvenPrice: undefined,
      profit: 0,
    });
  });
});

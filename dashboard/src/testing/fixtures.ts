import type { EnergySummary, Farm, FarmDevice, FarmSeries, MinerStats } from '@hashwatt/schemas';

/** A farm as the API gives it, with no profile set but what `fields` name. */
export function farmFixture(fields: Partial<Farm> & Pick<Farm, 'id' | 'name'>): Farm {
  return {
    organisationId: '3',
    createdAt: '2026-01-01T00:00:00.000Z',
    country: null,
    region: null,
    timezone: 'UTC',
    licence: {
      number: null,
      authority: null,
      capacityKw: null,
      validFrom: null,
      validTo: null,
      registerEntry: null,
      taxId: null,
    },
    ...fields,
  };
}

/** A period's energy that no meter reading covers, but for what `fields` say. */
export function energyFixture(
  fields: Partial<EnergySummary> & Pick<EnergySummary, 'unknownReason'>,
): EnergySummary {
  return {
    from: '2026-12-05T12:00:00.000Z',
    to: '2026-12-06T12:00:00.000Z',
    kwhTotal: null,
    peakKw: null,
    peakVsLicence: null,
    byBand: [],
    currency: null,
    cost: null,
    restricted: [],
    meterResets: 0,
    basis: 'unknown',
    costReason: null,
    coverage: { firstReadingAt: null, lastReadingAt: null, fraction: 0 },
    ...fields,
  };
}

/**
 * GET /api/farms/7/series over 24 h, one point per time of `times`: one device reporting
 * 100 TH/s and 3 kW, the pool measuring nothing, no meter; `spans` shaded.
 */
export function farmSeriesFixture(
  times: readonly string[],
  to: string,
  spans: FarmSeries['spans'],
): FarmSeries {
  return {
    farmId: '7',
    range: '24h',
    from: times[0] ?? '',
    to,
    bucketSeconds: 300,
    points: times.map((time) => ({
      time,
      reportedHashrate: 100e12,
      reportingDevices: 1,
      poolHashrate: 0,
      meterPowerW: null,
      energyKwh: null,
      devicePowerW: 3_000,
    })),
    spans,
  };
}

/** A miner as GET /api/farms/:id/devices lists it: an S19 hashing 100 TH/s, its power unknown. */
export function deviceFixture(id: string): FarmDevice {
  return {
    id,
    device: `10.0.0.${id}:4028`,
    make: 'Antminer',
    model: 'S19',
    firmware: 'stock',
    firmwareVersion: null,
    serial: null,
    mac: null,
    algorithm: 'sha256d',
    firstSeen: '2026-12-01T00:00:00.000Z',
    lastSeen: '2026-12-06T11:59:00.000Z',
    state: 'mining',
    stateEvidence: 'rpc:status mineroff=false',
    stateReason: null,
    hashrate: 100e12,
    expectedHashrate: null,
    powerW: null,
    power: { watts: null, basis: 'unknown', source: null, reason: 'the device does not report its power' },
    efficiency: { joulesPerTh: null, basis: 'unknown', reason: 'its power is unknown' },
    chipTempC: null,
    ip: `10.0.0.${id}`,
    location: { rack: null, shelf: null, slot: null },
    nominalHashrate: null,
    nominalPowerW: null,
    poolUser: null,
    poolProtocol: null,
    commands: null,
    hour: { reportedHashrate: 100e12, poolHashrate: null, gapPercent: null, alert: false },
  };
}

/** Shares by outcome of a worker or an account that sent none. */
export const NO_SHARES: MinerStats['shares'] = {
  accepted: 0,
  rejected: 0,
  stale: 0,
  duplicate: 0,
  lowDifficulty: 0,
  invalid: 0,
  rejectRate: null,
};

/**
 * An account as GET /api/miners/:account answers, with what `fields` name: no payout
 * address, no shares, nothing owed or paid, and earnings unknown (the network not seen
 * yet) on its day's hashrate.
 */
export function minerFixture(fields: Partial<MinerStats> & Pick<MinerStats, 'account'>): MinerStats {
  const hashrate = fields.hashrate ?? { tenMinutes: 0, oneHour: 0, oneDay: 0 };
  return {
    payoutAddress: null,
    hashrate,
    workers: [],
    shares: NO_SHARES,
    earnings: {
      satsPerDay: null,
      unknownReason: 'network-unknown',
      basis: {
        hashrate: hashrate.oneDay,
        hashpriceSatsPerThDay: null,
        networkDifficulty: null,
        height: null,
        feeWindowBlocks: 144,
        scheme: 'pplns',
        feePercent: 1,
      },
    },
    balance: { immature: 0, payable: 0, paid: 0 },
    payments: [],
    ...fields,
  };
}

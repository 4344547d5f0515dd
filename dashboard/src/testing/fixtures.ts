import type { EnergySummary, Farm } from '@hashwatt/schemas';

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

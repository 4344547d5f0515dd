import type { CurtailmentOrder } from '@hashwatt/schemas';
import type { Cells } from './cells.ts';
import type { ReportCell, ReportRow, ReportSection } from './document.ts';
import type { FarmFacts } from './facts.ts';
import type { ReportWords } from './words.ts';

/** One farm's part of a report: its licence, energy, hashrate, coins, devices and orders. */

const WINDOW_CLASSES = ['critical_peak', 'restricted', 'seasonal_ban'] as const;

function orderRow(order: CurtailmentOrder, cells: Cells, words: ReportWords): ReportCell[] {
  const { compliance } = order;
  const result: ReportCell =
    compliance === null
      ? { raw: 'unmeasured', shown: words.unmeasured }
      : { raw: compliance.verdict, shown: words[compliance.verdict] };
  // Nothing measured it: blank, never 0.
  const kw = (value: number | null | undefined): ReportCell =>
    value === undefined || value === null ? { raw: '', shown: '–' } : cells.number(value, 1);
  return [
    cells.dateTime(Date.parse(order.startsAt)),
    cells.dateTime(Date.parse(order.endsAt)),
    cells.number(order.reductionKw, 1),
    kw(compliance?.allowedKw),
    kw(compliance?.peakKw),
    result,
    cells.findings(compliance?.findings ?? []),
  ];
}

/**
 * What the energy figures rest on, in the report's words: the meters over the whole
 * period, part of it (how much, from when to when), or nothing (and why). `raw` keeps
 * the basis and the API's English reason for machines.
 */
function energyBasis(facts: FarmFacts, cells: Cells, words: ReportWords): ReportCell {
  const { energy } = facts;
  const said = words[energy.basis];
  const raw = energy.unknownReason === null ? energy.basis : `${energy.basis}: ${energy.unknownReason}`;
  const { firstReadingAt, lastReadingAt, fraction } = energy.coverage;
  if (energy.basis === 'measured') {
    return { raw, shown: said };
  }
  if (energy.basis === 'partial' && firstReadingAt !== null && lastReadingAt !== null) {
    const why = words.readingsCover
      .replace('{percent}', cells.number(fraction * 100, 1).shown)
      .replace('{from}', cells.dateTime(Date.parse(firstReadingAt)).shown)
      .replace('{to}', cells.dateTime(Date.parse(lastReadingAt)).shown);
    return { raw, shown: `${said}: ${why}` };
  }
  return { raw, shown: `${said}: ${facts.meters.length === 0 ? words.noMeter : words.noReading}` };
}

export function farmSection(facts: FarmFacts, cells: Cells, words: ReportWords): ReportSection {
  const { farm, energy, hashrate } = facts;
  const { licence } = farm;
  const row = (key: keyof ReportWords, value: ReportCell, unit = ''): ReportRow => ({
    key,
    label: words[key],
    value,
    unit,
  });
  const restricted = WINDOW_CLASSES.flatMap((windowClass) => {
    const inside = energy.restricted.filter((window) => window.class === windowClass);
    return inside.length === 0
      ? []
      : [
          {
            key: `energyRestricted.${windowClass}`,
            label: `${words.energyRestricted}: ${words[windowClass]}`,
            value: inside.some((window) => window.kwh === null)
              ? cells.unknown()
              : cells.number(
                  inside.reduce((sum, window) => sum + (window.kwh ?? 0), 0),
                  1,
                ),
            unit: words.kwh,
          },
        ];
  });
  const ths = (key: keyof ReportWords, hs: number | null): ReportRow =>
    hs === null ? row(key, cells.unknown()) : row(key, cells.number(hs / 1e12, 2), words.ths);
  const registerCell = (reading: { atMs: number; kwh: number } | null): ReportCell[] =>
    reading === null
      ? [cells.unknown(), cells.unknown()]
      : [cells.dateTime(reading.atMs), cells.number(reading.kwh, 1)];
  return {
    farmId: farm.id,
    heading: `${words.farm}: ${farm.name}`,
    rows: [
      row('operator', cells.text(facts.organisation)),
      row('region', cells.text(farm.region ?? farm.country)),
      row('licenceNumber', cells.text(licence.number)),
      row('licenceAuthority', cells.text(licence.authority)),
      row('licenceValidity', cells.days(licence.validFrom, licence.validTo)),
      row('registerEntry', cells.text(licence.registerEntry)),
      row('taxId', cells.text(licence.taxId)),
      licence.capacityKw === null
        ? row('licensedCapacity', cells.text(null))
        : row('licensedCapacity', cells.number(licence.capacityKw, 0), words.kw),
      row('energyBasis', energyBasis(facts, cells, words)),
      row('energyTotal', cells.maybe(energy.kwhTotal, 1), energy.kwhTotal === null ? '' : words.kwh),
      ...restricted,
      row('peakDemand', cells.maybe(energy.peakKw, 1), energy.peakKw === null ? '' : words.kw),
      energy.peakVsLicence === null
        ? row('peakVsLicence', energy.peakKw === null ? cells.unknown() : cells.text(null))
        : row('peakVsLicence', cells.number(energy.peakVsLicence * 100, 1), words.percent),
      ths('hashrateAverage', hashrate.reportedAverage),
      ths('hashratePeak', hashrate.reportedPeak),
      ths('hashratePool', hashrate.poolAverage),
      facts.minedSats === null
        ? row('mined', cells.unknown())
        : row('mined', cells.btc(facts.minedSats), words.btc),
    ],
    tables: [
      {
        key: 'meters',
        title: words.meters,
        columns: [
          { key: 'meter', label: words.meterName },
          { key: 'firstAt', label: words.firstReading },
          { key: 'firstKwh', label: `${words.registerKwh} (${words.kwh})` },
          { key: 'lastAt', label: words.lastReading },
          { key: 'lastKwh', label: `${words.registerKwh} (${words.kwh})` },
          { key: 'serial', label: words.meterSerial, wide: true },
        ],
        rows: facts.meters.map((meter) => [
          cells.text(meter.name),
          ...registerCell(meter.first),
          ...registerCell(meter.last),
          cells.text(meter.serial),
        ]),
      },
      {
        key: 'bands',
        title: words.bands,
        columns: [
          { key: 'band', label: words.band },
          { key: 'kwh', label: words.kwh },
          { key: 'price', label: `${words.price}${energy.currency === null ? '' : ` (${energy.currency})`}` },
          { key: 'cost', label: `${words.cost}${energy.currency === null ? '' : ` (${energy.currency})`}` },
        ],
        rows: energy.byBand.map((band) => [
          cells.text(band.band),
          cells.number(band.kwh, 1),
          band.pricePerKwh === null ? cells.text(null) : cells.number(band.pricePerKwh, 2),
          band.cost === null ? cells.text(null) : cells.number(band.cost, 0),
        ]),
      },
      {
        key: 'inventory',
        title: words.inventory,
        columns: [
          { key: 'make', label: words.make },
          { key: 'model', label: words.model },
          { key: 'serial', label: words.serial },
          { key: 'firmware', label: words.firmware },
          { key: 'hoursRun', label: words.hoursRun },
        ],
        rows: facts.devices.map((device) => [
          cells.text(device.make),
          cells.text(device.model),
          cells.text(device.serial),
          cells.text(device.firmware),
          cells.maybe(device.hoursRun, 1),
        ]),
      },
      {
        key: 'devices',
        title: words.devices,
        columns: [
          { key: 'model', label: words.devices },
          { key: 'count', label: '#' },
        ],
        rows: facts.devicesByModel.map((model) => [cells.text(model.model), cells.number(model.count, 0)]),
      },
      {
        key: 'credits',
        title: words.credits,
        columns: [
          { key: 'month', label: words.month },
          { key: 'account', label: words.account },
          { key: 'amount', label: `${words.amount} (${words.btc})` },
          { key: 'address', label: words.address, wide: true },
        ],
        rows: facts.credits.flatMap((month) =>
          month.accounts.map((credit) => [
            cells.month(month.month),
            cells.text(credit.account),
            cells.btc(credit.sats),
            cells.text(credit.address),
          ]),
        ),
      },
      {
        key: 'payouts',
        title: words.payouts,
        columns: [
          { key: 'sentAt', label: words.sentAt },
          { key: 'account', label: words.account },
          { key: 'amount', label: `${words.amount} (${words.btc})` },
          { key: 'address', label: words.address, wide: true },
          { key: 'txid', label: words.txid, wide: true },
        ],
        rows: facts.payouts.map((payout) => [
          cells.dateTime(payout.sentAtMs),
          cells.text(payout.account),
          cells.btc(payout.sats),
          cells.text(payout.address),
          cells.text(payout.txid),
        ]),
      },
      {
        key: 'orders',
        title: words.orders,
        columns: [
          { key: 'start', label: words.orderStart },
          { key: 'end', label: words.orderEnd },
          { key: 'reductionKw', label: `${words.orderReduction} (${words.kw})` },
          { key: 'allowedKw', label: `${words.orderAllowed} (${words.kw})` },
          { key: 'peakKw', label: `${words.orderPeak} (${words.kw})` },
          { key: 'result', label: words.orderResult },
          { key: 'reasons', label: words.orderReasons, wide: true },
        ],
        rows: facts.orders.map((order) => orderRow(order, cells, words)),
      },
    ],
  };
}

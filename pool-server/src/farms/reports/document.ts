import type { ComplianceFinding, CurtailmentOrder, ReportCalendar, ReportLanguage } from '@hashwatt/schemas';
import { findingText } from '../curtailment/compliance-findings.ts';
import type { FarmFacts, ReportFacts } from './facts.ts';
import { monthName } from './periods.ts';
import { REPORT_WORDS, reportFormats, type ReportFormats, type ReportWords } from './words.ts';
import { SATS_PER_BTC } from '../economics/hashprice.ts';
import { btcAmount } from '../production.ts';

/**
 * A regulator report as words and figures, before it is a file: the CSV and the PDF
 * are two renderings of this one document, so they can never disagree.
 */

/** A value twice: `raw` for machines (plain digits, ISO 8601), `shown` for people, in the report's language. */
export interface ReportCell {
  readonly raw: string;
  readonly shown: string;
  /** A figure the report computed (may start with a minus sign); every other cell is text. */
  readonly numeric?: true;
}

export interface ReportRow {
  readonly key: string;
  readonly label: string;
  readonly value: ReportCell;
  readonly unit: string;
}

export interface ReportTable {
  readonly key: string;
  readonly title: string;
  /** A `wide` column (an address, a transaction id) is printed on its own line under its row, whole. */
  readonly columns: readonly { readonly key: string; readonly label: string; readonly wide?: true }[];
  readonly rows: readonly (readonly ReportCell[])[];
}

export interface ReportSection {
  readonly farmId: string | null;
  readonly heading: string;
  readonly rows: readonly ReportRow[];
  readonly tables: readonly ReportTable[];
}

export interface ReportDocument {
  readonly language: ReportLanguage;
  readonly direction: 'ltr' | 'rtl';
  readonly title: string;
  readonly header: readonly ReportRow[];
  readonly sections: readonly ReportSection[];
  readonly footer: string;
  /** The key that signs it: its fingerprint and public key, printed after the footer. */
  readonly signingKey: readonly ReportRow[];
  /** What an empty table says. */
  readonly none: string;
}

export type ReportScope =
  | { readonly kind: 'farm'; readonly farmId: string }
  | { readonly kind: 'jurisdiction'; readonly country: string; readonly regions: readonly string[] };

/** What a report says of itself: its id, when and for whom it is issued, and the key that signs it. */
export interface ReportMeta {
  readonly id: string;
  readonly issuedAtMs: number;
  readonly scope: ReportScope;
  readonly language: ReportLanguage;
  /** The pool key signing it: fingerprint (hex) and raw public key (base64). */
  readonly signingKey: { readonly fingerprint: string; readonly publicKey: string };
}

const WINDOW_CLASSES = ['critical_peak', 'restricted', 'seasonal_ban'] as const;

class Cells {
  constructor(
    private readonly words: ReportWords,
    private readonly format: ReportFormats,
    private readonly calendar: ReportCalendar,
    private readonly language: ReportLanguage,
  ) {}

  /** A month of the report's calendar: `1405-09` for machines, "Azar 1405" for people. */
  month(month: string): ReportCell {
    return { raw: month, shown: monthName(month, this.calendar, this.language) };
  }

  /** What the evidence showed about an order, in the report's language; `raw` in English. */
  findings(findings: readonly ComplianceFinding[]): ReportCell {
    if (findings.length === 0) {
      return { raw: '', shown: '–' };
    }
    const format = {
      number: this.format.number,
      dateTime: (iso: string) => this.format.dateTime(Date.parse(iso)),
    };
    return {
      raw: findings.map((finding) => findingText(finding)).join('; '),
      shown: findings.map((finding) => findingText(finding, this.language, format)).join('; '),
    };
  }

  /** A calendar day, `YYYY-MM-DD`: the same day in every zone. */
  day(day: string): ReportCell {
    return { raw: day, shown: this.format.day(day) };
  }

  number(value: number, digits: number): ReportCell {
    return { raw: value.toFixed(digits), shown: this.format.number(value, digits), numeric: true };
  }

  /** A figure nothing measured: said so, never 0. */
  unknown(): ReportCell {
    return { raw: '', shown: this.words.noData };
  }

  maybe(value: number | null, digits: number): ReportCell {
    return value === null ? this.unknown() : this.number(value, digits);
  }

  /** Satoshis as bitcoin: raw exact to the satoshi. */
  btc(sats: number): ReportCell {
    return {
      raw: btcAmount(sats),
      shown: this.format.number(sats / SATS_PER_BTC, 8),
      numeric: true,
    };
  }

  text(value: string | null): ReportCell {
    return value === null ? { raw: '', shown: this.words.notSet } : { raw: value, shown: value };
  }

  date(ms: number): ReportCell {
    return { raw: new Date(ms).toISOString(), shown: this.format.date(ms) };
  }

  dateTime(ms: number): ReportCell {
    return { raw: new Date(ms).toISOString(), shown: this.format.dateTime(ms) };
  }

  /** A closed range of days, each `YYYY-MM-DD` or absent. */
  days(from: string | null, to: string | null): ReportCell {
    if (from === null && to === null) {
      return this.text(null);
    }
    const shown = (day: string | null): string => (day === null ? '…' : this.format.day(day));
    return { raw: `${from ?? ''}/${to ?? ''}`, shown: `${shown(from)} – ${shown(to)}` };
  }
}

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

function farmSection(facts: FarmFacts, cells: Cells, words: ReportWords): ReportSection {
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

function jurisdictionSection(facts: ReportFacts, cells: Cells, words: ReportWords): ReportSection {
  // A total over farms some of which have no data is no total: it says which farms it
  // lacks, with the sum of what is known beside it, and gives machines no figure.
  const total = (lacking: (farm: FarmFacts) => boolean, known: ReportCell): ReportCell => {
    const without = facts.farms.filter(lacking).map((farm) => farm.farm.name);
    return without.length === 0
      ? known
      : { raw: '', shown: `${words.noData} (${without.join(', ')}); ${known.shown}` };
  };
  const energy = (of: (farm: FarmFacts) => number): ReportCell =>
    total(
      (farm) => farm.energy.basis !== 'measured',
      cells.number(
        facts.farms.reduce((sum, farm) => sum + of(farm), 0),
        1,
      ),
    );
  return {
    farmId: null,
    heading: words.farms,
    rows: [
      { key: 'farms', label: words.farms, value: cells.number(facts.farms.length, 0), unit: '' },
      {
        key: 'energyTotal',
        label: words.energyTotal,
        value: energy((farm) => farm.energy.kwhTotal ?? 0),
        unit: words.kwh,
      },
      {
        key: 'energyRestricted',
        label: words.energyRestricted,
        value: energy((farm) => farm.energy.restricted.reduce((sum, window) => sum + (window.kwh ?? 0), 0)),
        unit: words.kwh,
      },
      {
        key: 'mined',
        label: words.mined,
        value: total(
          (farm) => farm.minedSats === null,
          cells.btc(facts.farms.reduce((sum, farm) => sum + (farm.minedSats ?? 0), 0)),
        ),
        unit: words.btc,
      },
    ],
    tables: [],
  };
}

export function composeReport(facts: ReportFacts, meta: ReportMeta): ReportDocument {
  const { period } = facts;
  const words = REPORT_WORDS[meta.language];
  const format = reportFormats(meta.language, period.timezone);
  const cells = new Cells(words, format, period.calendar, meta.language);
  // The period ends before its last instant: the last day shown is the one that instant falls in.
  const days = `${format.date(period.fromMs)} – ${format.date(period.toMs - 1)}`;
  const periodLocal: ReportCell = {
    raw: `${new Date(period.fromMs).toISOString()}/${new Date(period.toMs).toISOString()}`,
    shown:
      period.month === null
        ? `${days} (${period.timezone})`
        : `${monthName(period.month, period.calendar, meta.language)}: ${days} (${period.timezone})`,
  };
  const periodUtc: ReportCell = {
    raw: periodLocal.raw,
    shown: `${new Date(period.fromMs).toISOString()} – ${new Date(period.toMs).toISOString()}`,
  };
  const scope: ReportRow =
    meta.scope.kind === 'farm'
      ? {
          key: 'farm',
          label: words.farm,
          value: cells.text(facts.farms[0]?.farm.name ?? meta.scope.farmId),
          unit: '',
        }
      : {
          key: 'jurisdiction',
          label: words.jurisdiction,
          value: cells.text([meta.scope.country, ...meta.scope.regions].join(' ')),
          unit: '',
        };
  return {
    language: meta.language,
    direction: format.direction,
    title: words.title,
    header: [
      { key: 'reportId', label: words.reportId, value: cells.text(meta.id), unit: '' },
      scope,
      { key: 'period', label: words.periodLocal, value: periodLocal, unit: '' },
      { key: 'periodUtc', label: words.periodUtc, value: periodUtc, unit: '' },
      ...(period.month === null
        ? []
        : [{ key: 'month', label: words.month, value: cells.month(period.month), unit: '' }]),
      ...(period.dueDate === null
        ? []
        : [
            {
              key: 'fnsDue',
              label: words.fnsDue,
              value: cells.day(period.dueDate),
              unit: '',
            },
          ]),
      { key: 'issued', label: words.issued, value: cells.dateTime(meta.issuedAtMs), unit: '' },
    ],
    sections: [
      ...(meta.scope.kind === 'jurisdiction' ? [jurisdictionSection(facts, cells, words)] : []),
      ...facts.farms.map((farm) => farmSection(farm, cells, words)),
    ],
    footer: words.verify,
    signingKey: [
      {
        key: 'keyFingerprint',
        label: words.keyFingerprint,
        value: cells.text(meta.signingKey.fingerprint),
        unit: '',
      },
      { key: 'publicKey', label: words.publicKey, value: cells.text(meta.signingKey.publicKey), unit: '' },
    ],
    none: words.none,
  };
}

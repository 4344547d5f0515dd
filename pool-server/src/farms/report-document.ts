import type { CurtailmentOrder, ReportLanguage } from '@hashwatt/schemas';
import type { FarmFacts, ReportFacts } from './report-facts.ts';
import { REPORT_WORDS, reportFormats, type ReportFormats, type ReportWords } from './report-text.ts';
import { SATS_PER_BTC } from './economics.ts';

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
  readonly columns: readonly { readonly key: string; readonly label: string }[];
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

const WINDOW_CLASSES = ['critical_peak', 'restricted', 'seasonal_ban'] as const;

class Cells {
  constructor(
    private readonly words: ReportWords,
    private readonly format: ReportFormats,
  ) {}

  number(value: number, digits: number): ReportCell {
    return { raw: value.toFixed(digits), shown: this.format.number(value, digits), numeric: true };
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
    const shown = (day: string | null): string =>
      day === null ? '…' : this.format.date(Date.parse(`${day}T00:00:00Z`));
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
  ];
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
              ? cells.text(null)
              : cells.number(
                  inside.reduce((sum, window) => sum + (window.kwh ?? 0), 0),
                  1,
                ),
            unit: words.kwh,
          },
        ];
  });
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
      licence.capacityKw === null
        ? row('licensedCapacity', cells.text(null))
        : row('licensedCapacity', cells.number(licence.capacityKw, 0), words.kw),
      energy.kwhTotal === null
        ? row('energyTotal', cells.text(null))
        : row('energyTotal', cells.number(energy.kwhTotal, 1), words.kwh),
      ...restricted,
      energy.peakKw === null
        ? row('peakDemand', cells.text(null))
        : row('peakDemand', cells.number(energy.peakKw, 1), words.kw),
      energy.peakVsLicence === null
        ? row('peakVsLicence', cells.text(null))
        : row('peakVsLicence', cells.number(energy.peakVsLicence * 100, 1), words.percent),
      row('hashrateAverage', cells.number(hashrate.reportedAverage / 1e12, 2), words.ths),
      row('hashratePeak', cells.number(hashrate.reportedPeak / 1e12, 2), words.ths),
      row('hashratePool', cells.number(hashrate.poolAverage / 1e12, 2), words.ths),
      row('mined', cells.number(facts.minedSats / SATS_PER_BTC, 8), words.btc),
    ],
    tables: [
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
        key: 'orders',
        title: words.orders,
        columns: [
          { key: 'start', label: words.orderStart },
          { key: 'end', label: words.orderEnd },
          { key: 'reductionKw', label: `${words.orderReduction} (${words.kw})` },
          { key: 'allowedKw', label: `${words.orderAllowed} (${words.kw})` },
          { key: 'peakKw', label: `${words.orderPeak} (${words.kw})` },
          { key: 'result', label: words.orderResult },
        ],
        rows: facts.orders.map((order) => orderRow(order, cells, words)),
      },
    ],
  };
}

function jurisdictionSection(facts: ReportFacts, cells: Cells, words: ReportWords): ReportSection {
  // A farm whose energy is unknown adds nothing it measured.
  const sum = (of: (farm: FarmFacts) => number | null): number =>
    facts.farms.reduce((total, farm) => total + (of(farm) ?? 0), 0);
  return {
    farmId: null,
    heading: words.farms,
    rows: [
      { key: 'farms', label: words.farms, value: cells.number(facts.farms.length, 0), unit: '' },
      {
        key: 'energyTotal',
        label: words.energyTotal,
        value: cells.number(
          sum((farm) => farm.energy.kwhTotal),
          1,
        ),
        unit: words.kwh,
      },
      {
        key: 'energyRestricted',
        label: words.energyRestricted,
        value: cells.number(
          sum((farm) => farm.energy.restricted.reduce((total, window) => total + (window.kwh ?? 0), 0)),
          1,
        ),
        unit: words.kwh,
      },
      {
        key: 'mined',
        label: words.mined,
        value: cells.number(sum((farm) => farm.minedSats) / SATS_PER_BTC, 8),
        unit: words.btc,
      },
    ],
    tables: [],
  };
}

export function composeReport(
  facts: ReportFacts,
  meta: {
    readonly id: string;
    readonly issuedAtMs: number;
    readonly scope: ReportScope;
    readonly language: ReportLanguage;
    /** The pool key signing it: fingerprint (hex) and raw public key (base64). */
    readonly signingKey: { readonly fingerprint: string; readonly publicKey: string };
  },
): ReportDocument {
  const words = REPORT_WORDS[meta.language];
  const format = reportFormats(meta.language);
  const cells = new Cells(words, format);
  const period: ReportCell = {
    raw: `${new Date(facts.fromMs).toISOString()}/${new Date(facts.toMs).toISOString()}`,
    // The period ends before its last instant: the last day shown is the one that instant falls in.
    shown: `${format.date(facts.fromMs)} – ${format.date(facts.toMs - 1)}`,
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
      { key: 'period', label: words.period, value: period, unit: '' },
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

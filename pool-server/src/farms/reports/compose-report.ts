import { Cells } from './cells.ts';
import type { ReportCell, ReportDocument, ReportMeta, ReportRow, ReportSection } from './document.ts';
import type { FarmFacts, ReportFacts } from './facts.ts';
import { farmSection } from './farm-section.ts';
import { monthName } from './periods.ts';
import { REPORT_WORDS, reportFormats, type ReportWords } from './words.ts';

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

/** A report's facts as its document, in the language `meta` names. */
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

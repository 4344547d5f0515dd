import type { ComplianceFinding, ReportCalendar, ReportLanguage } from '@hashwatt/schemas';
import { findingText } from '../curtailment/compliance-findings.ts';
import { SATS_PER_BTC } from '../economics/hashprice.ts';
import { btcAmount } from '../production.ts';
import type { ReportCell } from './document.ts';
import { monthName } from './periods.ts';
import type { ReportFormats, ReportWords } from './words.ts';

/**
 * Each figure of a report as a cell: exact for machines (`raw`), and in the report's
 * language, digits and calendar for people (`shown`).
 */
export class Cells {
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

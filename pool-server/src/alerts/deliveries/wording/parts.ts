/**
 * What every language's wording is made of: each rule's parts taken once from the
 * alert's facts (read defensively: they are JSON from the database), and numbers,
 * amounts and times written the language's way. The languages' files are templates
 * over these parts and nothing else.
 */
import { ComplianceFinding, type AlertLanguage, type AlertRule } from '@hashwatt/schemas';
import Value from 'typebox/value';
import { findingText } from '../../../farms/curtailment/compliance-findings.ts';

type Facts = Readonly<Record<string, unknown>>;

function text(facts: Facts, key: string): string | undefined {
  const value = facts[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function number(facts: Facts, key: string): number | undefined {
  const value = facts[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function texts(facts: Facts, key: string): string[] {
  const value = facts[key];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Findings stored with the alert, each as the schema has it; undefined when any is not (an older alert). */
function findings(facts: Facts): ComplianceFinding[] | undefined {
  const value = facts.findings;
  return Array.isArray(value) &&
    value.length > 0 &&
    value.every((item) => Value.Check(ComplianceFinding, item))
    ? value
    : undefined;
}

/** A text that may be absent for a reason of its own (null), as opposed to missing from the facts. */
function textOrNull(facts: Facts, key: string): string | null | undefined {
  return facts[key] === null ? null : text(facts, key);
}

function time(facts: Facts, key: string): number | undefined {
  const value = text(facts, key);
  const ms = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The parts each rule's sentence is made of. */
export interface RuleParts {
  readonly 'device-silent': { readonly device: string; readonly minutes: number };
  readonly 'worker-silent': { readonly worker: string; readonly device: string };
  readonly 'temperature-high': {
    readonly device: string;
    readonly chipTempC: number;
    readonly maxChipTempC: number;
  };
  readonly 'temperature-low': {
    readonly device: string;
    readonly chipTempC: number;
    readonly minChipTempC: number;
  };
  /** At 0 rpm the fan has stopped. */
  readonly 'fan-low': { readonly device: string; readonly fanRpm: number; readonly minFanRpm: number };
  /** The fastest fan against its limit, in % of full speed or in rpm, as the firmware gave it. */
  readonly 'fan-high': {
    readonly device: string;
    readonly speed: number;
    readonly limit: number;
    readonly unit: 'percent' | 'rpm';
  };
  readonly 'hashrate-gap': { readonly device: string; readonly gapPercent: number };
  readonly 'window-starting': { readonly from: string; readonly to: string; readonly date: string };
  readonly 'curtailment-issued': {
    readonly reductionKw: number;
    readonly startsAtMs: number;
    readonly endsAtMs: number;
  };
  /** Findings worded in the reader's language; the stored English reasons for an alert kept without them. */
  readonly 'curtailment-violated': {
    readonly findings: readonly ComplianceFinding[] | null;
    readonly reasons: readonly string[];
  };
  readonly 'block-found': { readonly height: number; readonly finder: string; readonly rewardSats: number };
  readonly 'payout-sent': { readonly totalSats: number; readonly recipients: number; readonly txid: string };
  readonly 'ledger-lag': { readonly nodeId: number; readonly minutes: number };
  /** The database's own error stays as the server wrote it: it is what a search finds. */
  readonly 'timescale-job-failing': {
    readonly name: string;
    readonly hypertable: string | null;
    readonly failures: number;
    readonly lastError: string | null;
  };
}

/** Every rule is worded from its parts. */
export type WordedRule = keyof RuleParts;

/** Each present, or undefined: a sentence is made whole or not at all. */
function whole<T extends Record<string, unknown>>(parts: { [K in keyof T]: T[K] | undefined }):
  T | undefined {
  return Object.values(parts).every((part) => part !== undefined) ? (parts as T) : undefined;
}

/** Each rule's parts from the alert's facts and its opening time; undefined when a part is missing. */
export const PARTS: {
  readonly [R in WordedRule]: (facts: Facts, openedAtMs: number) => RuleParts[R] | undefined;
} = {
  'device-silent': (facts, openedAtMs) => {
    const lastSeenMs = time(facts, 'lastSeen');
    return whole({
      device: text(facts, 'device'),
      minutes:
        lastSeenMs === undefined ? undefined : Math.max(0, Math.floor((openedAtMs - lastSeenMs) / 60_000)),
    });
  },
  'worker-silent': (facts) => whole({ worker: text(facts, 'worker'), device: text(facts, 'device') }),
  'temperature-high': (facts) =>
    whole({
      device: text(facts, 'device'),
      chipTempC: number(facts, 'chipTempC'),
      maxChipTempC: number(facts, 'maxChipTempC'),
    }),
  'temperature-low': (facts) =>
    whole({
      device: text(facts, 'device'),
      chipTempC: number(facts, 'chipTempC'),
      minChipTempC: number(facts, 'minChipTempC'),
    }),
  'fan-high': (facts) => {
    const percent = number(facts, 'fanPercent');
    return whole({
      device: text(facts, 'device'),
      speed: percent ?? number(facts, 'fanRpm'),
      limit: percent === undefined ? number(facts, 'maxFanRpm') : number(facts, 'maxFanPercent'),
      unit: percent === undefined ? 'rpm' : 'percent',
    });
  },
  'fan-low': (facts) =>
    whole({
      device: text(facts, 'device'),
      fanRpm: number(facts, 'fanRpm'),
      minFanRpm: number(facts, 'minFanRpm'),
    }),
  'hashrate-gap': (facts) =>
    whole({ device: text(facts, 'device'), gapPercent: number(facts, 'gapPercent') }),
  'window-starting': (facts) =>
    whole({ from: text(facts, 'from'), to: text(facts, 'to'), date: text(facts, 'date') }),
  'curtailment-issued': (facts) =>
    whole({
      reductionKw: number(facts, 'reductionKw'),
      startsAtMs: time(facts, 'startsAt'),
      endsAtMs: time(facts, 'endsAt'),
    }),
  'curtailment-violated': (facts) => ({
    findings: findings(facts) ?? null,
    reasons: texts(facts, 'reasons'),
  }),
  'block-found': (facts) => {
    // The finder as the pool names it, account.worker; either may be empty.
    const { finder, worker } = facts;
    return whole({
      height: number(facts, 'height'),
      finder: typeof finder === 'string' && typeof worker === 'string' ? `${finder}.${worker}` : undefined,
      rewardSats: number(facts, 'reward'),
    });
  },
  'payout-sent': (facts) =>
    whole({
      totalSats: number(facts, 'total'),
      recipients: number(facts, 'recipients'),
      txid: text(facts, 'txid'),
    }),
  'ledger-lag': (facts) =>
    whole({ nodeId: number(facts, 'nodeId'), minutes: number(facts, 'waitedMinutes') }),
  'timescale-job-failing': (facts) => {
    const lastError = textOrNull(facts, 'lastError');
    return whole({
      name: text(facts, 'name'),
      hypertable: textOrNull(facts, 'hypertable'),
      failures: number(facts, 'failures'),
      // Kept short, as the English summary keeps it: a stack of SQL is for the server log.
      lastError: typeof lastError === 'string' ? lastError.slice(0, 200) : lastError,
    });
  },
};

/** The rules about one farm: their sentence follows the farm's name. */
export const FARM_RULES: ReadonlySet<AlertRule> = new Set<AlertRule>([
  'device-silent',
  'worker-silent',
  'temperature-high',
  'temperature-low',
  'fan-high',
  'fan-low',
  'hashrate-gap',
  'window-starting',
  'curtailment-issued',
  'curtailment-violated',
]);

export function farmNameOf(facts: Facts): string | undefined {
  return text(facts, 'farmName');
}

const LOCALES: Readonly<Record<AlertLanguage, string>> = { en: 'en-GB', fa: 'fa-IR', ru: 'ru-RU' };

/** Numbers, amounts and times written the language's way. */
export class Writer {
  readonly #numbers: Intl.NumberFormat;
  readonly #plain: Intl.NumberFormat;
  readonly #decimals: Intl.NumberFormat;
  readonly #btc: Intl.NumberFormat;
  readonly #time: Intl.DateTimeFormat;
  readonly #plural: Intl.PluralRules;
  readonly #language: AlertLanguage;

  constructor(language: AlertLanguage) {
    this.#language = language;
    const locale = LOCALES[language];
    this.#numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    this.#plain = new Intl.NumberFormat(locale, { maximumFractionDigits: 0, useGrouping: false });
    this.#decimals = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    this.#btc = new Intl.NumberFormat(locale, { minimumFractionDigits: 8, maximumFractionDigits: 8 });
    // UTC, said so: the pool's clock; the farm's own time is in the window's sentence.
    this.#time = new Intl.DateTimeFormat(locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'UTC',
      ...(language === 'fa' && { calendar: 'persian' }),
    });
    this.#plural = new Intl.PluralRules(locale);
  }

  count(value: number): string {
    return this.#numbers.format(value);
  }

  /** A height or a node id: a name more than an amount, never grouped. */
  ordinal(value: number): string {
    return this.#plain.format(value);
  }

  decimal(value: number): string {
    return this.#decimals.format(value);
  }

  btc(sats: number): string {
    return this.#btc.format(sats / 1e8);
  }

  time(ms: number): string {
    return `${this.#time.format(ms)} UTC`;
  }

  /** A curtailment finding, as reports word it, with this language's digits and dates. */
  finding(finding: ComplianceFinding): string {
    return findingText(finding, this.#language, {
      number: (value, fractionDigits) =>
        new Intl.NumberFormat(LOCALES[this.#language], {
          minimumFractionDigits: fractionDigits,
          maximumFractionDigits: fractionDigits,
        }).format(value),
      dateTime: (iso) => this.time(Date.parse(iso)),
    });
  }

  /** The noun's form for a count: Russian has one, few and many (1 минуту, 3 минуты, 5 минут). */
  plural(
    count: number,
    forms: { readonly one: string; readonly few?: string; readonly many?: string; readonly other: string },
  ): string {
    const category = this.#plural.select(count);
    return (
      (category === 'one' || category === 'few' || category === 'many' ? forms[category] : undefined) ??
      forms.other
    );
  }
}

/** One language's words: the notice's labels, each rule's name, and a template per worded rule. */
export interface Wording {
  readonly opened: string;
  readonly resolved: string;
  readonly labels: {
    readonly rule: string;
    readonly subject: string;
    readonly opened: string;
    readonly resolved: string;
  };
  readonly names: Readonly<Record<AlertRule, string>>;
  readonly sentences: { readonly [R in WordedRule]: (parts: RuleParts[R], write: Writer) => string };
}

/**
 * What every language's wording is made of: the alert's facts read defensively, numbers
 * and times written the language's way, and the sentence helpers the rules share.
 */
import type { AlertLanguage, AlertRule } from '@hashwatt/schemas';

/** The facts of an alert, read defensively: they are JSON from the database. */
export class Facts {
  readonly #facts: Readonly<Record<string, unknown>>;

  constructor(facts: Readonly<Record<string, unknown>>) {
    this.#facts = facts;
  }

  text(key: string): string | undefined {
    const value = this.#facts[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  number(key: string): number | undefined {
    const value = this.#facts[key];
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  }

  raw(key: string): unknown {
    return this.#facts[key];
  }

  texts(key: string): string[] {
    const value = this.#facts[key];
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  }
}

/** Numbers, amounts and times written the language's way. */
export class Writer {
  readonly #numbers: Intl.NumberFormat;
  readonly #plain: Intl.NumberFormat;
  readonly #decimals: Intl.NumberFormat;
  readonly #btc: Intl.NumberFormat;
  readonly #time: Intl.DateTimeFormat;

  constructor(language: AlertLanguage) {
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

  time(iso: string): string | undefined {
    const ms = Date.parse(iso);
    return Number.isNaN(ms) ? undefined : `${this.#time.format(ms)} UTC`;
  }
}

const LOCALES: Readonly<Record<AlertLanguage, string>> = { en: 'en-GB', fa: 'fa-IR', ru: 'ru-RU' };

export type Sentence = (facts: Facts, write: Writer) => string | undefined;

export interface Wording {
  readonly opened: string;
  readonly resolved: string;
  readonly labels: {
    readonly rule: string;
    readonly subject: string;
    readonly opened: string;
    readonly resolved: string;
  };
  readonly rules: Readonly<Record<AlertRule, { readonly name: string; readonly sentence: Sentence }>>;
}

/** "farm: sentence", or undefined when either part is missing. */
export function atFarm(facts: Facts, sentence: string | undefined): string | undefined {
  const farm = facts.text('farmName');
  return farm === undefined || sentence === undefined ? undefined : `${farm}: ${sentence}`;
}

/** Minutes from `lastSeen` to the alert's opening: what the device-silent sentence says. */
export function silentMinutes(facts: Facts, openedAt: Date): number | undefined {
  const lastSeen = facts.text('lastSeen');
  const ms = lastSeen === undefined ? Number.NaN : Date.parse(lastSeen);
  return Number.isNaN(ms) ? undefined : Math.max(0, Math.floor((openedAt.getTime() - ms) / 60_000));
}

/** A block's finder as the pool names it: account.worker. */
export function finderOf(facts: Facts): string | undefined {
  const finder = facts.raw('finder');
  const worker = facts.raw('worker');
  return typeof finder === 'string' && typeof worker === 'string' ? `${finder}.${worker}` : undefined;
}

/** Sentences that need the alert's opening time get it through the facts. */
export const OPENED_AT = '\u0000openedAt';

export function whenOpened(facts: Facts): Date {
  return new Date(facts.text(OPENED_AT) ?? 0);
}

/** The parts a sentence needs, or undefined when any is missing. */
export function all<T>(...parts: (T | undefined)[]): T[] | undefined {
  const present = parts.filter((part): part is T => part !== undefined);
  return present.length === parts.length ? present : undefined;
}

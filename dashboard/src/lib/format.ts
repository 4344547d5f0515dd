import { useTranslation } from 'react-i18next';

/**
 * Numbers, dates, hashrates and money in the reader's language, all through Intl:
 * Persian digits and the Solar Hijri calendar in Persian, Russian separators and
 * month names in Russian. No calendar or digit code of our own.
 */

export const LOCALES: Readonly<Record<string, string>> = {
  en: 'en-GB',
  fa: 'fa-IR-u-ca-persian-nu-arabext',
  ru: 'ru-RU',
};

/**
 * What stands between the parts of a label ("Hashrate · 10 minutes"). A middle dot next to
 * Persian digits reads as the Persian zero (۰), so "۱۰ · دقیقه" looks like 100 minutes:
 * Persian takes the comma its own lists use (CLDR's fa unit-list pattern "{0}،‏ {1}", with
 * the right-to-left mark that keeps a Latin part after it in order).
 */
const SEPARATORS: Readonly<Record<string, string>> = { fa: '،\u200f ' };
const MIDDLE_DOT = ' · ';

/** From this size on a card shows an amount in compact notation (58.25m, not 58,250,000). */
const COMPACT_FROM = 1_000_000;

const HASHRATE_UNITS = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s', 'PH/s', 'EH/s', 'ZH/s'] as const;
const SATS_PER_BTC = 100_000_000;

export interface Formats {
  readonly locale: string;
  readonly number: (value: number, fractionDigits?: number) => string;
  readonly percent: (value: number) => string;
  readonly hashrate: (hashesPerSecond: number) => string;
  /** A share or network difficulty: 0.01 stays 0.01, 1e-9 is 1E-9, a network's is 141.7tn. */
  readonly difficulty: (value: number) => string;
  readonly btc: (sats: number) => string;
  /** An amount in a currency; BTC, which Intl does not know, as a number and its code. */
  readonly money: (value: number, currency: string) => string;
  /**
   * An amount short enough for a figure card: from a million on in compact notation with
   * four significant digits ("IRR 5.123bn", "ریال ۵٫۱۲۳ میلیارد"); below, as `money`.
   */
  readonly compactMoney: (value: number, currency: string) => string;
  /** What separates the parts of a label in this language; `join` puts it between them. */
  readonly separator: string;
  readonly join: (parts: readonly string[]) => string;
  /** Items of a list, joined as this language joins them ("a, b and c"; Persian "a، b و c"). */
  readonly list: (items: readonly string[]) => string;
  readonly date: (value: string | number) => string;
  readonly dateTime: (value: string | number) => string;
}

const cache = new Map<string, Formats>();

export function formatsFor(language: string): Formats {
  const cached = cache.get(language);
  if (cached) {
    return cached;
  }
  const locale = LOCALES[language] ?? 'en-GB';
  const numbers = new Map<number, Intl.NumberFormat>();
  const lists = new Intl.ListFormat(locale, { type: 'conjunction', style: 'long' });
  const number = (value: number, fractionDigits = 0): string => {
    let format = numbers.get(fractionDigits);
    if (!format) {
      format = new Intl.NumberFormat(locale, {
        minimumFractionDigits: fractionDigits,
        maximumFractionDigits: fractionDigits,
      });
      numbers.set(fractionDigits, format);
    }
    return format.format(value);
  };
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  const dateTimes = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const significant = new Intl.NumberFormat(locale, { maximumSignificantDigits: 3 });
  const scientific = new Intl.NumberFormat(locale, { notation: 'scientific', maximumSignificantDigits: 3 });
  const compact = new Intl.NumberFormat(locale, { notation: 'compact', maximumSignificantDigits: 4 });
  const separator = SEPARATORS[language] ?? MIDDLE_DOT;
  const money = (value: number, currency: string): string => {
    if (currency === 'BTC') {
      return `${number(value, 8)} BTC`;
    }
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      maximumFractionDigits: currency === 'IRR' || currency === 'RUB' ? 0 : 2,
    }).format(value);
  };
  const formats: Formats = {
    locale,
    number,
    percent: (value) => percent.format(value),
    hashrate: (hashesPerSecond) => {
      let unit = 0;
      let value = hashesPerSecond;
      while (value >= 1000 && unit < HASHRATE_UNITS.length - 1) {
        value /= 1000;
        unit += 1;
      }
      return `${number(value, value < 10 ? 2 : value < 100 ? 1 : 0)} ${HASHRATE_UNITS[unit] ?? ''}`;
    },
    difficulty: (value) => {
      const size = Math.abs(value);
      if (size === 0) {
        return number(0);
      }
      // Below a millionth the zeros outnumber the digits; below 1, rounding to whole numbers would show 0.
      if (size < 1e-6) {
        return scientific.format(value);
      }
      if (size < 1) {
        return significant.format(value);
      }
      // A network's difficulty in full (141,668,107,417,558) is unreadable; a pool's d=65536 is kept exact.
      return size < 1e6 ? number(value, value % 1 === 0 ? 0 : 2) : compact.format(value);
    },
    btc: (sats) => `${number(sats / SATS_PER_BTC, 8)} BTC`,
    money,
    compactMoney: (value, currency) => {
      // BTC amounts are small numbers whose eight places are the point.
      if (currency === 'BTC' || Math.abs(value) < COMPACT_FROM) {
        return money(value, currency);
      }
      return new Intl.NumberFormat(locale, {
        style: 'currency',
        currency,
        notation: 'compact',
        maximumSignificantDigits: 4,
      }).format(value);
    },
    separator,
    join: (parts) => parts.join(separator),
    list: (items) => lists.format(items),
    date: (value) => dates.format(new Date(value)),
    dateTime: (value) => dateTimes.format(new Date(value)),
  };
  cache.set(language, formats);
  return formats;
}

export function useFormat(): Formats {
  const { i18n } = useTranslation();
  return formatsFor(i18n.language);
}

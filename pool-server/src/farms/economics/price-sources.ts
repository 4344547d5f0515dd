import type { RateType } from '@hashwatt/schemas';
import { XMLParser } from 'fast-xml-parser';
import type { Logger } from 'pino';
import type { Queryable } from '../../db/pool.ts';

/**
 * Where prices and exchange rates come from, besides an admin's hand: HTTP sources
 * that each turn one response into quotes with their own time. A source that answers
 * garbage fails with a message naming it and what was wrong; nothing of it is stored.
 */

export interface Quote {
  readonly base: string;
  readonly quote: string;
  readonly rateType: RateType;
  readonly value: number;
  readonly atMs: number;
}

export interface PriceSource {
  /** Stored as each quote's origin: which source, at which address. */
  readonly origin: string;
  fetchQuotes(): Promise<Quote[]>;
}

export class PriceSourceError extends Error {
  constructor(origin: string, problem: string, options?: ErrorOptions) {
    super(`${origin}: ${problem}`, options);
    this.name = 'PriceSourceError';
  }
}

const TIMEOUT_MS = 15_000;
const CURRENCY = /^[A-Z]{3,5}$/;

/** The body as text, in the charset the server names (header or XML declaration); windows-1251 for the Bank of Russia. */
async function fetchText(origin: string, url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: '*/*' } });
  } catch (error) {
    throw new PriceSourceError(origin, `no answer: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) {
    throw new PriceSourceError(origin, `answered HTTP ${String(response.status)}`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const declared =
    /charset=([\w-]+)/i.exec(response.headers.get('content-type') ?? '')?.[1] ??
    /^<\?xml[^>]*encoding="([\w-]+)"/i.exec(new TextDecoder('latin1').decode(bytes.subarray(0, 100)))?.[1] ??
    'utf-8';
  try {
    return new TextDecoder(declared, { fatal: true }).decode(bytes);
  } catch (error) {
    throw new PriceSourceError(origin, `the body is not valid ${declared}`, { cause: error });
  }
}

function positive(origin: string, what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new PriceSourceError(origin, `${what} is ${JSON.stringify(value)}, not a positive number`);
  }
  return value;
}

/** mempool.space `GET /api/v1/prices`: BTC in each fiat currency it lists, at its `time` (Unix seconds). */
export function mempoolPrices(baseUrl: string): PriceSource {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/v1/prices`;
  const origin = `mempool ${url}`;
  return {
    origin,
    async fetchQuotes() {
      let body: unknown;
      try {
        body = JSON.parse(await fetchText(origin, url));
      } catch (error) {
        throw error instanceof PriceSourceError
          ? error
          : new PriceSourceError(origin, 'the body is not JSON', { cause: error });
      }
      if (typeof body !== 'object' || body === null) {
        throw new PriceSourceError(origin, 'the body is not a JSON object');
      }
      const { time, ...prices } = body as Record<string, unknown>;
      const atMs = positive(origin, 'time', time) * 1000;
      const quotes = Object.entries(prices)
        .filter(([currency]) => CURRENCY.test(currency))
        .map(([currency, value]) => ({
          base: 'BTC',
          quote: currency,
          rateType: 'market' as const,
          value: positive(origin, currency, value),
          atMs,
        }));
      if (quotes.length === 0) {
        throw new PriceSourceError(origin, 'the body lists no currency');
      }
      return quotes;
    },
  };
}

/** "27.09.2023" → that day's start in Moscow (UTC+3, no daylight saving since 2014), when the rate takes effect. */
function moscowDay(origin: string, date: unknown): number {
  const match = typeof date === 'string' ? /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(date) : null;
  if (!match) {
    throw new PriceSourceError(origin, `ValCurs Date is ${JSON.stringify(date)}, not dd.mm.yyyy`);
  }
  return Date.UTC(Number(match[3]), Number(match[2]) - 1, Number(match[1])) - 3 * 3_600_000;
}

/**
 * The Bank of Russia's official rates (`XML_daily.asp`): each currency's `Value` in
 * roubles for `Nominal` units (100 AMD, 10,000 VND), with a decimal comma.
 */
export function cbrDaily(baseUrl: string): PriceSource {
  const url = `${baseUrl.replace(/\/+$/, '')}/scripts/XML_daily.asp`;
  const origin = `cbr ${url}`;
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    isArray: (name) => name === 'Valute',
  });
  return {
    origin,
    async fetchQuotes() {
      const text = await fetchText(origin, url);
      let document: { ValCurs?: { '@Date'?: unknown; Valute?: Record<string, unknown>[] } };
      try {
        document = parser.parse(text) as typeof document;
      } catch (error) {
        throw new PriceSourceError(origin, `the body is not XML: ${(error as Error).message}`, {
          cause: error,
        });
      }
      const rates = document.ValCurs;
      if (!rates?.Valute || rates.Valute.length === 0) {
        throw new PriceSourceError(origin, 'no ValCurs with Valute rates in the body');
      }
      const atMs = moscowDay(origin, rates['@Date']);
      return rates.Valute.map((valute) => {
        const code = valute.CharCode;
        if (typeof code !== 'string' || !CURRENCY.test(code)) {
          throw new PriceSourceError(origin, `a Valute has CharCode ${JSON.stringify(code)}`);
        }
        const value = positive(origin, `${code} Value`, Number(String(valute.Value).replace(',', '.')));
        const nominal = positive(origin, `${code} Nominal`, Number(valute.Nominal));
        return { base: code, quote: 'RUB', rateType: 'official' as const, value: value / nominal, atMs };
      });
    },
  };
}

export interface JsonSourceSettings {
  readonly name: string;
  readonly url: string;
  /** Dot-separated path to the number in the JSON body, e.g. `data.usd.sell`. */
  readonly path: string;
  readonly base: string;
  readonly quote: string;
  readonly rateType: RateType;
  /** Multiplies the number read: 10 for a source that quotes tomans when the rate is in rials. */
  readonly multiplier: number;
}

/**
 * One number at a path in a JSON body: for the rates no source is settled for (Iran's
 * free-market dollar, among others), configured rather than written in. Its time is the moment it was read.
 */
export function jsonSource(settings: JsonSourceSettings, now: () => number = Date.now): PriceSource {
  const origin = `${settings.name} ${settings.url}#${settings.path}`;
  return {
    origin,
    async fetchQuotes() {
      let node: unknown;
      try {
        node = JSON.parse(await fetchText(origin, settings.url));
      } catch (error) {
        throw error instanceof PriceSourceError
          ? error
          : new PriceSourceError(origin, 'the body is not JSON', { cause: error });
      }
      for (const key of settings.path.split('.')) {
        node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
      }
      const read = typeof node === 'string' ? Number(node.replaceAll(',', '')) : node;
      return [
        {
          base: settings.base,
          quote: settings.quote,
          rateType: settings.rateType,
          value: positive(origin, settings.path, read) * settings.multiplier,
          atMs: now(),
        },
      ];
    },
  };
}

/** Stores a source's quotes; one already stored (same pair, rate type, moment and origin) is kept once. */
export async function storeQuotes(db: Queryable, origin: string, quotes: readonly Quote[]): Promise<number> {
  const { rowCount } = await db.query(
    `INSERT INTO prices (base, quote, rate_type, value, at, origin)
     SELECT q.base, q.quote, q.rate_type, q.value, to_timestamp(q.at_ms / 1000), $2
       FROM jsonb_to_recordset($1::jsonb) AS q (base text, quote text, rate_type text, value numeric, at_ms double precision)
     ON CONFLICT (base, quote, rate_type, at, origin) WHERE origin NOT LIKE 'manual:%' DO NOTHING`,
    [
      JSON.stringify(
        quotes.map((quote) => ({
          base: quote.base,
          quote: quote.quote,
          rate_type: quote.rateType,
          value: quote.value,
          at_ms: quote.atMs,
        })),
      ),
      origin,
    ],
  );
  return rowCount ?? 0;
}

/**
 * Reads every source once and stores what each gave. A source that fails is logged
 * and skipped: the others' quotes still count, and the next round tries it again.
 */
export async function readPriceSources(
  db: Queryable,
  sources: readonly PriceSource[],
  log: Pick<Logger, 'info' | 'warn'>,
): Promise<{ readonly stored: number; readonly failed: number }> {
  let stored = 0;
  let failed = 0;
  for (const source of sources) {
    try {
      const quotes = await source.fetchQuotes();
      const added = await storeQuotes(db, source.origin, quotes);
      stored += added;
      log.info({ origin: source.origin, quotes: quotes.length, added }, 'prices: source read');
    } catch (error) {
      if (!(error instanceof PriceSourceError)) {
        throw error;
      }
      failed += 1;
      log.warn(
        { origin: source.origin, problem: error.message },
        'prices: source failed; its last prices stand',
      );
    }
  }
  return { stored, failed };
}

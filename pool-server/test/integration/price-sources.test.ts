/**
 * Starts: a local HTTP server answering with recorded responses of mempool.space's
 * /api/v1/prices and the Bank of Russia's XML_daily.asp (windows-1251, as cbr.ru sends
 * it; sources in test/fixtures/prices/SOURCES.md), and with broken ones; a real
 * PostgreSQL database the quotes go into, each with its time and origin.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cbrDaily,
  jsonSource,
  mempoolPrices,
  readPriceSources,
  type PriceSource,
} from '../../src/farms/economics/price-sources.ts';
import { priceAt } from '../../src/farms/economics/prices.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

const fixture = (name: string): Buffer =>
  readFileSync(path.join(import.meta.dirname, '../fixtures/prices', name));

/** path → [status, content type, body] */
const ROUTES: Record<string, [number, string, Buffer | string]> = {
  '/good/api/v1/prices': [200, 'application/json', fixture('mempool-prices.json')],
  '/good/scripts/XML_daily.asp': [
    200,
    'application/xml; charset=windows-1251',
    fixture('cbr-xml-daily-2023-09-27.xml'),
  ],
  // The same XML without a charset in the header: the declaration names windows-1251.
  '/undeclared/scripts/XML_daily.asp': [200, 'application/xml', fixture('cbr-xml-daily-2023-09-27.xml')],
  '/down/api/v1/prices': [503, 'text/html', '<html>maintenance</html>'],
  '/garbage/api/v1/prices': [200, 'application/json', '{"time": 1711854906, "USD": '],
  '/negative/api/v1/prices': [200, 'application/json', '{"time": 1711854906, "USD": -5}'],
  '/garbage/scripts/XML_daily.asp': [
    200,
    'text/html; charset=utf-8',
    '<html><body>Сервис недоступен</body></html>',
  ],
  '/bad-date/scripts/XML_daily.asp': [
    200,
    'application/xml; charset=utf-8',
    '<ValCurs Date="2023-09-27"><Valute><CharCode>USD</CharCode><Nominal>1</Nominal><Value>96,2378</Value></Valute></ValCurs>',
  ],
  '/tracker/rates.json': [200, 'application/json', '{"data":{"usd":{"sell":"58,250","buy":"58,100"}}}'],
};

describe('price sources read from recorded responses', () => {
  let server: Server;
  let base: string;
  let database: TestDatabase;
  const log = { info: () => undefined, warn: () => undefined };

  beforeAll(async () => {
    database = await createTestDatabase();
    server = createServer((request, response) => {
      const route = ROUTES[request.url ?? ''];
      if (!route) {
        response.writeHead(404).end();
        return;
      }
      const [status, type, body] = route;
      response.writeHead(status, { 'content-type': type }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await database.drop();
  });

  it('reads BTC in seven currencies from mempool, at the time it gives', async () => {
    const quotes = await mempoolPrices(`${base}/good`).fetchQuotes();
    expect(quotes).toHaveLength(7);
    expect(quotes).toContainEqual({
      base: 'BTC',
      quote: 'USD',
      rateType: 'market',
      value: 69_880,
      atMs: 1_711_854_906_000,
    });
    expect(quotes).toContainEqual({
      base: 'BTC',
      quote: 'JPY',
      rateType: 'market',
      value: 10_601_000,
      atMs: 1_711_854_906_000,
    });
  });

  it("reads the Bank of Russia's official rates in windows-1251, per unit of each currency, from that day in Moscow", async () => {
    for (const prefix of ['good', 'undeclared']) {
      const quotes = await cbrDaily(`${base}/${prefix}`).fetchQuotes();
      expect(quotes).toHaveLength(43);
      // 27.09.2023 00:00 in Moscow (UTC+3).
      const atMs = Date.UTC(2023, 8, 26, 21);
      expect(quotes).toContainEqual({
        base: 'USD',
        quote: 'RUB',
        rateType: 'official',
        value: 96.2378,
        atMs,
      });
      // 24.8221 RUB for 100 AMD; 39.9592 RUB for 10,000 VND.
      expect(quotes.find((quote) => quote.base === 'AMD')?.value).toBeCloseTo(0.248_221, 9);
      expect(quotes.find((quote) => quote.base === 'VND')?.value).toBeCloseTo(0.003_995_92, 11);
    }
  });

  it('reads one configured number from a JSON body, scaled (tomans to rials)', async () => {
    const quotes = await jsonSource(
      {
        name: 'tracker',
        url: `${base}/tracker/rates.json`,
        path: 'data.usd.sell',
        base: 'USD',
        quote: 'IRR',
        rateType: 'free_market',
        multiplier: 10,
      },
      () => 1_764_000_000_000,
    ).fetchQuotes();
    expect(quotes).toEqual([
      { base: 'USD', quote: 'IRR', rateType: 'free_market', value: 582_500, atMs: 1_764_000_000_000 },
    ]);
  });

  it('fails a broken answer with a message naming the source and the fault', async () => {
    const cases: [PriceSource, RegExp][] = [
      [mempoolPrices(`${base}/down`), /mempool .*\/down\/api\/v1\/prices: answered HTTP 503/],
      [mempoolPrices(`${base}/garbage`), /the body is not JSON/],
      [mempoolPrices(`${base}/negative`), /USD is -5, not a positive number/],
      [cbrDaily(`${base}/garbage`), /no ValCurs with Valute rates in the body/],
      [cbrDaily(`${base}/bad-date`), /ValCurs Date is "2023-09-27", not dd\.mm\.yyyy/],
      [mempoolPrices('http://127.0.0.1:9'), /no answer/],
      [
        jsonSource({
          name: 'tracker',
          url: `${base}/tracker/rates.json`,
          path: 'data.eur.sell',
          base: 'EUR',
          quote: 'IRR',
          rateType: 'free_market',
          multiplier: 1,
        }),
        /data\.eur\.sell is undefined, not a positive number/,
      ],
    ];
    for (const [source, message] of cases) {
      await expect(source.fetchQuotes()).rejects.toThrow(message);
    }
  });

  it('stores every source’s quotes once with their origin, and skips a failing source without losing the rest', async () => {
    const { db } = database;
    const warnings: unknown[] = [];
    const sources = [mempoolPrices(`${base}/good`), mempoolPrices(`${base}/down`), cbrDaily(`${base}/good`)];
    const first = await readPriceSources(db, sources, {
      ...log,
      warn: (...args: unknown[]) => warnings.push(args),
    });
    expect(first).toEqual({ stored: 7 + 43, failed: 1 });
    expect(warnings).toHaveLength(1);
    // Read again: the same quotes are not stored twice.
    expect(await readPriceSources(db, sources, log)).toEqual({ stored: 0, failed: 1 });
    const usdRub = await priceAt(
      db,
      { base: 'USD', quote: 'RUB', rateType: 'official' },
      Date.UTC(2024, 0, 1),
    );
    expect(usdRub).toMatchObject({ value: 96.2378, origin: `cbr ${base}/good/scripts/XML_daily.asp` });
    // BTC in roubles: mempool's dollar price times the official rate, each leg named.
    const btcRub = await priceAt(
      db,
      { base: 'BTC', quote: 'RUB', rateType: 'official' },
      Date.UTC(2024, 3, 1),
    );
    expect(btcRub.value).toBeCloseTo(69_880 * 96.2378, 4);
    expect(btcRub.origin).toContain('mempool');
  });
});

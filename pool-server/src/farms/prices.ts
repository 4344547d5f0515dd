import type { Price, PriceCreate, RateType } from '@hashwatt/schemas';
import type { Database } from '../db/pool.ts';
import { HwError } from '../errors.ts';

/**
 * Prices and exchange rates as they were at a moment: the latest known at or before it.
 * Every value keeps its time and origin; a pair not stored directly is converted
 * through USD (BTC→IRR = BTC→USD × USD→IRR at the rate type asked), and says so.
 */

interface PriceRow {
  readonly base: string;
  readonly quote: string;
  readonly rate_type: RateType;
  readonly value: string;
  readonly at: Date;
  readonly origin: string;
}

function priceFrom(row: PriceRow): Price {
  return {
    base: row.base,
    quote: row.quote,
    rateType: row.rate_type,
    value: Number(row.value),
    at: row.at.toISOString(),
    origin: row.origin,
  };
}

export async function addPrice(
  db: Database,
  price: PriceCreate,
  origin: string,
  nowMs: number,
): Promise<Price> {
  const { rows } = await db.query<PriceRow>(
    `INSERT INTO prices (base, quote, rate_type, value, at, origin) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING base, quote, rate_type, value::text, at, origin`,
    [
      price.base,
      price.quote,
      price.rateType ?? 'market',
      price.value,
      price.at ?? new Date(nowMs).toISOString(),
      origin,
    ],
  );
  return priceFrom(rows[0] as PriceRow);
}

async function stored(
  db: Database,
  base: string,
  quote: string,
  rateType: RateType,
  atMs: number,
): Promise<Price | undefined> {
  const { rows } = await db.query<PriceRow>(
    `SELECT base, quote, rate_type, value::text, at, origin FROM prices
      WHERE base = $1 AND quote = $2 AND rate_type = $3 AND at <= to_timestamp($4::double precision / 1000)
      ORDER BY at DESC LIMIT 1`,
    [base, quote, rateType, atMs],
  );
  const [row] = rows;
  return row && priceFrom(row);
}

/**
 * The price of `base` in `quote` at a moment. A crypto price is a market price; the
 * rate type applies to the fiat leg (USD→IRR official or free market).
 */
export async function priceAt(
  db: Database,
  pair: { readonly base: string; readonly quote: string; readonly rateType?: RateType | undefined },
  atMs: number,
): Promise<Price> {
  const rateType = pair.rateType ?? 'market';
  const direct = await stored(db, pair.base, pair.quote, rateType, atMs);
  if (direct) {
    return direct;
  }
  if (pair.base !== 'USD' && pair.quote !== 'USD') {
    const [toUsd, fromUsd] = await Promise.all([
      stored(db, pair.base, 'USD', 'market', atMs),
      stored(db, 'USD', pair.quote, rateType, atMs),
    ]);
    if (toUsd && fromUsd) {
      return {
        base: pair.base,
        quote: pair.quote,
        rateType,
        value: toUsd.value * fromUsd.value,
        // The older leg dates the product: it is no newer than that.
        at: toUsd.at < fromUsd.at ? toUsd.at : fromUsd.at,
        origin: `${pair.base}/USD ${toUsd.origin} × USD/${pair.quote} (${rateType}) ${fromUsd.origin}`,
      };
    }
  }
  throw new HwError('HW_ERR_PRICE_NOT_FOUND', undefined, 'query.base');
}

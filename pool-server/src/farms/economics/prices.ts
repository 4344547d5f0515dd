import type { Price, PriceCreate, RateType } from '@hashwatt/schemas';
import type { Queryable } from '../../db/pool.ts';
import { HwError } from '../../errors.ts';

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
  db: Queryable,
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
  db: Queryable,
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

/** A stored pair read either way: USD/IRR also answers IRR→USD, as its inverse. */
async function eitherWay(
  db: Queryable,
  base: string,
  quote: string,
  rateType: RateType,
  atMs: number,
): Promise<Price | undefined> {
  const direct = await stored(db, base, quote, rateType, atMs);
  if (direct) {
    return direct;
  }
  const inverse = await stored(db, quote, base, rateType, atMs);
  return (
    inverse && {
      ...inverse,
      base,
      quote,
      value: 1 / inverse.value,
      origin: `1 / ${quote}/${base} ${inverse.origin}`,
    }
  );
}

/** One leg at the rate type asked, or, for a pair that has only one kind of rate (BTC/USD), its market rate. */
async function leg(
  db: Queryable,
  base: string,
  quote: string,
  rateType: RateType,
  atMs: number,
): Promise<Price | undefined> {
  return (
    (await eitherWay(db, base, quote, rateType, atMs)) ??
    (rateType === 'market' ? undefined : await eitherWay(db, base, quote, 'market', atMs))
  );
}

/**
 * The price of `base` in `quote` at a moment: stored directly, as the inverse of the
 * stored pair, or through USD (BTC→IRR = BTC→USD × USD→IRR). The rate type asked
 * applies wherever such a rate exists (Iran's USD rates); a leg that has only a
 * market price (BTC/USD) uses it. The origin says which legs were used.
 */
export async function priceAt(
  db: Queryable,
  pair: { readonly base: string; readonly quote: string; readonly rateType?: RateType | undefined },
  atMs: number,
): Promise<Price> {
  const rateType = pair.rateType ?? 'market';
  if (pair.base === pair.quote) {
    return {
      base: pair.base,
      quote: pair.quote,
      rateType,
      value: 1,
      at: new Date(atMs).toISOString(),
      origin: 'identity',
    };
  }
  const found = await leg(db, pair.base, pair.quote, rateType, atMs);
  if (found) {
    return found;
  }
  if (pair.base !== 'USD' && pair.quote !== 'USD') {
    const [toUsd, fromUsd] = await Promise.all([
      leg(db, pair.base, 'USD', rateType, atMs),
      leg(db, 'USD', pair.quote, rateType, atMs),
    ]);
    if (toUsd && fromUsd) {
      return {
        base: pair.base,
        quote: pair.quote,
        rateType,
        value: toUsd.value * fromUsd.value,
        // The older leg dates the product: it is no newer than that.
        at: toUsd.at < fromUsd.at ? toUsd.at : fromUsd.at,
        origin: `${pair.base}/USD ${toUsd.origin} × USD/${pair.quote} (${fromUsd.rateType}) ${fromUsd.origin}`,
      };
    }
  }
  throw new HwError('HW_ERR_PRICE_NOT_FOUND', undefined, 'query.base');
}

/**
 * Starts: the HTTP API on a real PostgreSQL database. An admin enters prices and
 * exchange rates by hand; anyone signed in reads what held at a moment, with its
 * origin, converted through USD where the pair is not stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Price } from '@hashwatt/schemas';
import {
  farmOfOperator,
  signedInAdmin,
  startTestApi,
  type FarmOfOperator,
  type TestApi,
} from '../helpers/api.ts';

describe('prices and exchange rates', () => {
  let api: TestApi;
  let admin: Record<string, string>;
  let farm: FarmOfOperator;

  beforeAll(async () => {
    api = await startTestApi();
    admin = await signedInAdmin(api, 'admin@pool.test');
    farm = await farmOfOperator(api, 'op@farm.test');
    const enter = (payload: object) =>
      api.app.inject({ method: 'POST', url: '/api/admin/prices', headers: admin, payload });
    await enter({ base: 'BTC', quote: 'USD', value: 95_000, at: '2026-11-01T00:00:00Z' });
    await enter({ base: 'BTC', quote: 'USD', value: 100_000, at: '2026-11-20T00:00:00Z' });
    await enter({
      base: 'USD',
      quote: 'IRR',
      rateType: 'official',
      value: 285_000,
      at: '2026-11-01T00:00:00Z',
    });
    await enter({
      base: 'USD',
      quote: 'IRR',
      rateType: 'free_market',
      value: 1_050_000,
      at: '2026-11-01T00:00:00Z',
    });
  });
  afterAll(async () => {
    await api.close();
  });

  const price = (query: string) =>
    api.app.inject({ method: 'GET', url: `/api/prices?${query}`, headers: farm.operator });

  it('gives the latest price at or before the moment asked, with who entered it', async () => {
    expect((await price('base=BTC&quote=USD&at=2026-11-10T00:00:00Z')).json<Price>()).toEqual({
      base: 'BTC',
      quote: 'USD',
      rateType: 'market',
      value: 95_000,
      at: '2026-11-01T00:00:00.000Z',
      origin: 'manual:admin@pool.test',
    });
    expect((await price('base=BTC&quote=USD&at=2026-11-21T00:00:00Z')).json<Price>().value).toBe(100_000);
  });

  it('converts BTC to IRR through USD at the rate type asked, and says how', async () => {
    const official = (
      await price('base=BTC&quote=IRR&rateType=official&at=2026-11-21T00:00:00Z')
    ).json<Price>();
    expect(official.value).toBe(100_000 * 285_000);
    expect(official.origin).toBe(
      'BTC/USD manual:admin@pool.test × USD/IRR (official) manual:admin@pool.test',
    );
    expect(official.at).toBe('2026-11-01T00:00:00.000Z');
    const free = (
      await price('base=BTC&quote=IRR&rateType=free_market&at=2026-11-21T00:00:00Z')
    ).json<Price>();
    expect(free.value).toBe(100_000 * 1_050_000);
  });

  it('answers 404 for a pair it never saw, or before its first price; only an admin enters prices', async () => {
    expect((await price('base=BTC&quote=RUB')).json()).toMatchObject({ error: 'HW_ERR_PRICE_NOT_FOUND' });
    expect((await price('base=BTC&quote=USD&at=2020-01-01T00:00:00Z')).statusCode).toBe(404);
    expect((await price('base=btc&quote=USD')).json()).toMatchObject({
      error: 'HW_ERR_VALIDATION',
      field: 'query.base',
    });
    const refused = await api.app.inject({
      method: 'POST',
      url: '/api/admin/prices',
      headers: farm.operator,
      payload: { base: 'BTC', quote: 'USD', value: 1 },
    });
    expect(refused.statusCode).toBe(403);
    const zero = await api.app.inject({
      method: 'POST',
      url: '/api/admin/prices',
      headers: admin,
      payload: { base: 'BTC', quote: 'USD', value: 0 },
    });
    expect(zero.json()).toMatchObject({ error: 'HW_ERR_VALIDATION', field: 'body.value' });
  });
});

/**
 * Starts: the HTTP API on a real PostgreSQL database. Every route the API has, called
 * by an admin (who passes every role check, so the attempt reaches the queries) with
 * SQL injection in each path parameter, each query parameter and each text field of a
 * body: no answer is a 500, nothing is dropped or leaked, and text that is stored is
 * stored as the very text sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Farm } from '@hashwatt/schemas';
import type { RouteEntry } from '../../src/api/access.ts';
import { createOrganisation } from '../../src/accounts/organisations.ts';
import { createFarm } from '../../src/farms/farms.ts';
import { countRows } from '../helpers/database.ts';
import { signedInAdmin, startTestApi, type TestApi } from '../helpers/api.ts';

/** Classic payloads: quote breaking, stacked statements, unions, comments, casts, nulls. */
const PAYLOADS = [
  "' OR '1'='1",
  '1; DROP TABLE users; --',
  "1' UNION SELECT password_hash FROM users --",
  '1)) OR pg_sleep(5) IS NULL --',
  "x'::text; SELECT 1; --",
  '%27%20OR%201%3D1',
  'Robert\u0000); DROP TABLE farms;--',
];

/** A body for each route that takes one, with `text` in every free-text field. */
function bodyWith(route: RouteEntry, text: string): Record<string, unknown> | undefined {
  const bodies: Record<string, Record<string, unknown>> = {
    'POST /api/auth/login': { email: `${text}@x.test`, password: text },
    'POST /api/organisations/:id/farms': { name: text },
    'POST /api/farms/:id/api-keys': { label: text },
    'POST /api/admin/users': {
      email: 'x@x.test',
      name: text,
      password: `${text} long enough`,
      role: 'admin',
    },
    'PATCH /api/admin/users/:id': { name: text },
    'POST /api/admin/organisations': { name: text },
    'PATCH /api/farms/:id': { name: text, timezone: text },
    'POST /api/farms/:id/tariffs': { currency: text, effectiveFrom: text, defaultPricePerKwh: 1 },
    'POST /api/farms/:id/restricted-windows': {
      class: text,
      from: text,
      to: text,
      validFrom: text,
      noticeRef: text,
    },
    'POST /api/farms/:id/curtailment-orders': {
      startsAt: text,
      endsAt: text,
      reductionKw: 1,
      noticeRef: text,
    },
    'POST /api/admin/prices': { base: text, quote: 'USD', value: 1 },
    'POST /api/reports': { farmId: text, language: 'en', format: 'csv' },
    'PATCH /api/farms/:id/devices/:deviceId': { rack: text, shelf: text, slot: text },
    'POST /api/farms/:id/devices/:deviceId/commands': { action: text },
    'POST /api/farms/:id/curtailment': { action: text },
  };
  return bodies[`${route.method} ${route.url}`];
}

describe('SQL injection on every text the API takes', () => {
  let api: TestApi;
  let headers: Record<string, string>;
  let farm: Farm;
  let users: number;

  beforeAll(async () => {
    api = await startTestApi();
    const { db } = api.database;
    const organisation = await createOrganisation(db, 'Injection Co');
    farm = await createFarm(db, organisation.id, 'Target');
    headers = await signedInAdmin(api, 'admin@injection.test');
    users = await countRows(db, 'users');
  });

  afterAll(async () => {
    await api.close();
  });

  it('answers every attempt without a server error, on every route', async () => {
    const failures: string[] = [];
    // Live streams hold their connection open; their parameters are checked by the same schemas.
    const routes = api.app.routeTable.filter(
      (route) => !route.url.endsWith('/live') && route.url !== '/api/auth/logout',
    );
    expect(routes.length).toBeGreaterThan(50);
    for (const route of routes) {
      for (const payload of PAYLOADS) {
        const encoded = encodeURIComponent(payload);
        const url = route.url.replace(/:(\w+)/g, () => encoded);
        const query = `?from=${encoded}&to=${encoded}&base=${encoded}&quote=${encoded}&range=${encoded}&at=${encoded}&day=${encoded}&currency=${encoded}`;
        const body = bodyWith(route, payload);
        const response = await api.app.inject({
          method: route.method as 'GET',
          url: `${url}${query}`,
          headers,
          ...(body !== undefined && { payload: body }),
        });
        if (response.statusCode >= 500) {
          failures.push(
            `${route.method} ${route.url} with ${JSON.stringify(payload)}: ${String(response.statusCode)} ${response.body}`,
          );
        }
        // Text echoed back is the caller's own; anything else of the database's is a leak.
        const echoed = JSON.stringify(payload).slice(1, -1);
        if (/password_hash|pg_catalog|syntax error|SQLSTATE/i.test(response.body.replaceAll(echoed, ''))) {
          failures.push(
            `${route.method} ${route.url} with ${JSON.stringify(payload)} leaked: ${response.body.slice(0, 200)}`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses a NUL character, which PostgreSQL text cannot hold, naming the field', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/api/admin/organisations',
      headers,
      payload: { name: 'Hall\u0000B' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'HW_ERR_VALIDATION', field: 'body.name' });
    const inQuery = await api.app.inject({
      method: 'GET',
      url: '/api/prices?base=BTC%00&quote=USD',
      headers,
    });
    expect(inQuery.json()).toMatchObject({ error: 'HW_ERR_VALIDATION', field: 'query.base' });
  });

  it('keeps every table and stores free text exactly as it was sent', async () => {
    const { db } = api.database;
    const tables = await db.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('users', 'farms', 'shares', 'reports')",
    );
    expect(tables.rows.map((row) => row.name).sort()).toEqual(['farms', 'reports', 'shares', 'users']);
    // One admin made per payload by POST /admin/users at most (the email repeats, so one in all).
    const now = await countRows(db, 'users');
    expect(now).toBeLessThanOrEqual(users + 1);
    // Every payload became an organisation's name as sent, but the one with a NUL, refused (400).
    const stored = PAYLOADS.filter((payload) => !payload.includes('\u0000'));
    const named = await db.query<{ name: string }>('SELECT name FROM organisations WHERE name = ANY($1)', [
      stored,
    ]);
    expect(named.rows.map((row) => row.name).sort()).toEqual([...stored].sort());
    const key = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${farm.id}/api-keys`,
      headers,
      payload: { label: PAYLOADS[1] },
    });
    expect(key.json<{ apiKey: { label: string } }>().apiKey.label).toBe(PAYLOADS[1]);
  });
});

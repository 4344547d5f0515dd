/**
 * Starts: the HTTP API on a real PostgreSQL database. Generated bodies (fast-check: any
 * JSON, any shape, wrong types, deep nesting, huge strings) and generated raw bytes sent
 * to every route that takes a body, by an admin: every answer is a clear error or a
 * success, never a server error, and the API still answers afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganisation } from '../../src/accounts/organisations.ts';
import { createFarm } from '../../src/farms/farms.ts';
import { signedInAdmin, startTestApi, type TestApi } from '../helpers/api.ts';
import { anyJson as json } from '../helpers/hostile-stratum.ts';

describe('generated bodies against every route that takes one', () => {
  let api: TestApi;
  let headers: Record<string, string>;
  let farmId: string;

  beforeAll(async () => {
    api = await startTestApi();
    const { db } = api.database;
    const organisation = await createOrganisation(db, 'Fuzz Co');
    farmId = (await createFarm(db, organisation.id, 'Fuzz Farm')).id;
    headers = await signedInAdmin(api, 'admin@fuzz.test');
  });

  afterAll(async () => {
    await api.close();
  });

  it('answers any JSON and any bytes without a server error', async () => {
    const routes = api.app.routeTable.filter(
      (route) => ['POST', 'PATCH', 'PUT'].includes(route.method) && route.url !== '/api/auth/logout',
    );
    expect(routes.length).toBeGreaterThan(15);
    const failures: string[] = [];
    for (const route of routes) {
      const url = route.url.replace(/:(\w+)/g, () => farmId);
      await fc
        .assert(
          fc.asyncProperty(
            fc.oneof(
              json.map((body) => ({ type: 'application/json', payload: JSON.stringify(body) })),
              fc
                .uint8Array({ maxLength: 300 })
                .map((bytes) => ({ type: 'application/json', payload: Buffer.from(bytes) })),
              fc.integer({ min: 1_000, max: 20_000 }).map((depth) => ({
                type: 'application/json',
                payload: `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
              })),
            ),
            async ({ type, payload }) => {
              const response = await api.app
                .inject({
                  method: route.method as 'POST',
                  url,
                  headers: { ...headers, 'content-type': type },
                  payload,
                })
                .catch((error: unknown) => {
                  failures.push(`${route.method} ${route.url}: threw ${String(error)}`);
                  throw error;
                });
              if (response.statusCode >= 500) {
                failures.push(
                  `${route.method} ${route.url}: ${String(response.statusCode)} ${response.body.slice(0, 200)}`,
                );
              }
              return response.statusCode < 500;
            },
          ),
          { numRuns: 40 },
        )
        .catch(() => undefined);
    }
    expect(failures).toEqual([]);
    expect((await api.app.inject({ method: 'GET', url: '/api/pool' })).statusCode).toBe(200);
  });

  it('refuses a body nested past any request the API takes, naming where', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/api/admin/organisations',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: `{"name":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: 'HW_ERR_VALIDATION',
      message: 'Nested deeper than 32 levels.',
    });
  });
});

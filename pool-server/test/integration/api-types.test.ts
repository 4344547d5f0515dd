/**
 * Starts: the HTTP API on a real PostgreSQL database. A JSON body's types are exact:
 * every number, integer and boolean field of every route that takes a body is sent as
 * text ("50", "true") and refused with 400, naming the field; the text parts of a
 * request (query strings, path parameters) are still converted, strictly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/accounts/api-keys.ts';
import { createOrganisation } from '../../src/accounts/organisations.ts';
import { createFarm } from '../../src/farms/farms.ts';
import { signedInAdmin, startTestApi, type TestApi } from '../helpers/api.ts';
import { bareSample } from '../helpers/samples.ts';

interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly items?: JsonSchema;
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
}

interface OpenApi {
  readonly paths: Readonly<
    Record<
      string,
      Readonly<Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>
    >
  >;
}

const AT = '2026-11-01T00:00:00Z';

/** A body each route accepts as far as its schema goes, with every optional part that holds a typed field. */
const VALID_BODIES: Readonly<Record<string, unknown>> = {
  'POST /api/auth/login': { email: 'someone@pool.test', password: 'a password long enough' },
  'POST /api/organisations/:id/farms': { name: 'Farm' },
  'PATCH /api/farms/:id': { licence: {} },
  'PATCH /api/farms/:id/alert-thresholds': {
    silentMinutes: 15,
    minChipTempC: 5,
    maxChipTempC: 95,
    minFanRpm: 800,
    maxFanRpm: 7_000,
    maxFanPercent: 95,
    gapPercent: 12,
    windowLeadMinutes: 45,
  },
  'POST /api/farms/:id/curtailment-orders': { startsAt: AT, endsAt: AT, reductionKw: 500 },
  'POST /api/farms/:id/tariffs': {
    currency: 'IRR',
    effectiveFrom: '2026-01-01',
    defaultPricePerKwh: 8_287,
    bands: [{ name: 'peak', pricePerKwh: 9_000, windows: [{ from: '19:00', to: '23:00', months: [6] }] }],
  },
  'PUT /api/farms/:id/tariffs/:tariffId': {
    currency: 'IRR',
    effectiveFrom: '2026-01-01',
    defaultPricePerKwh: 8_287,
    bands: [{ name: 'peak', pricePerKwh: 9_000, windows: [{ from: '19:00', to: '23:00', months: [6] }] }],
  },
  'POST /api/farms/:id/restricted-windows': {
    class: 'critical_peak',
    from: '19:00',
    to: '23:00',
    validFrom: '2026-06-21',
  },
  'PATCH /api/farms/:id/devices/:deviceId': { rack: 'A1' },
  'POST /api/farms/:id/devices/:deviceId/commands': { action: 'set-power-target', params: {} },
  'POST /api/farms/:id/curtailment': { action: 'sleep', staggerMinutes: 5 },
  'POST /api/farms/:id/api-keys': { label: 'key' },
  'POST /api/reports': { language: 'en', format: 'csv' },
  'POST /api/agent/telemetry': {
    batchId: '00000000-0000-4000-8000-000000000001',
    agentVersion: 'test',
    miners: [
      {
        ...bareSample('10.0.4.17:4028', AT),
        rawHashrate: { value: 110, unit: 'TH/s', field: 'GHS 5s' },
        boards: [{ slot: 0 }],
        fans: [{ id: 0 }],
        pools: [
          { index: 0, url: 'stratum+tcp://pool.test:3333', user: 'farm.rig', active: true, alive: true },
        ],
        shares: { accepted: 1, rejected: 0 },
        gpus: [{ index: 0 }],
        commands: [{ action: 'sleep', supported: true }],
        stateReason: { code: 'starting', uptimeSeconds: 300, pools: 1 },
      },
    ],
    meters: [{ meter: 'main', at: AT, energyWh: 1000, powerW: 10 }],
    dropped: 0,
  },
  'POST /api/agent/commands/:commandId/outcome': { status: 'done', message: 'rebooted' },
  'POST /api/admin/users': {
    email: 'new@pool.test',
    name: 'New',
    password: 'a password long enough',
    role: 'admin',
  },
  'PATCH /api/admin/users/:id': { name: 'Renamed' },
  'POST /api/admin/organisations': { name: 'Org' },
  'PATCH /api/admin/organisations/:id': { requireTwoFactor: false },
  'PATCH /api/admin/settings': { feePercent: 1.5 },
  'POST /api/admin/prices': { base: 'BTC', quote: 'USD', value: 100_000 },
  'POST /api/alerts/subscriptions': {
    channel: 'email',
    target: 'ops@pool.test',
    rules: ['device-silent'],
    sendResolved: true,
  },
};

/** Where a field sits in a body: property names and, inside arrays, index 0. */
type FieldPath = readonly (string | number)[];

/** Every number, integer and boolean field a schema declares, with what it declares. */
function typedFields(schema: JsonSchema, path: FieldPath = []): { path: FieldPath; schema: JsonSchema }[] {
  const types = typeof schema.type === 'string' ? [schema.type] : (schema.type ?? []);
  if (types.includes('object')) {
    return Object.entries(schema.properties ?? {}).flatMap(([name, child]) =>
      typedFields(child, [...path, name]),
    );
  }
  if (types.includes('array')) {
    return schema.items ? typedFields(schema.items, [...path, 0]) : [];
  }
  const typed =
    types.some((type) => ['number', 'integer', 'boolean'].includes(type)) && !types.includes('string');
  return typed ? [{ path, schema }] : [];
}

/** `body` with the field at `path` replaced by `value`; undefined when the field's parent is absent. */
function withField(body: unknown, path: FieldPath, value: unknown): unknown {
  const copy: unknown = structuredClone(body);
  let parent = copy;
  for (const step of path.slice(0, -1)) {
    parent = (parent as Record<string | number, unknown> | undefined)?.[step];
  }
  if (parent === null || typeof parent !== 'object') {
    return undefined;
  }
  (parent as Record<string | number, unknown>)[path[path.length - 1] ?? ''] = value;
  return copy;
}

/** The value a field might hold, as text: the valid body's own, or the least the schema allows. */
function asText(body: unknown, path: FieldPath, schema: JsonSchema): string {
  let value: unknown = body;
  for (const step of path) {
    value = (value as Record<string | number, unknown> | undefined)?.[step];
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (schema.type === 'boolean') {
    return 'true';
  }
  return String(schema.minimum ?? (schema.exclusiveMinimum ?? 0) + 1);
}

describe('exact types in bodies, strict conversion in query strings', () => {
  let api: TestApi;
  let admin: Record<string, string>;
  let agent: Record<string, string>;
  let doc: OpenApi;

  beforeAll(async () => {
    api = await startTestApi();
    const { db } = api.database;
    const organisation = await createOrganisation(db, 'Types Co');
    const farm = await createFarm(db, organisation.id, 'Types Farm');
    agent = { authorization: `Bearer ${(await createApiKey(db, farm.id, 'agent')).key}` };
    admin = await signedInAdmin(api, 'admin@types.test');
    await api.app.ready();
    doc = api.app.swagger() as unknown as OpenApi;
  });

  afterAll(async () => {
    await api.close();
  });

  function schemaOf(method: string, url: string): JsonSchema | undefined {
    const openApiPath = url.replace(/:(\w+)/g, '{$1}');
    return doc.paths[openApiPath]?.[method.toLowerCase()]?.requestBody?.content['application/json']?.schema;
  }

  async function send(method: string, url: string, payload: unknown) {
    const response = await api.app.inject({
      method: method as 'POST',
      url: url.replace(/:(\w+)/g, '1'),
      headers: url.startsWith('/api/agent/') ? agent : admin,
      payload: payload as Record<string, unknown>,
    });
    return {
      status: response.statusCode,
      body: response.json<{ error?: string; field?: string; message?: string }>(),
    };
  }

  it('refuses every number, integer and boolean field of every body sent as text, naming it', async () => {
    const routes = api.app.routeTable.filter((route) => ['POST', 'PATCH', 'PUT'].includes(route.method));
    const wrong: string[] = [];
    const checked: string[] = [];
    for (const route of routes) {
      const key = `${route.method} ${route.url}`;
      const valid = VALID_BODIES[key];
      const fields = typedFields(schemaOf(route.method, route.url) ?? {});
      if (fields.length > 0 && valid === undefined) {
        wrong.push(`${key}: has typed fields; add a body it accepts to VALID_BODIES`);
      }
      for (const field of fields) {
        const name = ['body', ...field.path].join('.');
        const body = withField(valid, field.path, asText(valid, field.path, field.schema));
        if (body === undefined) {
          wrong.push(`${key} ${name}: the valid body lacks its parent`);
          continue;
        }
        const { status, body: answer } = await send(route.method, route.url, body);
        checked.push(`${key} ${name}`);
        if (status !== 400 || answer.error !== 'HW_ERR_VALIDATION' || answer.field !== name) {
          wrong.push(`${key} ${name}: ${String(status)} ${JSON.stringify(answer)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    // Every area's typed fields: settings, tariffs, telemetry, commands, prices, users, organisations.
    expect(checked.length).toBeGreaterThan(30);
  });

  it('says which field and which type in the message', async () => {
    const { status, body } = await send('PATCH', '/api/admin/settings', { feePercent: '50' });
    expect(status).toBe(400);
    expect(body).toEqual({
      error: 'HW_ERR_VALIDATION',
      field: 'body.feePercent',
      message: 'body.feePercent must be number',
    });
  });

  it('converts nothing else either: numbers to text, 1 to true, null to anything', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/admin/organisations', { name: 42 }, 'body.name'],
      ['POST', '/api/admin/organisations', { name: 'Org', requireTwoFactor: 1 }, 'body.requireTwoFactor'],
      ['PATCH', '/api/admin/settings', { payoutsEnabled: 'false' }, 'body.payoutsEnabled'],
      ['PATCH', '/api/admin/settings', { feePercent: null }, 'body.feePercent'],
      ['POST', '/api/admin/prices', { base: 'BTC', quote: 'USD', value: [5] }, 'body.value'],
      ['POST', '/api/admin/prices', { base: 'BTC', quote: 'USD', value: true }, 'body.value'],
    ];
    for (const [method, url, payload, field] of cases) {
      const { status, body } = await send(method, url, payload);
      expect({ status, field: body.field }, JSON.stringify(payload)).toEqual({ status: 400, field });
    }
  });

  it('still reads numbers from a query string, and only numbers', async () => {
    const page = await api.app.inject({ method: 'GET', url: '/api/pool/blocks?limit=50&before=7' });
    expect(page.statusCode).toBe(200);
    for (const limit of ['abc', '0x10', '%2010', '1e400', '5.5', '']) {
      const response = await api.app.inject({ method: 'GET', url: `/api/pool/blocks?limit=${limit}` });
      expect(response.statusCode, limit).toBe(400);
      expect(response.json<{ field: string }>().field, limit).toBe('query.limit');
    }
  });
});

/**
 * Starts: the HTTP API on a real PostgreSQL database (inject() for plain routes, a real
 * HTTP connection for the live streams). Every route x every caller, as DESIGN.md's
 * roles table says: allowed, or refused with the right status; an operator of one
 * organisation never reaches another's things.
 */
import { issueReport, reportFile } from '../../src/farms/reports/issued-reports.ts';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserCreate } from '@hashwatt/schemas';
import type { Access, RouteEntry } from '../../src/api/access.ts';
import { createApiKey } from '../../src/accounts/api-keys.ts';
import { createOrganisation } from '../../src/accounts/organisations.ts';
import { createUser } from '../../src/accounts/users.ts';
import { createSubscription } from '../../src/alerts/subscriptions.ts';
import { queueCommand, takeDueCommands } from '../../src/farms/curtailment/device-commands.ts';
import { createFarm, updateFarm } from '../../src/farms/farms.ts';
import { createOrder } from '../../src/farms/curtailment/orders.ts';
import { addFarmWindow, addTariff } from '../../src/farms/energy/tariffs.ts';
import { addPrice } from '../../src/farms/economics/prices.ts';
import { ingestTelemetry } from '../../src/farms/telemetry-ingest.ts';
import { ShareStore } from '../../src/ledger/share-store.ts';
import { signInAs, startTestApi, type TestApi } from '../helpers/api.ts';
import { MINER_ADDRESS } from '../helpers/pool.ts';
import { ORDINARY_SHARE } from '../helpers/share-writer.ts';
import { bareSample } from '../helpers/samples.ts';

const PASSWORD = 'a password long enough';

type CallerName =
  'anonymous' | 'miner' | 'operatorA' | 'operatorB' | 'regulatorIR' | 'regulatorRU' | 'admin' | 'agentA';
const CALLERS: readonly CallerName[] = [
  'anonymous',
  'miner',
  'operatorA',
  'operatorB',
  'regulatorIR',
  'regulatorRU',
  'admin',
  'agentA',
];

/**
 * A user's own second factor and password: what these answer depends on the caller's
 * secrets (two-factor.test.ts and sign-in.test.ts try each). Here only the door is
 * checked: any answer but an access refusal counts as let in.
 */
const OWN_SECOND_FACTOR = /^\/api\/auth\/(login\/two-factor|two-factor|password)/;
const ACCESS_REFUSALS = new Set([
  'HW_ERR_UNAUTHENTICATED',
  'HW_ERR_ROLE_FORBIDDEN',
  'HW_ERR_CSRF',
  'HW_ERR_TWO_FACTOR_REQUIRED',
]);

/**
 * Set-up signs in each caller and the walk checks passwords, each a deliberately slow
 * hash; on a machine busy with other tests that alone can pass the default 30 s. Not a bound.
 */
const SIGN_IN_HEAVY_MS = 180_000;

/** The roles table: 'allowed', or the status a refusal gets. Farm A is licensed in Iran (IR-08). */
function expected(
  access: Access,
  caller: CallerName,
  route: { readonly method: string; readonly url: string },
): 'allowed' | 401 | 403 | 404 {
  const { url } = route;
  if (access === 'regulator' && url.includes(':id') && caller === 'regulatorRU') {
    // Another jurisdiction's farm does not exist, as far as this regulator can tell.
    return 404;
  }
  const signedIn = !['anonymous', 'miner', 'agentA'].includes(caller);
  const anonymous = caller === 'anonymous' || caller === 'miner';
  switch (access) {
    case 'public':
      return 'allowed';
    case 'user': {
      // A report about farm A, or issuing one: as if absent for those who may not see farm A.
      const aboutFarmA =
        url.startsWith('/api/reports/:id') || (route.method === 'POST' && url === '/api/reports');
      if (signedIn && aboutFarmA && (caller === 'operatorB' || caller === 'regulatorRU')) {
        return 404;
      }
      return signedIn ? 'allowed' : anonymous ? 401 : 403;
    }
    case 'operator':
      if (caller === 'admin' || caller === 'operatorA') {
        return 'allowed';
      }
      // Alert subscriptions are the caller's own: operator B has its own list and makes its own,
      // and organisation A's subscription (the one a delete names) does not exist for it.
      if (caller === 'operatorB' && url.startsWith('/api/alerts/') && route.method !== 'DELETE') {
        return 'allowed';
      }
      // Another organisation's things do not exist, as far as operator B can tell.
      return caller === 'operatorB' ? 404 : anonymous ? 401 : 403;
    case 'regulator':
      return caller === 'admin' || caller.startsWith('regulator') ? 'allowed' : anonymous ? 401 : 403;
    case 'admin':
      return caller === 'admin' ? 'allowed' : anonymous ? 401 : 403;
    case 'agent':
      return caller === 'agentA' ? 'allowed' : anonymous ? 401 : 403;
  }
}

describe('who may call what', () => {
  let api: TestApi;
  const headers = new Map<CallerName, Record<string, string>>();
  const ids: Record<string, string> = {};
  let sequence = 0;
  let issuedFile: Buffer = Buffer.alloc(0);
  /** Organisation A's alert subscriptions: each caller's delete names one of its own, unspent. */
  const alertSubscriptions: string[] = [];
  /** Farm A's tariffs, windows and future orders: each call that removes one names its own, unspent. */
  const spendable: Record<'tariffId' | 'windowId' | 'orderId', string[]> = {
    tariffId: [],
    windowId: [],
    orderId: [],
  };

  beforeAll(async () => {
    api = await startTestApi();
    const { db } = api.database;
    const orgA = await createOrganisation(db, 'Org A');
    const orgB = await createOrganisation(db, 'Org B');
    const people: Record<string, Omit<UserCreate, 'name' | 'password'>> = {
      admin: { email: 'admin@pool.test', role: 'admin' },
      operatorA: { email: 'op-a@farm-a.test', role: 'operator', organisationId: orgA.id },
      operatorB: { email: 'op-b@farm-b.test', role: 'operator', organisationId: orgB.id },
      regulatorIR: {
        email: 'grid@tavanir.test',
        role: 'regulator',
        jurisdiction: { country: 'IR', regions: ['IR-08'] },
      },
      regulatorRU: {
        email: 'grid@minenergo.test',
        role: 'regulator',
        jurisdiction: { country: 'RU', regions: [] },
      },
    };
    for (const [name, person] of Object.entries(people)) {
      await createUser(db, { ...person, name, password: PASSWORD });
      const session = await signInAs(api.app, person.email, PASSWORD);
      headers.set(name as CallerName, { cookie: session.cookie, 'x-csrf-token': session.csrf });
    }
    const target = await createUser(db, {
      email: 'someone@farm-a.test',
      name: 'Someone',
      password: PASSWORD,
      role: 'operator',
      organisationId: orgA.id,
    });
    const farmA = await createFarm(db, orgA.id, 'Farm A');
    await updateFarm(db, farmA.id, { country: 'IR', region: 'IR-08', timezone: 'Asia/Tehran' });
    await createFarm(db, orgB.id, 'Farm B');
    const agentKey = await createApiKey(db, farmA.id, 'agent');
    const oldKey = await createApiKey(db, farmA.id, 'old agent');
    headers.set('anonymous', {});
    headers.set('miner', {});
    headers.set('agentA', { authorization: `Bearer ${agentKey.key}` });
    await new ShareStore(db).store({
      id: '00000000-0000-4000-8000-00000000a11e',
      nodeId: 0,
      shares: [
        {
          timeMs: api.clock.ms - 60_000,
          account: MINER_ADDRESS,
          worker: 'rig1',
          payoutAddress: MINER_ADDRESS,
          difficulty: 1_000,
          achieved: 2_000,
          ...ORDINARY_SHARE,
        },
      ],
      rejects: [],
    });
    await ingestTelemetry(db, farmA.id, {
      batchId: '00000000-0000-4000-8000-0000000000d1',
      agentVersion: 'test',
      miners: [bareSample('10.0.4.17:4028', new Date(api.clock.ms).toISOString())],
      meters: [],
      dropped: 0,
    });
    const { rows: devices } = await db.query<{ id: string }>('SELECT id::text FROM devices');
    const device = devices[0]?.id ?? '';
    // One command already handed to the agent, for the route that closes it.
    const handedOut = await queueCommand(db, farmA.id, device, {
      action: 'reboot',
      params: {},
      userId: target.id,
      nowMs: api.clock.ms,
    });
    await takeDueCommands(db, farmA.id, api.clock.ms, 600);
    await addPrice(db, { base: 'BTC', quote: 'USD', value: 100_000 }, 'test', api.clock.ms - 60_000);
    const report = await issueReport(
      db,
      api.reportSigner,
      {
        scope: { kind: 'farm', farmId: farmA.id },
        period: { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' },
        language: 'en',
        format: 'csv',
        issuedBy: target.id,
      },
      api.clock.ms,
    );
    issuedFile = (await reportFile(db, { kind: 'all' }, report.id)).content;
    for (const caller of CALLERS) {
      const made = await createSubscription(
        db,
        { channel: 'email', target: `${caller}@farm-a.test`, rules: ['block-found'] },
        { organisationId: orgA.id },
        target.id,
        api.alertSecrets,
      );
      alertSubscriptions.push(made.subscription.id);
    }
    for (const [index] of CALLERS.entries()) {
      const day = `2025-01-${String(index + 1).padStart(2, '0')}`;
      const tariff = await addTariff(
        db,
        farmA.id,
        { currency: 'IRR', effectiveFrom: day, defaultPricePerKwh: 8_287, bands: [] },
        target.id,
      );
      spendable.tariffId.push(tariff.id);
      const window = await addFarmWindow(
        db,
        farmA.id,
        { class: 'restricted', from: '19:00', to: '23:00', validFrom: day },
        target.id,
      );
      spendable.windowId.push(window.id);
      const order = await createOrder(
        db,
        farmA.id,
        {
          startsAt: new Date(api.clock.ms + 3_600_000).toISOString(),
          endsAt: new Date(api.clock.ms + 7_200_000).toISOString(),
          reductionKw: 100,
        },
        { userId: target.id, nowMs: api.clock.ms },
      );
      spendable.orderId.push(order.id);
    }
    const corrected = await addTariff(
      db,
      farmA.id,
      { currency: 'IRR', effectiveFrom: '2024-01-01', defaultPricePerKwh: 8_287, bands: [] },
      target.id,
    );
    Object.assign(ids, {
      tariff: corrected.id,
      report: report.id,
      reportDigest: report.sha256,
      device,
      command: handedOut.id,
      organisation: orgA.id,
      farm: farmA.id,
      user: target.id,
      key: oldKey.apiKey.id,
      account: MINER_ADDRESS,
    });
  }, SIGN_IN_HEAVY_MS);
  afterAll(async () => {
    await api.close();
  });

  function urlOf(route: RouteEntry): string {
    const id = route.url.startsWith('/api/alerts/subscriptions/')
      ? alertSubscriptions.shift()
      : route.url.includes('/organisations/')
        ? ids.organisation
        : route.url.includes('/farms/')
          ? ids.farm
          : route.url.includes('/reports/')
            ? ids.report
            : ids.user;
    const path = route.url
      .replace(':id', id ?? '')
      .replace(':sha256', ids.reportDigest ?? '')
      .replace(':keyId', ids.key ?? '')
      .replace(':deviceId', ids.device ?? '')
      .replace(':commandId', ids.command ?? '')
      .replace(':account', ids.account ?? '')
      .replace(':worker', 'rig1')
      // A correction (PUT) keeps its tariff: every caller names the same one.
      .replace(/:(tariffId|windowId|orderId)/, (_, name: keyof typeof spendable) =>
        route.method === 'PUT' ? (ids.tariff ?? '') : (spendable[name].shift() ?? ''),
      );
    // Energy is asked for a period, a price for a pair.
    if (route.url.endsWith('/energy')) {
      return `${path}?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z`;
    }
    if (route.url.endsWith('economics')) {
      return route.url.endsWith('/device-economics')
        ? `${path}?day=2026-11-01&currency=USD`
        : `${path}?from=2026-11-01&to=2026-11-02&currency=USD`;
    }
    if (route.url.endsWith('/audit-log/export')) {
      return `${path}?format=csv`;
    }
    return route.url.endsWith('/prices') ? `${path}?base=BTC&quote=USD` : path;
  }

  /** A valid body for each route that takes one; names stay unique so no call meets a conflict. */
  function bodyOf(route: RouteEntry): unknown {
    const unique = String(++sequence);
    const bodies: Record<string, unknown> = {
      'POST /api/auth/login': { email: 'op-a@farm-a.test', password: PASSWORD },
      'POST /api/organisations/:id/farms': { name: `Farm ${unique}` },
      'POST /api/farms/:id/api-keys': { label: `key ${unique}` },
      'POST /api/admin/users': {
        email: `new${unique}@pool.test`,
        name: 'New',
        password: PASSWORD,
        role: 'admin',
      },
      'PATCH /api/admin/users/:id': { name: `Renamed ${unique}` },
      'POST /api/admin/organisations': { name: `Org ${unique}` },
      'PATCH /api/admin/organisations/:id': { requireTwoFactor: false },
      'POST /api/auth/login/two-factor': { challenge: 'none', code: '000000' },
      // A wrong current password: the caller's own password stays as the other calls need it.
      'POST /api/auth/password': {
        currentPassword: 'not the password',
        newPassword: `new password ${unique}`,
      },
      'POST /api/auth/two-factor/enrolment/confirm': { code: '000000' },
      'POST /api/auth/two-factor/recovery-codes': { code: '000000' },
      'POST /api/auth/two-factor/disable': { code: '000000' },
      'PATCH /api/admin/settings': { feePercent: 1.5 },
      'PATCH /api/farms/:id': { timezone: 'Asia/Tehran' },
      'POST /api/admin/prices': { base: 'BTC', quote: 'USD', value: 100_000 },
      'POST /api/farms/:id/tariffs': {
        currency: 'IRR',
        effectiveFrom: `2026-01-${String((Number(unique) % 28) + 1).padStart(2, '0')}`,
        defaultPricePerKwh: 8_287,
      },
      'PUT /api/farms/:id/tariffs/:tariffId': {
        currency: 'IRR',
        effectiveFrom: `2024-01-${String((Number(unique) % 28) + 1).padStart(2, '0')}`,
        defaultPricePerKwh: 9_000,
        bands: [{ name: 'restricted', pricePerKwh: 20_000, windows: [{ from: '19:00', to: '23:00' }] }],
      },
      'POST /api/farms/:id/restricted-windows': {
        class: 'critical_peak',
        from: '19:00',
        to: '23:00',
        validFrom: '2026-06-21',
      },
      'POST /api/farms/:id/curtailment-orders': {
        startsAt: new Date(api.clock.ms + 3_600_000).toISOString(),
        endsAt: new Date(api.clock.ms + 7_200_000).toISOString(),
        reductionKw: 500,
      },
      'POST /api/farms/:id/devices/:deviceId/commands': { action: 'sleep' },
      'PATCH /api/farms/:id/devices/:deviceId': { rack: 'A1' },
      'PATCH /api/farms/:id/alert-thresholds': { maxChipTempC: 95, silentMinutes: null },
      'POST /api/alerts/subscriptions': {
        channel: 'email',
        target: `ops${unique}@pool.test`,
        rules: ['device-silent'],
      },
      'POST /api/reports': {
        farmId: ids.farm,
        from: '2026-10-01T00:00:00Z',
        to: '2026-11-01T00:00:00Z',
        language: 'en',
        format: 'csv',
      },
      'POST /api/farms/:id/curtailment': { action: 'sleep', staggerMinutes: 5 },
      'POST /api/agent/commands/:commandId/outcome': { status: 'done', message: 'rebooted' },
      'POST /api/agent/telemetry': {
        batchId: `00000000-0000-4000-8000-${unique.padStart(12, '0')}`,
        agentVersion: 'test',
        miners: [],
        meters: [{ meter: 'main', at: new Date(api.clock.ms).toISOString(), energyWh: 1000, powerW: 10 }],
        dropped: 0,
      },
    };
    return bodies[`${route.method} ${route.url}`];
  }

  /** A live stream's status and content type: the connection is closed once the head is in. */
  async function openStream(
    url: string,
    sent: Record<string, string>,
  ): Promise<{ status: number; type: string }> {
    const address = api.app.server.address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port: address.port, path: url, headers: sent },
        (response) => {
          resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']) });
          request.destroy();
        },
      );
      request.on('error', reject);
      request.end();
    });
  }

  it('has routes for every role it serves, each declaring who may call it', () => {
    const accesses = new Set(api.app.routeTable.map((route) => route.access));
    expect([...accesses].sort()).toEqual(['admin', 'agent', 'operator', 'public', 'regulator', 'user']);
    expect(api.app.routeTable.length).toBeGreaterThanOrEqual(25);
  });

  it(
    'answers every route as the roles table says, for every caller',
    async () => {
      await api.app.listen({ host: '127.0.0.1', port: 0 });
      const outcomes: string[] = [];
      const mismatches: string[] = [];
      // Sign-out ends the caller's session: it is tested on its own below.
      const routes = api.app.routeTable.filter((route) => route.url !== '/api/auth/logout');
      for (const route of routes) {
        for (const caller of CALLERS) {
          const sent = headers.get(caller) ?? {};
          const url = urlOf(route);
          const want = expected(route.access, caller, route);
          let status: number;
          if (url.endsWith('/live')) {
            status = (await openStream(url, sent)).status;
          } else {
            // The verify route reads a report file as it was downloaded.
            const file = route.url === '/api/reports/verify' ? issuedFile : undefined;
            const body = bodyOf(route);
            const response = await api.app.inject({
              method: route.method as 'GET',
              url,
              headers: file ? { ...sent, 'content-type': 'text/csv' } : sent,
              ...(file && { payload: file }),
              ...(body !== undefined && { payload: body as Record<string, unknown> }),
            });
            status = response.statusCode;
            if (
              OWN_SECOND_FACTOR.test(route.url) &&
              status >= 400 &&
              status < 500 &&
              !ACCESS_REFUSALS.has(response.json<{ error: string }>().error)
            ) {
              status = 200;
            }
          }
          const got = status >= 200 && status < 300 ? 'allowed' : status;
          outcomes.push(`${route.method} ${route.url} ${caller}: ${String(got)}`);
          if (got !== want) {
            mismatches.push(
              `${route.method} ${route.url} as ${caller}: ${String(got)}, expected ${String(want)}`,
            );
          }
        }
      }
      expect(mismatches).toEqual([]);
      expect(outcomes.length).toBe(routes.length * CALLERS.length);
    },
    SIGN_IN_HEAVY_MS,
  );

  it('operator B reaches nothing of organisation A through any id, and admin everything', async () => {
    const b = headers.get('operatorB') ?? {};
    for (const url of [
      `/api/organisations/${ids.organisation ?? ''}`,
      `/api/organisations/${ids.organisation ?? ''}/members`,
      `/api/organisations/${ids.organisation ?? ''}/farms`,
      `/api/farms/${ids.farm ?? ''}/api-keys`,
      `/api/farms/${ids.farm ?? ''}/devices`,
      `/api/farms/${ids.farm ?? ''}/commands`,
      `/api/farms/${ids.farm ?? ''}/devices/${ids.device ?? ''}`,
      `/api/farms/${ids.farm ?? ''}/devices/${ids.device ?? ''}/series?range=30d`,
      `/api/farms/${ids.farm ?? ''}/series?range=7d`,
    ]) {
      const response = await api.app.inject({ method: 'GET', url, headers: b });
      expect(response.statusCode, url).toBe(404);
      expect(response.json<{ error: string }>().error).toMatch(/^HW_ERR_(ORGANISATION|FARM)_NOT_FOUND$/);
    }
    const revoke = await api.app.inject({
      method: 'DELETE',
      url: `/api/farms/${ids.farm ?? ''}/api-keys/${ids.key ?? ''}`,
      headers: b,
    });
    expect(revoke.statusCode).toBe(404);
    const create = await api.app.inject({
      method: 'POST',
      url: `/api/organisations/${ids.organisation ?? ''}/farms`,
      headers: b,
      payload: { name: 'Intruder' },
    });
    expect(create.statusCode).toBe(404);
    const farms = await api.database.db.query("SELECT 1 FROM farms WHERE name = 'Intruder'");
    expect(farms.rows).toEqual([]);
    const command = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${ids.farm ?? ''}/devices/${ids.device ?? ''}/commands`,
      headers: b,
      payload: { action: 'reboot' },
    });
    expect(command.statusCode).toBe(404);
    const curtail = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${ids.farm ?? ''}/curtailment`,
      headers: b,
      payload: { action: 'sleep', staggerMinutes: 0 },
    });
    expect(curtail.statusCode).toBe(404);
    // A nonexistent organisation looks the same as another's.
    const missing = await api.app.inject({ method: 'GET', url: '/api/organisations/999999', headers: b });
    expect(missing.json()).toEqual(
      (
        await api.app.inject({
          method: 'GET',
          url: `/api/organisations/${ids.organisation ?? ''}`,
          headers: b,
        })
      ).json(),
    );
  });

  it('signing out ends the session: the cookie no longer opens anything', async () => {
    const session = await signInAs(api.app, 'op-a@farm-a.test', PASSWORD);
    const sent = { cookie: session.cookie, 'x-csrf-token': session.csrf };
    expect(
      (await api.app.inject({ method: 'GET', url: '/api/auth/session', headers: sent })).statusCode,
    ).toBe(200);
    const out = await api.app.inject({ method: 'POST', url: '/api/auth/logout', headers: sent });
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((cookie) => cookie.name === 'hw_session')?.value).toBe('');
    expect(
      (await api.app.inject({ method: 'GET', url: '/api/auth/session', headers: sent })).statusCode,
    ).toBe(401);
    expect((await api.app.inject({ method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(401);
  });
});

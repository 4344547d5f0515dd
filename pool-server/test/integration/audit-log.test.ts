/**
 * Starts: the HTTP API on a real PostgreSQL database. Every state-changing route, called
 * once as it would be, leaves exactly one audit entry naming who did it and what it
 * touched; a refused request leaves none (but a failed sign-in does); the change and its
 * entry commit or roll back together; the database refuses to change or remove an
 * entry; each role reads only its own share; the export files say the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditPage } from '@hashwatt/schemas';
import type { RouteEntry } from '../../src/api/access.ts';
import { createApiKey } from '../../src/accounts/api-keys.ts';
import { createUser } from '../../src/accounts/users.ts';
import { createSubscription } from '../../src/alerts/subscriptions.ts';
import { queueCommand, takeDueCommands } from '../../src/farms/curtailment/device-commands.ts';
import { updateFarm } from '../../src/farms/farms.ts';
import { createOrder } from '../../src/farms/curtailment/orders.ts';
import { addFarmWindow, addTariff } from '../../src/farms/energy/tariffs.ts';
import { ingestTelemetry } from '../../src/farms/telemetry-ingest.ts';
import { countRows } from '../helpers/database.ts';
import {
  farmOfOperator,
  signedInAdmin,
  signedInRegulator,
  signInAs,
  startTestApi,
  TEST_PASSWORD,
  type FarmOfOperator,
  type TestApi,
} from '../helpers/api.ts';
import { bareSample } from '../helpers/samples.ts';
import { authenticatorOf, nextCode, totpAt } from '../helpers/two-factor.ts';
import { timeStep } from '../../src/accounts/totp.ts';

const STATE_CHANGING = ['POST', 'PATCH', 'PUT', 'DELETE'];
/**
 * Set-up and the walk sign in a dozen times, each a deliberately slow password hash; on
 * a machine busy with other tests that alone can pass the default 30 s. Not a bound.
 */
const SIGN_IN_HEAVY_MS = 180_000;
/** Routes posted to that change nothing: a report file is sent to be checked. */
const READS_BY_POST = new Set(['POST /api/reports/verify']);

type Caller = 'admin' | 'operatorA' | 'agentA' | 'anonymous' | 'freshSession' | 'someone' | 'enrolling';

/** How one route is called for the walk, and what its entry must say. */
interface RouteCall {
  readonly as: Caller;
  /** A body, or how to make one when its turn comes (a code of the moment, a fresh challenge). */
  readonly body?: Record<string, unknown> | (() => Promise<Record<string, unknown>>);
  /** Who the entry names, when not the caller (a sign-in names who signed in). */
  readonly actor?: Record<string, unknown>;
  /** The ids the entry must name (a subset of what it names). */
  readonly ids: Record<string, string>;
  readonly action: string;
}

describe('the audit log', () => {
  let api: TestApi;
  let farmA: FarmOfOperator;
  let farmB: FarmOfOperator;
  let admin: Record<string, string>;
  let regulatorIR: Record<string, string>;
  let regulatorRU: Record<string, string>;
  const ids: Record<string, string> = {};
  let sequence = 0;
  /** Sessions made when first needed: these callers' routes end or change their other sessions. */
  const sessions = new Map<Caller, Record<string, string>>();
  /** The secret the enrolment route handed out, for the code that confirms it. */
  let enrolledSecret = '';

  const get = async <T>(url: string, headers: Record<string, string>): Promise<T> => {
    const response = await api.app.inject({ method: 'GET', url, headers });
    expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
    return response.json<T>();
  };
  const newest = async (): Promise<AuditEntry> => {
    const page = await get<AuditPage>('/api/audit-log?limit=1', admin);
    return page.entries[0] as AuditEntry;
  };

  beforeAll(async () => {
    api = await startTestApi();
    const { db } = api.database;
    farmA = await farmOfOperator(api, 'op-a@farm-a.test', { organisation: 'Org A', farm: 'Farm A' });
    farmB = await farmOfOperator(api, 'op-b@farm-b.test', { organisation: 'Org B', farm: 'Farm B' });
    await updateFarm(db, farmA.farmId, { country: 'IR', region: 'IR-08', timezone: 'Asia/Tehran' });
    await updateFarm(db, farmB.farmId, { country: 'RU', region: 'RU-IRK', timezone: 'Asia/Irkutsk' });
    admin = await signedInAdmin(api, 'admin@pool.test');
    regulatorIR = await signedInRegulator(api, 'grid@tavanir.test', { country: 'IR', regions: ['IR-08'] });
    regulatorRU = await signedInRegulator(api, 'grid@minenergo.test', { country: 'RU', regions: [] });
    const someone = await createUser(db, {
      email: 'someone@farm-a.test',
      name: 'Someone',
      password: TEST_PASSWORD,
      role: 'operator',
      organisationId: farmA.organisationId,
    });
    await ingestTelemetry(db, farmA.farmId, {
      batchId: '00000000-0000-4000-8000-0000000000d1',
      agentVersion: 'test',
      miners: [bareSample('10.0.4.17:4028', new Date(api.clock.ms).toISOString())],
      meters: [],
      dropped: 0,
    });
    const { rows } = await db.query<{ id: string }>('SELECT id::text FROM devices');
    const device = rows[0]?.id ?? '';
    const handedOut = await queueCommand(db, farmA.farmId, device, {
      action: 'reboot',
      params: {},
      userId: someone.id,
      nowMs: api.clock.ms,
    });
    await takeDueCommands(db, farmA.farmId, api.clock.ms, 600);
    const oldKey = await createApiKey(db, farmA.farmId, 'old agent');
    const oldSubscription = await createSubscription(
      db,
      { channel: 'email', target: 'old@farm-a.test', rules: ['device-silent'] },
      { organisationId: farmA.organisationId },
      farmA.operatorId,
      api.alertSecrets,
    );
    await createUser(db, {
      email: 'enrolling@farm-a.test',
      name: 'Enrolling',
      password: TEST_PASSWORD,
      role: 'operator',
      organisationId: farmA.organisationId,
    });
    // A regulator has a second factor (its role requires one): an admin resets it.
    await signedInRegulator(api, 'reset@tavanir.test', { country: 'IR', regions: [] });
    const { rows: reset } = await db.query<{ id: string }>(
      "SELECT id::text FROM users WHERE email = 'reset@tavanir.test'",
    );
    const spentTariff = await addTariff(
      db,
      farmA.farmId,
      { currency: 'IRR', effectiveFrom: '2025-03-21', defaultPricePerKwh: 8_287, bands: [] },
      someone.id,
    );
    const correctedTariff = await addTariff(
      db,
      farmA.farmId,
      { currency: 'IRR', effectiveFrom: '2025-06-22', defaultPricePerKwh: 8_287, bands: [] },
      someone.id,
    );
    const window = await addFarmWindow(
      db,
      farmA.farmId,
      { class: 'restricted', from: '19:00', to: '23:00', validFrom: '2025-06-22' },
      someone.id,
    );
    const order = await createOrder(
      db,
      farmA.farmId,
      {
        startsAt: new Date(api.clock.ms + 3_600_000).toISOString(),
        endsAt: new Date(api.clock.ms + 7_200_000).toISOString(),
        reductionKw: 100,
        staggerMinutes: 10,
      },
      { userId: someone.id, nowMs: api.clock.ms },
    );
    Object.assign(ids, {
      spentTariff: spentTariff.id,
      correctedTariff: correctedTariff.id,
      window: window.id,
      order: order.id,
      user: someone.id,
      device,
      command: handedOut.id,
      key: oldKey.apiKey.id,
      subscription: oldSubscription.subscription.id,
      operatorA: farmA.operatorId,
      resetUser: reset[0]?.id ?? '',
    });
  }, SIGN_IN_HEAVY_MS);
  afterAll(async () => {
    await api.close();
  });

  /** Each state-changing route, called once as it would be. A route missing here fails the walk. */
  function callOf(route: RouteEntry): RouteCall | undefined {
    const unique = String(++sequence);
    const farm = farmA.farmId;
    const calls: Record<string, RouteCall> = {
      'POST /api/auth/login': {
        as: 'anonymous',
        body: { email: 'op-a@farm-a.test', password: TEST_PASSWORD },
        ids: { user: farmA.operatorId },
        action: 'auth.sign-in',
      },
      'POST /api/auth/login/two-factor': {
        as: 'anonymous',
        body: async () => {
          const first = await api.app.inject({
            method: 'POST',
            url: '/api/auth/login',
            payload: { email: 'admin@pool.test', password: TEST_PASSWORD },
          });
          const { challenge } = first.json<{ challenge: string }>();
          const authenticator = authenticatorOf(api.app, 'admin@pool.test');
          if (!authenticator) {
            throw new Error('the admin has no authenticator');
          }
          return { challenge, code: nextCode(authenticator) };
        },
        actor: { kind: 'user', email: 'admin@pool.test', role: 'admin' },
        ids: {},
        action: 'auth.sign-in',
      },
      'POST /api/auth/password': {
        as: 'someone',
        body: { currentPassword: TEST_PASSWORD, newPassword: 'another password, long enough' },
        actor: { kind: 'user', userId: ids.user, email: 'someone@farm-a.test' },
        ids: { user: ids.user ?? '' },
        action: 'auth.password-change',
      },
      'POST /api/auth/logout': { as: 'freshSession', ids: {}, action: 'auth.sign-out' },
      'POST /api/auth/two-factor/enrolment': {
        as: 'enrolling',
        actor: { kind: 'user', email: 'enrolling@farm-a.test' },
        ids: {},
        action: 'two-factor.enrol',
      },
      'POST /api/auth/two-factor/enrolment/confirm': {
        as: 'enrolling',
        body: () => Promise.resolve({ code: totpAt(enrolledSecret, timeStep(Date.now())) }),
        actor: { kind: 'user', email: 'enrolling@farm-a.test' },
        ids: {},
        action: 'two-factor.enable',
      },
      'POST /api/auth/two-factor/recovery-codes': {
        as: 'enrolling',
        body: { password: TEST_PASSWORD },
        actor: { kind: 'user', email: 'enrolling@farm-a.test' },
        ids: {},
        action: 'two-factor.recovery-codes',
      },
      'POST /api/auth/two-factor/disable': {
        as: 'enrolling',
        body: { password: TEST_PASSWORD },
        actor: { kind: 'user', email: 'enrolling@farm-a.test' },
        ids: {},
        action: 'two-factor.disable',
      },
      'PATCH /api/admin/organisations/:id': {
        as: 'admin',
        body: { requireTwoFactor: false },
        ids: { organisation: farmA.organisationId },
        action: 'organisation.update',
      },
      'DELETE /api/admin/users/:id/two-factor': {
        as: 'admin',
        ids: { user: ids.resetUser ?? '' },
        action: 'user.two-factor-reset',
      },
      'POST /api/admin/users': {
        as: 'admin',
        body: {
          email: `new${unique}@pool.test`,
          name: 'New',
          password: TEST_PASSWORD,
          role: 'operator',
          organisationId: farmB.organisationId,
        },
        ids: {},
        action: 'user.create',
      },
      'PATCH /api/admin/users/:id': {
        as: 'admin',
        body: { name: `Renamed ${unique}` },
        ids: { user: ids.user ?? '' },
        action: 'user.update',
      },
      'POST /api/admin/organisations': {
        as: 'admin',
        body: { name: `Org ${unique}` },
        ids: {},
        action: 'organisation.create',
      },
      'PATCH /api/admin/settings': {
        as: 'admin',
        body: { feePercent: 1.5 },
        ids: {},
        action: 'pool-settings.update',
      },
      'POST /api/admin/prices': {
        as: 'admin',
        body: { base: 'BTC', quote: 'USD', value: 100_000 },
        ids: { price: 'BTC/USD' },
        action: 'price.add',
      },
      'PATCH /api/farms/:id': {
        as: 'operatorA',
        body: { name: 'Farm A, hall 1' },
        ids: { farm },
        action: 'farm.update',
      },
      'POST /api/organisations/:id/farms': {
        as: 'operatorA',
        body: { name: `Farm ${unique}` },
        ids: { organisation: farmA.organisationId },
        action: 'farm.create',
      },
      'POST /api/farms/:id/curtailment-orders': {
        as: 'operatorA',
        body: {
          startsAt: new Date(api.clock.ms + 3_600_000).toISOString(),
          endsAt: new Date(api.clock.ms + 7_200_000).toISOString(),
          reductionKw: 500,
        },
        ids: { farm },
        action: 'curtailment-order.create',
      },
      'POST /api/farms/:id/tariffs': {
        as: 'operatorA',
        body: { currency: 'IRR', effectiveFrom: '2026-01-01', defaultPricePerKwh: 8_287 },
        ids: { farm },
        action: 'tariff.add',
      },
      'PUT /api/farms/:id/tariffs/:tariffId': {
        as: 'operatorA',
        body: {
          currency: 'IRR',
          effectiveFrom: '2025-06-22',
          defaultPricePerKwh: 9_000,
          bands: [{ name: 'restricted', pricePerKwh: 20_000, windows: [{ from: '19:00', to: '23:00' }] }],
        },
        ids: { farm, tariff: ids.correctedTariff ?? '' },
        action: 'tariff.update',
      },
      'DELETE /api/farms/:id/tariffs/:tariffId': {
        as: 'operatorA',
        ids: { farm, tariff: ids.spentTariff ?? '' },
        action: 'tariff.delete',
      },
      'DELETE /api/farms/:id/restricted-windows/:windowId': {
        as: 'operatorA',
        ids: { farm, restrictedWindow: ids.window ?? '' },
        action: 'restricted-window.delete',
      },
      'DELETE /api/farms/:id/curtailment-orders/:orderId': {
        as: 'operatorA',
        ids: { farm, curtailmentOrder: ids.order ?? '' },
        action: 'curtailment-order.withdraw',
      },
      'POST /api/farms/:id/restricted-windows': {
        as: 'operatorA',
        body: { class: 'critical_peak', from: '19:00', to: '23:00', validFrom: '2026-06-21' },
        ids: { farm },
        action: 'restricted-window.add',
      },
      'PATCH /api/farms/:id/alert-thresholds': {
        as: 'operatorA',
        body: { maxChipTempC: 95 },
        ids: { farm },
        action: 'alert-thresholds.update',
      },
      'PATCH /api/farms/:id/devices/:deviceId': {
        as: 'operatorA',
        body: { rack: 'A1' },
        ids: { farm, device: ids.device ?? '' },
        action: 'device.update',
      },
      'POST /api/farms/:id/devices/:deviceId/commands': {
        as: 'operatorA',
        body: { action: 'sleep' },
        ids: { farm, device: ids.device ?? '' },
        action: 'device-command.queue',
      },
      'POST /api/farms/:id/curtailment': {
        as: 'operatorA',
        body: { action: 'sleep', staggerMinutes: 5 },
        ids: { farm },
        action: 'curtailment.queue',
      },
      'POST /api/farms/:id/api-keys': {
        as: 'operatorA',
        body: { label: `key ${unique}` },
        ids: { farm },
        action: 'api-key.create',
      },
      'DELETE /api/farms/:id/api-keys/:keyId': {
        as: 'operatorA',
        ids: { farm, apiKey: ids.key ?? '' },
        action: 'api-key.revoke',
      },
      'POST /api/alerts/subscriptions': {
        as: 'operatorA',
        body: { channel: 'email', target: `night-${unique}@farm-a.test`, rules: ['block-found'] },
        ids: { alertSubscription: expect.any(String) as string },
        action: 'alert-subscription.create',
      },
      'DELETE /api/alerts/subscriptions/:id': {
        as: 'operatorA',
        ids: { alertSubscription: ids.subscription ?? '' },
        action: 'alert-subscription.delete',
      },
      'POST /api/reports': {
        as: 'operatorA',
        body: {
          farmId: farm,
          from: '2026-10-01T00:00:00Z',
          to: '2026-11-01T00:00:00Z',
          language: 'en',
          format: 'csv',
        },
        ids: { farm },
        action: 'report.issue',
      },
      'POST /api/agent/telemetry': {
        as: 'agentA',
        body: {
          batchId: `00000000-0000-4000-8000-${unique.padStart(12, '0')}`,
          agentVersion: 'test',
          miners: [],
          meters: [{ meter: 'main', at: new Date(api.clock.ms).toISOString(), energyWh: 1000, powerW: 10 }],
          dropped: 0,
        },
        ids: { farm },
        action: 'agent.telemetry',
      },
      'POST /api/agent/commands/:commandId/outcome': {
        as: 'agentA',
        body: { status: 'done', message: 'rebooted' },
        ids: { farm, command: ids.command ?? '' },
        action: 'device-command.outcome',
      },
    };
    return calls[`${route.method} ${route.url}`];
  }

  function urlOf(route: RouteEntry): string {
    return route.url
      .replace(
        ':id',
        route.url.endsWith('/two-factor')
          ? (ids.resetUser ?? '')
          : route.url.startsWith('/api/admin/users')
            ? (ids.user ?? '')
            : route.url.startsWith('/api/alerts/')
              ? (ids.subscription ?? '')
              : route.url.includes('/organisations/')
                ? farmA.organisationId
                : farmA.farmId,
      )
      .replace(':deviceId', ids.device ?? '')
      .replace(':keyId', ids.key ?? '')
      .replace(':commandId', ids.command ?? '')
      .replace(':tariffId', (route.method === 'PUT' ? ids.correctedTariff : ids.spentTariff) ?? '')
      .replace(':windowId', ids.window ?? '')
      .replace(':orderId', ids.order ?? '');
  }

  async function signedIn(email: string): Promise<Record<string, string>> {
    const session = await signInAs(api.app, email, TEST_PASSWORD);
    return { cookie: session.cookie, 'x-csrf-token': session.csrf };
  }

  async function headersOf(caller: Caller): Promise<Record<string, string>> {
    switch (caller) {
      case 'admin':
        return admin;
      case 'operatorA':
        return farmA.operator;
      case 'agentA':
        return { authorization: `Bearer ${farmA.agentKey}` };
      case 'anonymous':
        return {};
      case 'freshSession':
        return signedIn('op-a@farm-a.test');
      case 'someone':
      case 'enrolling': {
        const made = sessions.get(caller) ?? (await signedIn(`${caller}@farm-a.test`));
        sessions.set(caller, made);
        return made;
      }
    }
  }

  it(
    'has one entry, naming the caller and the ids, for each state-changing route',
    async () => {
      const routes = api.app.routeTable.filter(
        (route) =>
          STATE_CHANGING.includes(route.method) && !READS_BY_POST.has(`${route.method} ${route.url}`),
      );
      expect(routes.length).toBeGreaterThan(15);
      const problems: string[] = [];
      for (const route of routes) {
        const call = callOf(route);
        const name = `${route.method} ${route.url}`;
        if (!call) {
          problems.push(`${name}: no call known to this test; add one`);
          continue;
        }
        const headers = await headersOf(call.as);
        const body = typeof call.body === 'function' ? await call.body() : call.body;
        const before = await countRows(api.database.db, 'audit_log');
        const response = await api.app.inject({
          method: route.method as 'POST',
          url: urlOf(route),
          headers,
          ...(body && { payload: body }),
        });
        if (response.statusCode >= 300) {
          problems.push(`${name}: ${String(response.statusCode)} ${response.body.slice(0, 200)}`);
          continue;
        }
        const added = (await countRows(api.database.db, 'audit_log')) - before;
        if (added !== 1) {
          problems.push(`${name}: ${String(added)} entries`);
          continue;
        }
        if (route.url === '/api/auth/two-factor/enrolment') {
          enrolledSecret = response.json<{ secret: string }>().secret;
        }
        const entry = await newest();
        const actor =
          call.actor ??
          (call.as === 'admin'
            ? { kind: 'user', email: 'admin@pool.test', role: 'admin' }
            : call.as === 'agentA'
              ? { kind: 'agent', keyId: expect.any(String) as unknown }
              : { kind: 'user', userId: farmA.operatorId, email: 'op-a@farm-a.test', role: 'operator' });
        try {
          expect(entry).toMatchObject({
            action: call.action,
            method: route.method,
            route: route.url,
            actor,
            ids: call.ids,
          });
          expect(entry.requestId).toBe(response.headers['x-request-id']);
        } catch (error) {
          problems.push(`${name}: ${String(error)}`);
        }
      }
      expect(problems).toEqual([]);
    },
    SIGN_IN_HEAVY_MS,
  );

  it('keeps what changed: before and after, never a password or a key', async () => {
    const rename = await api.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${ids.user ?? ''}`,
      headers: admin,
      payload: { disabled: true, password: 'an entirely new password' },
    });
    expect(rename.statusCode).toBe(200);
    const entry = await newest();
    expect(entry).toMatchObject({
      action: 'user.update',
      organisationId: farmA.organisationId,
      before: { disabled: false, role: 'operator' },
      after: { disabled: true, role: 'operator', passwordChanged: true },
    });
    const settings = await api.app.inject({
      method: 'PATCH',
      url: '/api/admin/settings',
      headers: admin,
      payload: { feePercent: 2.5 },
    });
    expect(settings.statusCode).toBe(200);
    expect(await newest()).toMatchObject({ before: { feePercent: 1.5 }, after: { feePercent: 2.5 } });
    const key = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${farmA.farmId}/api-keys`,
      headers: farmA.operator,
      payload: { label: 'spare' },
    });
    const { key: secret } = key.json<{ key: string }>();
    const { rows } = await api.database.db.query<{ text: string }>(
      'SELECT audit_log::text AS text FROM audit_log',
    );
    const everything = rows.map((row) => row.text).join('\n');
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain('an entirely new password');
    expect(everything).not.toContain(TEST_PASSWORD);
  });

  it('leaves no entry for a refused request, and one for a failed sign-in', async () => {
    const before = await countRows(api.database.db, 'audit_log');
    const refused = [
      // Another organisation's farm: as if absent.
      await api.app.inject({
        method: 'PATCH',
        url: `/api/farms/${farmA.farmId}`,
        headers: farmB.operator,
        payload: { name: 'Taken over' },
      }),
      // Not valid.
      await api.app.inject({
        method: 'POST',
        url: `/api/farms/${farmA.farmId}/tariffs`,
        headers: farmA.operator,
        payload: { currency: 'IRR' },
      }),
      // Not signed in, and a role that may not.
      await api.app.inject({ method: 'POST', url: '/api/admin/organisations', payload: { name: 'X' } }),
      await api.app.inject({
        method: 'POST',
        url: '/api/admin/organisations',
        headers: farmA.operator,
        payload: { name: 'X' },
      }),
      // Refused inside the change: the farm's key is not this one's.
      await api.app.inject({
        method: 'DELETE',
        url: `/api/farms/${farmB.farmId}/api-keys/${ids.key ?? ''}`,
        headers: farmB.operator,
      }),
    ];
    expect(refused.map((response) => response.statusCode)).toEqual([404, 400, 401, 403, 404]);
    expect(await countRows(api.database.db, 'audit_log')).toBe(before);

    const failed = await api.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'op-a@farm-a.test', password: 'not the password at all' },
    });
    expect(failed.statusCode).toBe(401);
    expect(await countRows(api.database.db, 'audit_log')).toBe(before + 1);
    const entry = await newest();
    expect(entry).toMatchObject({
      action: 'auth.sign-in-failed',
      actor: { kind: 'anonymous', email: 'op-a@farm-a.test', userId: null },
      after: { reason: 'HW_ERR_BAD_CREDENTIALS' },
    });
    expect(JSON.stringify(entry)).not.toContain('not the password at all');
  });

  it('rolls the change back when its entry cannot be written, and the entry with a failed change', async () => {
    const { db } = api.database;
    // A constraint the test adds: this one action's entries cannot be stored.
    await db.query(
      "ALTER TABLE audit_log ADD CONSTRAINT refuse_for_test CHECK (action <> 'farm.update') NOT VALID",
    );
    try {
      const response = await api.app.inject({
        method: 'PATCH',
        url: `/api/farms/${farmA.farmId}`,
        headers: farmA.operator,
        payload: { name: 'Never saved' },
      });
      expect(response.statusCode).toBe(500);
    } finally {
      await db.query('ALTER TABLE audit_log DROP CONSTRAINT refuse_for_test');
    }
    const { rows } = await db.query<{ name: string }>('SELECT name FROM farms WHERE id = $1', [farmA.farmId]);
    expect(rows[0]?.name).not.toBe('Never saved');

    // The last active admin cannot be disabled: refused inside the transaction, nothing kept.
    const before = await countRows(db, 'audit_log');
    const { rows: admins } = await db.query<{ id: string }>(
      "SELECT id::text FROM users WHERE role = 'admin'",
    );
    const last = await api.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${admins[0]?.id ?? ''}`,
      headers: admin,
      payload: { disabled: true },
    });
    expect(last.statusCode).toBe(409);
    expect(await countRows(db, 'audit_log')).toBe(before);
  });

  it('is append-only: the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    const { db } = api.database;
    const refused = /audit log entry is never changed or removed/;
    await expect(db.query("UPDATE audit_log SET action = 'farm.nothing'")).rejects.toThrow(refused);
    await expect(db.query('DELETE FROM audit_log')).rejects.toThrow(refused);
    await expect(db.query('TRUNCATE audit_log')).rejects.toThrow(refused);
    expect(await countRows(db, 'audit_log')).toBeGreaterThan(0);
  });

  it('shows each role its own share: admin all, operator its organisation, regulator its jurisdiction', async () => {
    const patchAs = (farmId: string, headers: Record<string, string>) =>
      api.app.inject({
        method: 'PATCH',
        url: `/api/farms/${farmId}`,
        headers,
        payload: { licence: { capacityKw: 900 } },
      });
    expect((await patchAs(farmB.farmId, farmB.operator)).statusCode).toBe(200);
    expect((await patchAs(farmA.farmId, farmA.operator)).statusCode).toBe(200);
    const all = async (headers: Record<string, string>): Promise<AuditEntry[]> => {
      const entries: AuditEntry[] = [];
      let cursor: string | null = null;
      do {
        const page: AuditPage = await get<AuditPage>(
          `/api/audit-log?limit=7${cursor === null ? '' : `&cursor=${cursor}`}`,
          headers,
        );
        entries.push(...page.entries);
        cursor = page.nextCursor;
      } while (cursor !== null);
      return entries;
    };
    const everything = await all(admin);
    expect(everything.length).toBe(await countRows(api.database.db, 'audit_log'));
    // Pages follow each other newest first, without a gap or a repeat.
    const numbers = everything.map((entry) => Number(entry.id));
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    expect(new Set(numbers).size).toBe(numbers.length);

    const ofA = await all(farmA.operator);
    expect(ofA.length).toBeGreaterThan(5);
    expect(ofA.every((entry) => entry.organisationId === farmA.organisationId)).toBe(true);
    expect(ofA.some((entry) => entry.farmId === farmB.farmId)).toBe(false);
    expect(everything.filter((entry) => entry.organisationId === farmA.organisationId).length).toBe(
      ofA.length,
    );

    const iran = await all(regulatorIR);
    expect(iran.some((entry) => entry.farmId === farmA.farmId && entry.action === 'farm.update')).toBe(true);
    expect(iran.some((entry) => entry.farmId === farmB.farmId)).toBe(false);
    // Besides its jurisdiction's, a regulator sees its own actions (its sign-in) only.
    for (const entry of iran) {
      expect(entry.country === 'IR' || entry.actor.email === 'grid@tavanir.test', JSON.stringify(entry)).toBe(
        true,
      );
    }
    const russia = await all(regulatorRU);
    expect(russia.some((entry) => entry.farmId === farmB.farmId && entry.action === 'farm.update')).toBe(
      true,
    );
    expect(russia.some((entry) => entry.farmId === farmA.farmId)).toBe(false);
    // Filters narrow within a role's share, never past it.
    const asked = await get<AuditPage>(`/api/audit-log?farm=${farmA.farmId}`, farmB.operator);
    expect(asked.entries).toEqual([]);
  });

  it('filters by action, family, actor, farm and period', async () => {
    const page = (query: string) => get<AuditPage>(`/api/audit-log?limit=200&${query}`, admin);
    const telemetry = await page('action=agent.telemetry');
    expect(telemetry.entries.length).toBeGreaterThan(0);
    expect(telemetry.entries.every((entry) => entry.action === 'agent.telemetry')).toBe(true);
    const withoutTelemetry = await page('excludeAction=agent.telemetry');
    expect(withoutTelemetry.entries.some((entry) => entry.action === 'agent.telemetry')).toBe(false);
    const farmFamily = await page('action=farm.*');
    expect(new Set(farmFamily.entries.map((entry) => entry.action))).toEqual(
      new Set(['farm.update', 'farm.create']),
    );
    const byEmail = await page('actor=OP-A@farm-a.test');
    expect(byEmail.entries.length).toBeGreaterThan(0);
    expect(byEmail.entries.every((entry) => entry.actor.email === 'op-a@farm-a.test')).toBe(true);
    const byId = await page(`actor=${farmA.operatorId}`);
    expect(byId.entries.every((entry) => entry.actor.userId === farmA.operatorId)).toBe(true);
    const { rows } = await api.database.db.query<{ id: string }>(
      'SELECT id::text FROM api_keys WHERE farm_id = $1 AND revoked_at IS NULL ORDER BY id LIMIT 1',
      [farmA.farmId],
    );
    const byKey = await page(`actor=key:${rows[0]?.id ?? ''}`);
    expect(byKey.entries.length).toBeGreaterThan(0);
    expect(byKey.entries.every((entry) => entry.actor.kind === 'agent')).toBe(true);
    const ofFarm = await page(`farm=${farmB.farmId}`);
    expect(ofFarm.entries.every((entry) => entry.farmId === farmB.farmId)).toBe(true);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await page(`from=${encodeURIComponent(future)}`)).entries).toEqual([]);
    expect((await page(`to=${encodeURIComponent(future)}`)).entries.length).toBeGreaterThan(0);
    const bad = await api.app.inject({ method: 'GET', url: '/api/audit-log?action=farm%25', headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'HW_ERR_VALIDATION' });
  });

  it('exports as CSV (formulas inert) and JSON, within the role', async () => {
    // An email may begin with '=': a spreadsheet must not run it.
    const formula = await api.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: '=1+2@evil.test', password: 'whatever it is' },
    });
    expect(formula.statusCode).toBe(401);
    const csv = await api.app.inject({
      method: 'GET',
      url: '/api/audit-log/export?format=csv&action=auth.sign-in-failed',
      headers: admin,
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="hashwatt-audit-log-.*\.csv"/);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toMatch(/^id,at,action,method,route,request_id,actor_kind,actor_user_id,actor_email,/);
    expect(lines.length).toBe(3);
    expect(csv.body).toContain(",'=1+2@evil.test,");
    expect(csv.body).not.toMatch(/,=1\+2/);

    const json = await api.app.inject({
      method: 'GET',
      url: '/api/audit-log/export?format=json',
      headers: farmA.operator,
    });
    expect(json.statusCode).toBe(200);
    const exported = json.json<AuditEntry[]>();
    const listed = await get<AuditPage>('/api/audit-log?limit=200', farmA.operator);
    expect(exported).toEqual(listed.entries);
    const none = await api.app.inject({
      method: 'GET',
      url: '/api/audit-log/export?format=xml',
      headers: admin,
    });
    expect(none.statusCode).toBe(400);
  });
});

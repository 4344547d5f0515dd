/**
 * Starts: the HTTP API on a real PostgreSQL database, called with inject() (and over a
 * real HTTP connection for the live stream). Sign-in and sessions, CSRF, bad input,
 * the public statistics against known shares and books, agents' keys, OpenAPI.
 */
import { generateKeyPairSync } from 'node:crypto';
import { poolAlertThresholds } from '../../src/farms/alert-thresholds.ts';
import { signerFromKey } from '../../src/farms/reports/signing.ts';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InjectOptions } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createOrganisation } from '../../src/accounts/organisations.ts';
import { createUser } from '../../src/accounts/users.ts';
import { sessionSettingsFrom } from '../../src/accounts/sessions.ts';
import { loadConfig } from '../../src/config.ts';
import { createDatabase } from '../../src/db/pool.ts';
import { withTransaction } from '../../src/db/transaction.ts';
import { BlockLedger } from '../../src/ledger/blocks/block-ledger.ts';
import { immatureBook, minerBook, post } from '../../src/ledger/books.ts';
import { foldRollups } from '../../src/ledger/rollups.ts';
import { ShareStore, type ShareRecord } from '../../src/ledger/share-store.ts';
import { NETWORK, signInAs, startTestApi, type Session, type TestApi } from '../helpers/api.ts';
import { eventually } from '../helpers/eventually.ts';
import { MINER_ADDRESS, OTHER_MINER_ADDRESS } from '../helpers/pool.ts';
import { ORDINARY_SHARE } from '../helpers/share-writer.ts';
import type { MinerStats } from '@hashwatt/schemas';
import { recordTemplate } from '../../src/farms/economics/network.ts';
import { connectInfo } from '../../src/roles/connect-info.ts';

const PASSWORD = 'a password long enough';
const REGULATOR = { role: 'regulator', jurisdiction: { country: 'IR', regions: [] } };
const oldShareMs = (nowMs: number): number => nowMs - (3 * 60 + 17) * 60_000;
/** An account known only from a refused share. */
const NO_PAYOUT_ACCOUNT = 'nopayout';
/** An account whose last share is a day old. */
const GONE_ACCOUNT = 'gone';

function share(account: string, worker: string, difficulty: number, timeMs: number): ShareRecord {
  return {
    timeMs,
    account,
    worker,
    payoutAddress: account,
    difficulty,
    achieved: difficulty * 2,
    ...ORDINARY_SHARE,
  };
}

function withSession(session: Session, csrf = true): Record<string, string> {
  return { cookie: session.cookie, ...(csrf && { 'x-csrf-token': session.csrf }) };
}

describe('the HTTP API', () => {
  let api: TestApi;
  let admin: Session;
  let organisationId: string;

  beforeAll(async () => {
    api = await startTestApi();
    const { db } = api.database;
    organisationId = (await createOrganisation(db, 'Farm Co')).id;
    await createUser(db, { email: 'admin@pool.test', name: 'Admin', password: PASSWORD, role: 'admin' });
    admin = await signInAs(api.app, 'admin@pool.test', PASSWORD);
  });
  afterAll(async () => {
    await api.close();
  });

  describe('sign-in', () => {
    it('sets an httpOnly, Secure, SameSite=Strict cookie, and logs neither the password nor the cookie', async () => {
      await createUser(api.database.db, {
        email: 'op@farm.test',
        name: 'Op',
        password: 'op password, long',
        role: 'operator',
        organisationId,
      });
      const response = await api.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'OP@farm.test', password: 'op password, long' },
      });
      expect(response.statusCode).toBe(200);
      const cookie = response.cookies.find((entry) => entry.name === 'hw_session');
      expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/api' });
      expect(response.json()).toMatchObject({
        user: { email: 'op@farm.test', role: 'operator', organisationId },
      });
      const logged = api.logs.join('');
      expect(logged).not.toContain('op password, long');
      expect(logged).not.toContain(cookie?.value ?? 'no cookie');
      const stored = await api.database.db.query<{ password_hash: string }>(
        "SELECT password_hash FROM users WHERE email = 'op@farm.test'",
      );
      expect(stored.rows[0]?.password_hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    });

    it('answers a wrong password and an unknown email alike', async () => {
      const wrong = await api.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'admin@pool.test', password: 'not the password' },
      });
      const unknown = await api.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'nobody@pool.test', password: 'not the password' },
      });
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(wrong.json()).toEqual(unknown.json());
      expect(wrong.json()).toEqual({
        error: 'HW_ERR_BAD_CREDENTIALS',
        message: 'The email or the password is wrong.',
      });
    });

    it('slows sign-ins after 5 wrong passwords, with no lock: the right one gets in after Retry-After', async () => {
      await createUser(api.database.db, {
        email: 'slow@pool.test',
        name: 'S',
        password: PASSWORD,
        role: 'admin',
      });
      const attempt = (password: string) =>
        api.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: '198.51.100.7',
          payload: { email: 'slow@pool.test', password },
        });
      for (let failure = 0; failure < 5; failure++) {
        expect((await attempt(`wrong ${String(failure)}`)).statusCode).toBe(401);
      }
      const throttled = await attempt(PASSWORD);
      expect(throttled.statusCode).toBe(429);
      expect(throttled.json<{ error: string }>().error).toBe('HW_ERR_SIGN_IN_THROTTLED');
      expect(throttled.headers['retry-after']).toBe('1');
      api.clock.ms += 1_000;
      expect((await attempt(PASSWORD)).statusCode).toBe(200);
    });

    it('ends a session when it expires, and when its user is disabled', async () => {
      const session = await signInAs(api.app, 'op@farm.test', 'op password, long');
      const check = () =>
        api.app.inject({ method: 'GET', url: '/api/auth/session', headers: withSession(session) });
      expect((await check()).statusCode).toBe(200);
      await api.database.db.query(
        "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1",
        [session.userId],
      );
      expect((await check()).json<{ error: string }>().error).toBe('HW_ERR_UNAUTHENTICATED');
      const again = await signInAs(api.app, 'op@farm.test', 'op password, long');
      const disable = await api.app.inject({
        method: 'PATCH',
        url: `/api/admin/users/${again.userId}`,
        headers: withSession(admin),
        payload: { disabled: true },
      });
      expect(disable.json()).toMatchObject({ disabled: true });
      expect(
        (await api.app.inject({ method: 'GET', url: '/api/auth/session', headers: withSession(again) }))
          .statusCode,
      ).toBe(401);
      const refused = await api.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'op@farm.test', password: 'op password, long' },
      });
      expect(refused.statusCode).toBe(401);
    });

    it('never disables the last active admin, even when two admins disable each other at once', async () => {
      const disable = (as: Session, id: string) =>
        api.app.inject({
          method: 'PATCH',
          url: `/api/admin/users/${id}`,
          headers: withSession(as),
          payload: { disabled: true },
        });
      // Make this admin the only active one for now: earlier tests added others.
      const { db } = api.database;
      const others = await db.query<{ id: string }>(
        "UPDATE users SET disabled = true WHERE role = 'admin' AND NOT disabled AND id <> $1 RETURNING id::text",
        [admin.userId],
      );
      const self = await disable(admin, admin.userId);
      expect(self.statusCode).toBe(409);
      expect(self.json()).toMatchObject({ error: 'HW_ERR_LAST_ADMIN', field: 'body.disabled' });
      await createUser(api.database.db, {
        email: 'second@pool.test',
        name: 'Second',
        password: PASSWORD,
        role: 'admin',
      });
      const second = await signInAs(api.app, 'second@pool.test', PASSWORD);
      const [one, two] = await Promise.all([disable(admin, second.userId), disable(second, admin.userId)]);
      // One of them wins; the other finds itself the last admin (or signed out by the first).
      expect([one.statusCode, two.statusCode].filter((status) => status === 200)).toHaveLength(1);
      const { rows } = await db.query<{ active: number }>(
        "SELECT count(*)::int AS active FROM users WHERE role = 'admin' AND NOT disabled",
      );
      expect(rows[0]?.active).toBe(1);
      // Whoever is left enables the other again, so the tests after this one keep both.
      const left = one.statusCode === 200 ? admin : second;
      const enable = await api.app.inject({
        method: 'PATCH',
        url: `/api/admin/users/${left === admin ? second.userId : admin.userId}`,
        headers: withSession(left),
        payload: { disabled: false },
      });
      expect(enable.statusCode).toBe(200);
      if (left === second) {
        admin = await signInAs(api.app, 'admin@pool.test', PASSWORD);
      }
      await db.query('UPDATE users SET disabled = false WHERE id = ANY ($1::bigint[])', [
        others.rows.map((row) => row.id),
      ]);
    });

    it('never demotes the last active admin, even when two admins demote each other at once', async () => {
      const demote = (as: Session, id: string, payload: Record<string, unknown> = REGULATOR) =>
        api.app.inject({
          method: 'PATCH',
          url: `/api/admin/users/${id}`,
          headers: withSession(as),
          payload,
        });
      const { db } = api.database;
      const others = await db.query<{ id: string }>(
        "UPDATE users SET disabled = true WHERE role = 'admin' AND NOT disabled AND id <> $1 RETURNING id::text",
        [admin.userId],
      );
      const self = await demote(admin, admin.userId);
      expect(self.statusCode).toBe(409);
      expect(self.json()).toMatchObject({ error: 'HW_ERR_LAST_ADMIN', field: 'body.role' });
      await createUser(db, { email: 'third@pool.test', name: 'Third', password: PASSWORD, role: 'admin' });
      const third = await signInAs(api.app, 'third@pool.test', PASSWORD);
      const unbound = await demote(admin, third.userId, { role: 'operator' });
      expect(unbound.json()).toMatchObject({ error: 'HW_ERR_ROLE_MISMATCH', field: 'body.organisationId' });
      const [one, two] = await Promise.all([demote(admin, third.userId), demote(third, admin.userId)]);
      // One of them wins; the other finds itself the last admin, or no admin any more.
      expect([one.statusCode, two.statusCode].filter((status) => status === 200)).toHaveLength(1);
      const { rows } = await db.query<{ active: number }>(
        "SELECT count(*)::int AS active FROM users WHERE role = 'admin' AND NOT disabled",
      );
      expect(rows[0]?.active).toBe(1);
      const [left, demoted] = one.statusCode === 200 ? [admin, third] : [third, admin];
      const restore = await demote(left, demoted.userId, { role: 'admin' });
      expect(restore.json()).toMatchObject({ role: 'admin', jurisdiction: null });
      await db.query('UPDATE users SET disabled = false WHERE id = ANY ($1::bigint[])', [
        others.rows.map((row) => row.id),
      ]);
    });

    it("refuses a change without the CSRF token, or with another session's", async () => {
      const payload = { name: 'Other Co' };
      const none = await api.app.inject({
        method: 'POST',
        url: '/api/admin/organisations',
        headers: withSession(admin, false),
        payload,
      });
      expect(none.statusCode).toBe(403);
      expect(none.json<{ error: string }>().error).toBe('HW_ERR_CSRF');
      const other = await signInAs(api.app, 'admin@pool.test', PASSWORD);
      const wrong = await api.app.inject({
        method: 'POST',
        url: '/api/admin/organisations',
        headers: { cookie: admin.cookie, 'x-csrf-token': other.csrf },
        payload,
      });
      expect(wrong.statusCode).toBe(403);
      const organisations = await api.database.db.query(
        "SELECT 1 FROM organisations WHERE name = 'Other Co'",
      );
      expect(organisations.rows).toEqual([]);
      const right = await api.app.inject({
        method: 'POST',
        url: '/api/admin/organisations',
        headers: withSession(admin),
        payload,
      });
      expect(right.statusCode).toBe(201);
    });

    it('rate-limits sign-in attempts per address', async () => {
      const limited = await startTestApi({ loginPerMinute: 3 });
      try {
        const statuses: number[] = [];
        for (let attempt = 0; attempt < 4; attempt++) {
          const response = await limited.app.inject({
            method: 'POST',
            url: '/api/auth/login',
            payload: { email: 'x@pool.test', password: 'whatever it is' },
          });
          statuses.push(response.statusCode);
        }
        expect(statuses).toEqual([401, 401, 401, 429]);
      } finally {
        await limited.close();
      }
    });
  });

  it('sends the security headers on every answer: docs, API answers, errors', async () => {
    // Not /api/pool: its answer is cached, and the statistics below must be the first to fill it.
    const answers = await Promise.all([
      api.app.inject({ method: 'GET', url: '/api/docs/json' }),
      api.app.inject({ method: 'GET', url: '/api/auth/session' }),
      api.app.inject({ method: 'GET', url: '/api/no-such-route' }),
      api.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '{broken',
      }),
    ]);
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 401, 404, 400]);
    for (const answer of answers) {
      const policy = String(answer.headers['content-security-policy']);
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).toContain("object-src 'none'");
      expect(answer.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
      });
    }
  });

  describe('bad input', () => {
    const cases: readonly [string, InjectOptions, number, string, string?][] = [
      [
        'a missing field',
        {
          method: 'POST',
          url: '/api/admin/users',
          payload: { name: 'N', password: PASSWORD, role: 'admin' },
        },
        400,
        'HW_ERR_VALIDATION',
        'body.email',
      ],
      [
        'an unknown field',
        { method: 'POST', url: '/api/admin/organisations', payload: { name: 'N', colour: 'red' } },
        400,
        'HW_ERR_VALIDATION',
        'body.colour',
      ],
      [
        'a malformed email',
        {
          method: 'POST',
          url: '/api/admin/users',
          payload: { email: 'nope', name: 'N', password: PASSWORD, role: 'admin' },
        },
        400,
        'HW_ERR_VALIDATION',
        'body.email',
      ],
      [
        'a short password',
        {
          method: 'POST',
          url: '/api/admin/users',
          payload: { email: 'short@pool.test', name: 'N', password: 'short', role: 'admin' },
        },
        400,
        'HW_ERR_VALIDATION',
        'body.password',
      ],
      [
        'an operator without an organisation',
        {
          method: 'POST',
          url: '/api/admin/users',
          payload: { email: 'lone@pool.test', name: 'N', password: PASSWORD, role: 'operator' },
        },
        400,
        'HW_ERR_ROLE_MISMATCH',
        'body.organisationId',
      ],
      ['a bad id', { method: 'GET', url: '/api/admin/users/abc' }, 400, 'HW_ERR_VALIDATION', 'params.id'],
      [
        'a bad query',
        { method: 'GET', url: '/api/pool/blocks?limit=0' },
        400,
        'HW_ERR_VALIDATION',
        'query.limit',
      ],
      [
        'an unknown range',
        { method: 'GET', url: '/api/pool/hashrate?range=year' },
        400,
        'HW_ERR_VALIDATION',
        'query.range',
      ],
      [
        'an account with odd characters',
        { method: 'GET', url: '/api/miners/x%20y' },
        400,
        'HW_ERR_VALIDATION',
        'params.account',
      ],
      [
        'broken JSON',
        {
          method: 'POST',
          url: '/api/admin/organisations',
          payload: '{"name": ',
          headers: { 'content-type': 'application/json' },
        },
        400,
        'HW_ERR_BAD_JSON',
      ],
      [
        'a form instead of JSON',
        {
          method: 'POST',
          url: '/api/admin/organisations',
          payload: 'name=x',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
        415,
        'HW_ERR_UNSUPPORTED_MEDIA_TYPE',
      ],
      ['an unknown user', { method: 'GET', url: '/api/admin/users/999999' }, 404, 'HW_ERR_USER_NOT_FOUND'],
      [
        'an unknown miner',
        { method: 'GET', url: '/api/miners/nobody' },
        404,
        'HW_ERR_MINER_NOT_FOUND',
        'params.account',
      ],
      ['an unknown route', { method: 'GET', url: '/api/nothing-here' }, 404, 'HW_ERR_NOT_FOUND'],
    ];

    it.each(cases)('%s', async (_, request, status, code, field) => {
      const response = await api.app.inject({
        ...request,
        headers: { ...withSession(admin), ...(request.headers as Record<string, string> | undefined) },
      });
      expect(response.statusCode).toBe(status);
      const body = response.json<{ error: string; message: string; field?: string }>();
      expect(body.error).toBe(code);
      expect(body.message.length).toBeGreaterThan(0);
      expect(body.field).toBe(field);
    });

    it('refuses a second user with the same email, whatever its case', async () => {
      const response = await api.app.inject({
        method: 'POST',
        url: '/api/admin/users',
        headers: withSession(admin),
        payload: { email: 'ADMIN@pool.test', name: 'Twin', password: PASSWORD, role: 'admin' },
      });
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({ error: 'HW_ERR_EMAIL_TAKEN', field: 'body.email' });
    });

    it('answers 503, not 500, while the database is away, and carries a request id', async () => {
      const away = await buildApp({
        db: createDatabase('postgres://postgres@127.0.0.1:9/none', () => undefined),
        log: pino({ level: 'silent' }),
        settings: {
          sessions: sessionSettingsFrom(loadConfig({}).api),
          secureCookies: true,
          loginPerMinute: 10,
          trustProxy: [],
          liveIntervalMs: 1_000,
          bodyLimitBytes: 1024,
          agentBodyLimitBytes: 1024,
          agentRequestsPerMinute: 10,
          requestsPerMinute: 10,
        },
        reportSigner: signerFromKey(generateKeyPairSync('ed25519').privateKey),
        farms: {
          feeWindowBlocks: 144,
          alertThresholds: poolAlertThresholds(loadConfig({}).alerts, 10),
        },
        pool: {
          chain: 'regtest',
          settings: () => Promise.reject(new Error('unused')),
          updateSettings: () => Promise.reject(new Error('unused')),
          network: () => Promise.resolve(NETWORK),
          now: () => Date.now(),
          connect: () => connectInfo(loadConfig({})),
        },
      });
      try {
        const response = await away.inject({
          method: 'GET',
          url: '/api/pool/blocks',
          headers: { 'x-request-id': 'trace-me' },
        });
        expect(response.statusCode).toBe(503);
        expect(response.json<{ error: string }>().error).toBe('HW_ERR_UNAVAILABLE');
        expect(response.headers['x-request-id']).toBe('trace-me');
      } finally {
        await away.close();
      }
    });
  });

  describe('statistics', () => {
    beforeAll(async () => {
      const now = api.clock.ms;
      const shares: ShareRecord[] = [];
      // Over the last 10 minutes: MINER_ADDRESS's two rigs, 100 shares of difficulty 1,000 each
      // between them; the other miner, 50 of 2,000.
      for (let index = 0; index < 100; index++) {
        shares.push(
          share(MINER_ADDRESS, index % 2 === 0 ? 'rig1' : 'rig2', 1_000, now - 500_000 + index * 1_000),
        );
      }
      for (let index = 0; index < 50; index++) {
        shares.push(share(OTHER_MINER_ADDRESS, 'big', 2_000, now - 400_000 + index * 1_000));
      }
      // A SOLO rig last heard from 3 h 17 min ago: in the day's hours, out of the PPLNS window.
      shares.push({ ...share(MINER_ADDRESS, 'old-rig', 1_000, oldShareMs(now)), solo: true });
      // A SOLO miner that stopped yesterday: known, with no hashrate in the last day and out of the PPLNS window.
      shares.push({ ...share(GONE_ACCOUNT, 'rig', 1_000, now - 25 * 3_600_000), solo: true });
      await new ShareStore(api.database.db).store({
        id: '00000000-0000-4000-8000-000000005a75',
        nodeId: 0,
        shares,
        rejects: [
          { timeMs: now - 100_000, account: MINER_ADDRESS, worker: 'rig1', stale: true },
          {
            timeMs: now - 90_000,
            account: MINER_ADDRESS,
            worker: 'rig2',
            stale: false,
            kind: 'low-difficulty',
          },
          // An account the pool knows only from a refused share: no hashrate, no payout address.
          {
            timeMs: now - 80_000,
            account: NO_PAYOUT_ACCOUNT,
            worker: `${NO_PAYOUT_ACCOUNT}.rig`,
            stale: false,
          },
        ],
      });
      // Folded, as the pool does every few seconds: the old rig's hour is read whole.
      await foldRollups(api.database.db);
      const ledger = new BlockLedger(
        api.database.db,
        { scheme: 'pplns', feeBasisPoints: 100, pplnsWindowFactor: 2 },
        pino({ level: 'silent' }),
      );
      await ledger.record({
        height: 900_001,
        hash: 'ab'.repeat(32),
        reward: 312_500_000n,
        fees: 0n,
        networkDifficulty: 1e14,
        finder: { account: MINER_ADDRESS, worker: 'rig1' },
        solo: false,
        foundAtMs: now - 30_000,
        status: 'accepted',
        detail: 'accepted',
      });
      await withTransaction(api.database.db, async (client) => {
        const { rows } = await client.query<{ id: string }>('SELECT id::text FROM accounts WHERE name = $1', [
          MINER_ADDRESS,
        ]);
        const account = rows[0]?.id ?? '';
        await post(client, 'fee', [
          { book: minerBook(account), amount: 5_000_000n },
          { book: 'pool:wallet', amount: -5_000_000n },
        ]);
        await client.query(
          `INSERT INTO payouts (id, status, txid, total, sent_at) VALUES ($1, 'sent', $2, 1000000, now())`,
          ['0b5e7a1e-0000-4000-8000-000000000001', 'cd'.repeat(32)],
        );
        await client.query(
          'INSERT INTO payout_items (payout_id, account_id, address, amount) VALUES ($1, $2, $3, 1000000)',
          ['0b5e7a1e-0000-4000-8000-000000000001', account, MINER_ADDRESS],
        );
      });
    });

    it('summarises the pool: hashrate from the shares, miners and workers, network, fee, last blocks', async () => {
      const response = await api.app.inject({ method: 'GET', url: '/api/pool' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('public, max-age=2');
      const summary = response.json<{
        hashrate: { tenMinutes: number };
        miners: number;
        workers: number;
        network: unknown;
        fee: unknown;
        lastBlocks: { hash: string; status: string; finder: string }[];
      }>();
      const span = (api.clock.ms - Math.floor((api.clock.ms - 600_000) / 60_000) * 60_000) / 1000;
      expect(summary.hashrate.tenMinutes).toBeCloseTo(((100 * 1_000 + 50 * 2_000) * 2 ** 32) / span, -3);
      expect(summary).toMatchObject({
        miners: 2,
        workers: 3,
        network: { chain: 'regtest', height: NETWORK.height, difficulty: NETWORK.difficulty },
        fee: { scheme: 'pplns', percent: 1, soloPercent: 0.5 },
      });
      expect(summary.lastBlocks).toEqual([
        expect.objectContaining({ hash: 'ab'.repeat(32), status: 'pending', finder: MINER_ADDRESS }),
      ]);
    });

    it("shows one miner's page: workers, shares, balances and payments", async () => {
      const response = await api.app.inject({ method: 'GET', url: `/api/miners/${MINER_ADDRESS}` });
      expect(response.statusCode).toBe(200);
      const page = response.json<{
        workers: { name: string; shares: { accepted: number; stale: number }; lastShareAt: string | null }[];
        shares: unknown;
        balance: { immature: number; payable: number; paid: number };
        payments: unknown[];
      }>();
      expect(
        page.workers.map((worker) => [worker.name, worker.shares.accepted, worker.shares.stale]),
      ).toEqual([
        ['old-rig', 1, 0],
        ['rig1', 50, 1],
        ['rig2', 50, 0],
      ]);
      // To the minute, though the hour it is in is read whole.
      const oldShare = oldShareMs(api.clock.ms);
      expect(page.workers[0]?.lastShareAt).toBe(new Date(oldShare - (oldShare % 60_000)).toISOString());
      expect(page.workers[1]?.lastShareAt).not.toBeNull();
      const refused = { duplicate: 0, lowDifficulty: 1, invalid: 0 };
      expect(page.shares).toEqual({ accepted: 101, rejected: 1, stale: 1, ...refused, rejectRate: 2 / 103 });
      expect(page.workers[2]?.shares).toEqual({
        accepted: 50,
        rejected: 1,
        stale: 0,
        ...refused,
        rejectRate: 1 / 51,
      });
      // The block's PPLNS window: 100 x 1,000 of MINER_ADDRESS, 50 x 2,000 of the other: half each, less 1 %.
      expect(page.balance).toEqual({ immature: 154_687_500, payable: 5_000_000, paid: 1_000_000 });
      expect(page.payments).toEqual([
        {
          txid: 'cd'.repeat(32),
          amount: 1_000_000,
          address: MINER_ADDRESS,
          sentAt: expect.any(String) as string,
        },
      ]);
      const books = await api.database.db.query<{ book: string }>(
        "SELECT book FROM balances WHERE book LIKE 'immature:%'",
      );
      expect(books.rows.map((row) => row.book)).toContain(
        immatureBook(books.rows[0]?.book.split(':')[1] ?? ''),
      );
    });

    it('estimates earnings at the hashprice now, null with a reason when an input is missing', async () => {
      // Each account asked for once: its page is cached for 10 s.
      const pageOf = async (account: string): Promise<MinerStats> =>
        (await api.app.inject({ method: 'GET', url: `/api/miners/${account}` })).json<MinerStats>();
      expect(await pageOf(NO_PAYOUT_ACCOUNT)).toMatchObject({
        payoutAddress: null,
        // Stored without a kind, as an older node would: counted as invalid.
        shares: {
          accepted: 0,
          rejected: 1,
          stale: 0,
          duplicate: 0,
          lowDifficulty: 0,
          invalid: 1,
          rejectRate: 1,
        },
        earnings: {
          satsPerDay: null,
          unknownReason: 'network-unknown',
          basis: { hashpriceSatsPerThDay: null, scheme: 'pplns', feePercent: 1, feeWindowBlocks: 144 },
        },
      });
      await recordTemplate(api.database.db, {
        height: 900_000,
        difficulty: 1e14,
        feesSats: 2_000_000,
        atMs: api.clock.ms - 1_000,
      });
      const page = await pageOf(OTHER_MINER_ADDRESS);
      // Blocks a day at its hashrate (86,400 s x H/s over difficulty x 2^32 hashes a block) x (subsidy + fees), less 1 %.
      const blocksPerDay = (page.hashrate.oneDay * 86_400) / (1e14 * 2 ** 32);
      expect(page.earnings.unknownReason).toBeNull();
      expect(page.earnings.satsPerDay).toBeCloseTo(blocksPerDay * (312_500_000 + 2_000_000) * 0.99, 3);
      expect(page.earnings.basis).toMatchObject({
        hashrate: page.hashrate.oneDay,
        networkDifficulty: 1e14,
        height: 900_000,
      });
      expect((await pageOf(GONE_ACCOUNT)).earnings).toMatchObject({
        satsPerDay: null,
        unknownReason: 'no-hashrate',
      });
    });

    it('finds one worker, and says which part of the path is unknown', async () => {
      const worker = await api.app.inject({
        method: 'GET',
        url: `/api/miners/${MINER_ADDRESS}/workers/rig1`,
      });
      expect(worker.statusCode).toBe(200);
      expect(worker.json()).toMatchObject({ name: 'rig1', shares: { accepted: 50, stale: 1, rejected: 0 } });
      const noWorker = await api.app.inject({
        method: 'GET',
        url: `/api/miners/${MINER_ADDRESS}/workers/rig9`,
      });
      expect([noWorker.statusCode, noWorker.json()]).toEqual([
        404,
        expect.objectContaining({ error: 'HW_ERR_WORKER_NOT_FOUND', field: 'params.worker' }),
      ]);
      const noMiner = await api.app.inject({ method: 'GET', url: '/api/miners/nobody/workers/rig1' });
      expect(noMiner.json()).toMatchObject({ error: 'HW_ERR_MINER_NOT_FOUND', field: 'params.account' });
      const badName = await api.app.inject({
        method: 'GET',
        url: `/api/miners/${MINER_ADDRESS}/workers/a%20b`,
      });
      expect(badName.json()).toMatchObject({ error: 'HW_ERR_VALIDATION', field: 'params.worker' });
    });

    it('tells a miner how to connect: the ports, the chain, the difficulty it may ask for', async () => {
      const response = await api.app.inject({ method: 'GET', url: '/api/pool/connect' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        chain: 'regtest',
        hosts: [],
        endpoints: [{ scheme: 'stratum+tcp', port: 3333, solo: false }],
        difficulty: { start: 1024, min: 0.0001, max: 2 ** 48, targetShareSeconds: 10, passwordOption: 'd=' },
        soloPasswordOption: 'solo',
        sv2: null,
      });
    });

    it('pages blocks and payments, and charts hashrate', async () => {
      const blocks = await api.app.inject({ method: 'GET', url: '/api/pool/blocks?limit=1' });
      expect(blocks.json()).toMatchObject({
        blocks: [{ height: 900_001 }],
        next: expect.any(Number) as number,
      });
      const next = blocks.json<{ next: number }>().next;
      expect(
        (
          await api.app.inject({ method: 'GET', url: `/api/pool/blocks?limit=1&before=${String(next)}` })
        ).json(),
      ).toEqual({ blocks: [], next: null });
      const payments = await api.app.inject({ method: 'GET', url: '/api/pool/payments' });
      expect(payments.json()).toMatchObject({
        payments: [{ txid: 'cd'.repeat(32), total: 1_000_000, recipients: 1 }],
      });
      const chart = await api.app.inject({
        method: 'GET',
        url: `/api/miners/${MINER_ADDRESS}/hashrate?range=day`,
      });
      const points = chart.json<{ bucketSeconds: number; points: { accepted: number }[] }>();
      expect(points.bucketSeconds).toBe(900);
      expect(points.points.reduce((sum, point) => sum + point.accepted, 0)).toBe(101);
    });

    it('sends live updates: the pool each interval, a block when one is found', async () => {
      await api.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = api.app.server.address() as AddressInfo;
      let text = '';
      const request = httpRequest({ host: '127.0.0.1', port, path: '/api/live' }, (response) => {
        expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
      });
      request.end();
      try {
        await eventually(() => (text.includes('event: pool') ? true : undefined), 'the first pool event');
        await new BlockLedger(
          api.database.db,
          { scheme: 'pplns', feeBasisPoints: 100, pplnsWindowFactor: 2 },
          pino({ level: 'silent' }),
        ).record({
          height: 900_002,
          hash: 'ef'.repeat(32),
          reward: 312_500_000n,
          fees: 0n,
          networkDifficulty: 1e14,
          finder: { account: OTHER_MINER_ADDRESS, worker: 'big' },
          solo: false,
          foundAtMs: api.clock.ms,
          status: 'accepted',
          detail: 'accepted',
        });
        await eventually(() => (text.includes('event: block') ? true : undefined), 'the block event');
        const blockEvent = text.split('\n\n').find((event) => event.startsWith('event: block'));
        expect(blockEvent).toContain('ef'.repeat(32));
      } finally {
        request.destroy();
      }
    });
  });

  describe('farm agents', () => {
    it('get a key shown once and stored as a hash; a revoked key is refused at once', async () => {
      const farm = await api.app.inject({
        method: 'POST',
        url: `/api/organisations/${organisationId}/farms`,
        headers: withSession(admin),
        payload: { name: 'Isfahan 1' },
      });
      expect(farm.statusCode).toBe(201);
      const farmId = farm.json<{ id: string }>().id;
      const created = await api.app.inject({
        method: 'POST',
        url: `/api/farms/${farmId}/api-keys`,
        headers: withSession(admin),
        payload: { label: 'rack agent' },
      });
      const { key, apiKey } = created.json<{ key: string; apiKey: { id: string; prefix: string } }>();
      expect(key).toMatch(/^hwk_[A-Za-z0-9_-]{43}$/);
      expect(key.startsWith(apiKey.prefix)).toBe(true);
      const listed = await api.app.inject({
        method: 'GET',
        url: `/api/farms/${farmId}/api-keys`,
        headers: withSession(admin),
      });
      expect(listed.body).not.toContain(key);
      const stored = await api.database.db.query('SELECT * FROM api_keys WHERE id = $1', [apiKey.id]);
      expect(JSON.stringify(stored.rows)).not.toContain(key.slice(apiKey.prefix.length));
      const asAgent = { authorization: `Bearer ${key}` };
      const whoami = await api.app.inject({ method: 'GET', url: '/api/agent/farm', headers: asAgent });
      expect(whoami.json()).toMatchObject({ id: farmId, name: 'Isfahan 1' });
      await api.app.inject({
        method: 'DELETE',
        url: `/api/farms/${farmId}/api-keys/${apiKey.id}`,
        headers: withSession(admin),
      });
      const refused = await api.app.inject({ method: 'GET', url: '/api/agent/farm', headers: asAgent });
      expect(refused.statusCode).toBe(401);
      expect(refused.json<{ error: string }>().error).toBe('HW_ERR_BAD_API_KEY');
      const forged = await api.app.inject({
        method: 'GET',
        url: '/api/agent/farm',
        headers: { authorization: 'Bearer hwk_forged' },
      });
      expect(forged.statusCode).toBe(401);
    });
  });

  describe('administration', () => {
    it('changes the pool fee and payouts while the pool runs', async () => {
      const changed = await api.app.inject({
        method: 'PATCH',
        url: '/api/admin/settings',
        headers: withSession(admin),
        payload: { feePercent: 2.5, payoutThresholdSats: 5_000_000 },
      });
      expect(changed.json()).toMatchObject({
        feePercent: 2.5,
        payoutThresholdSats: 5_000_000,
        payoutsEnabled: true,
      });
      const read = await api.app.inject({
        method: 'GET',
        url: '/api/admin/settings',
        headers: withSession(admin),
      });
      expect(read.json()).toMatchObject({ feePercent: 2.5 });
      const row = await api.database.db.query<{ updated_by: string }>(
        "SELECT updated_by::text FROM pool_settings WHERE key = 'feePercent'",
      );
      expect(row.rows[0]?.updated_by).toBe(admin.userId);
    });
  });

  it('documents every route in OpenAPI at /api/docs', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(document.openapi).toMatch(/^3\./);
    const documented = Object.keys(document.paths);
    for (const route of api.app.routeTable) {
      expect(documented).toContain(route.url.replace(/:(\w+)/g, '{$1}'));
    }
    const page = await api.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
  });
});

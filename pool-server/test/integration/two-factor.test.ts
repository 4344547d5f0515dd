/**
 * Two-factor sign-in through the API on a real database: enrolment, the challenge after
 * the password, replayed and recovery codes, enforcement for admins, regulators and
 * organisations that require it, and wrong codes meeting the sign-in throttle.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganisation } from '../../src/accounts/organisations.ts';
import { timeStep } from '../../src/accounts/totp.ts';
import { createUser } from '../../src/accounts/users.ts';
import { createFarm } from '../../src/farms/farms.ts';
import { signedInAdmin, startTestApi, TEST_PASSWORD, type TestApi } from '../helpers/api.ts';
import { nextCode, totpAt, type Signed } from '../helpers/two-factor.ts';

interface Person extends Signed {
  readonly email: string;
}

describe('two-factor sign-in', () => {
  let api: TestApi;
  let admin: Record<string, string>;
  let organisationId: string;

  const send = (options: InjectOptions) => api.app.inject(options);
  const headers = (person: Signed) => ({ cookie: person.cookie, 'x-csrf-token': person.csrf });
  const login = (email: string, password = TEST_PASSWORD) =>
    send({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  const secondStep = (challenge: string, code: string) =>
    send({ method: 'POST', url: '/api/auth/login/two-factor', payload: { challenge, code } });
  const signedFrom = (response: LightMyRequestResponse): Signed => ({
    cookie: `hw_session=${response.cookies.find((cookie) => cookie.name === 'hw_session')?.value ?? ''}`,
    csrf: response.json<{ csrfToken: string }>().csrfToken,
  });

  /** An operator of the test organisation, signed in with the password alone. */
  async function operator(email: string, organisation = organisationId): Promise<Person> {
    await createUser(api.database.db, {
      email,
      name: email,
      password: TEST_PASSWORD,
      role: 'operator',
      organisationId: organisation,
    });
    const response = await login(email);
    expect(response.statusCode).toBe(200);
    return { email, ...signedFrom(response) };
  }

  /** Enrols the signed-in person: the secret, and the recovery codes the confirmation answers. */
  async function enrol(person: Signed): Promise<{ secret: string; recoveryCodes: string[]; step: number }> {
    const started = await send({
      method: 'POST',
      url: '/api/auth/two-factor/enrolment',
      headers: headers(person),
    });
    expect(started.statusCode).toBe(200);
    const { secret } = started.json<{ secret: string }>();
    const step = timeStep(Date.now());
    const confirmed = await send({
      method: 'POST',
      url: '/api/auth/two-factor/enrolment/confirm',
      headers: headers(person),
      payload: { code: totpAt(secret, step) },
    });
    expect(confirmed.statusCode).toBe(200);
    return { secret, recoveryCodes: confirmed.json<{ recoveryCodes: string[] }>().recoveryCodes, step };
  }

  /** The challenge the right password earns a user with a second factor. */
  async function challengeOf(email: string): Promise<string> {
    const response = await login(email);
    expect(response.statusCode).toBe(200);
    expect(response.cookies.find((cookie) => cookie.name === 'hw_session')).toBeUndefined();
    return response.json<{ challenge: string }>().challenge;
  }

  beforeAll(async () => {
    api = await startTestApi();
    organisationId = (await createOrganisation(api.database.db, 'Farm Co')).id;
    admin = await signedInAdmin(api, 'admin@pool.test');
  });
  afterAll(async () => {
    await api.close();
  });

  it('turns on only once the new app shows a right code, answers 10 recovery codes once, and ends other sessions', async () => {
    const person = await operator('enrol@farm.test');
    const other = signedFrom(await login(person.email));
    const status = () => send({ method: 'GET', url: '/api/auth/two-factor', headers: headers(person) });
    expect((await status()).json()).toEqual({ enabled: false, required: false, recoveryCodesLeft: 0 });

    const started = await send({
      method: 'POST',
      url: '/api/auth/two-factor/enrolment',
      headers: headers(person),
    });
    const { secret, uri } = started.json<{ secret: string; uri: string }>();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(uri).toBe(
      `otpauth://totp/hashwatt:enrol%40farm.test?issuer=hashwatt&secret=${secret}&algorithm=SHA1&digits=6&period=30`,
    );
    const wrong = totpAt(secret, timeStep(Date.now()) + 5);
    const refused = await send({
      method: 'POST',
      url: '/api/auth/two-factor/enrolment/confirm',
      headers: headers(person),
      payload: { code: wrong },
    });
    expect(refused.json()).toMatchObject({ error: 'HW_ERR_TWO_FACTOR_CODE', field: 'body.code' });
    expect((await status()).json()).toMatchObject({ enabled: false });
    // Until confirmed, the password alone still signs in.
    expect((await login(person.email)).json()).toHaveProperty('csrfToken');

    const confirmed = await send({
      method: 'POST',
      url: '/api/auth/two-factor/enrolment/confirm',
      headers: headers(person),
      payload: { code: totpAt(secret, timeStep(Date.now())) },
    });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.headers['cache-control']).toBe('private, no-store');
    const { recoveryCodes } = confirmed.json<{ recoveryCodes: string[] }>();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) {
      expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    }
    expect((await status()).json()).toEqual({ enabled: true, required: false, recoveryCodesLeft: 10 });
    // Only hashes are stored: no code, nor the recovery codes, in the database's text.
    const { rows } = await api.database.db.query<{ code_hash: Buffer }>(
      "SELECT code_hash FROM recovery_codes rc JOIN users u ON u.id = rc.user_id WHERE u.email = 'enrol@farm.test'",
    );
    expect(rows.map((row) => row.code_hash.length)).toEqual(Array(10).fill(32));
    // The session that enrolled goes on; the one signed in with the password alone ended.
    expect((await status()).statusCode).toBe(200);
    expect(
      (await send({ method: 'GET', url: '/api/auth/session', headers: headers(other) })).statusCode,
    ).toBe(401);
    const again = await send({
      method: 'POST',
      url: '/api/auth/two-factor/enrolment',
      headers: headers(person),
    });
    expect(again.json()).toMatchObject({ error: 'HW_ERR_TWO_FACTOR_ENABLED' });
    expect(again.statusCode).toBe(409);
  });

  it('signs in with the password and then a code; the same code is refused a second time, and a challenge works once', async () => {
    const person = await operator('code@farm.test');
    const { secret, step } = await enrol(person);

    const challenge = await challengeOf(person.email);
    // The code that confirmed the enrolment is spent already.
    expect((await secondStep(challenge, totpAt(secret, step))).json()).toMatchObject({
      error: 'HW_ERR_TWO_FACTOR_CODE',
    });
    // The next step's code, or the current one's should the machine be slow enough to pass it.
    const code = nextCode({ secret, recoveryCodes: [], lastStep: step });
    const signedIn = await secondStep(challenge, code);
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json()).toMatchObject({
      user: { email: person.email },
      twoFactor: { enabled: true, required: false },
    });
    const cookie = signedIn.cookies.find((entry) => entry.name === 'hw_session');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/api' });
    const farms = await send({
      method: 'GET',
      url: `/api/organisations/${organisationId}/farms`,
      headers: headers(signedFrom(signedIn)),
    });
    expect(farms.statusCode).toBe(200);

    // Used, the challenge is gone; a new one refuses the code already taken (a replay).
    expect((await secondStep(challenge, code)).json()).toMatchObject({
      error: 'HW_ERR_TWO_FACTOR_CHALLENGE',
    });
    const replay = await secondStep(await challengeOf(person.email), code);
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ error: 'HW_ERR_TWO_FACTOR_CODE' });
    expect(replay.cookies).toEqual([]);
    expect((await secondStep('no such challenge', code)).json()).toMatchObject({
      error: 'HW_ERR_TWO_FACTOR_CHALLENGE',
    });
  });

  it('takes one code once even when it comes on five challenges at once (a phished code replayed in a race)', async () => {
    const person = await operator('race@farm.test');
    const { secret, step } = await enrol(person);
    const challenges = await Promise.all(Array.from({ length: 5 }, () => challengeOf(person.email)));
    const code = nextCode({ secret, recoveryCodes: [], lastStep: step });
    const raced = await Promise.all(challenges.map((challenge) => secondStep(challenge, code)));
    expect(raced.map((response) => response.statusCode).sort()).toEqual([200, 401, 401, 401, 401]);
  });

  it('takes a recovery code once, as typed in any case with or without dashes, and renews them on proof', async () => {
    const person = await operator('recover@farm.test');
    const { recoveryCodes, secret } = await enrol(person);
    const [first = '', second = ''] = recoveryCodes;
    const typed = first.replaceAll('-', ' ').toUpperCase();
    const used = await secondStep(await challengeOf(person.email), typed);
    expect(used.statusCode).toBe(200);
    expect(
      (await send({ method: 'GET', url: '/api/auth/two-factor', headers: headers(signedFrom(used)) })).json(),
    ).toMatchObject({ recoveryCodesLeft: 9 });
    expect((await secondStep(await challengeOf(person.email), first)).json()).toMatchObject({
      error: 'HW_ERR_TWO_FACTOR_CODE',
    });

    const renew = (payload: object) =>
      send({
        method: 'POST',
        url: '/api/auth/two-factor/recovery-codes',
        headers: headers(signedFrom(used)),
        payload,
      });
    expect((await renew({ password: 'not the password at all' })).json()).toMatchObject({
      error: 'HW_ERR_CURRENT_PASSWORD',
    });
    expect((await renew({})).statusCode).toBe(400);
    const renewed = await renew({ password: TEST_PASSWORD });
    expect(renewed.statusCode).toBe(200);
    const fresh = renewed.json<{ recoveryCodes: string[] }>().recoveryCodes;
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(second);
    expect((await secondStep(await challengeOf(person.email), second)).json()).toMatchObject({
      error: 'HW_ERR_TWO_FACTOR_CODE',
    });
    expect((await secondStep(await challengeOf(person.email), fresh[0] ?? '')).statusCode).toBe(200);

    // Turned off with a current code, the password alone signs in again.
    const off = await send({
      method: 'POST',
      url: '/api/auth/two-factor/disable',
      headers: headers(signedFrom(used)),
      payload: { code: totpAt(secret, timeStep(Date.now()) + 1) },
    });
    expect(off.statusCode).toBe(204);
    expect((await login(person.email)).json()).toHaveProperty('csrfToken');
  });

  it('limits an admin without a second factor to setting one up, then lets the same session in', async () => {
    await createUser(api.database.db, {
      email: 'new-admin@pool.test',
      name: 'New admin',
      password: TEST_PASSWORD,
      role: 'admin',
    });
    const signedIn = await login('new-admin@pool.test');
    expect(signedIn.json()).toMatchObject({ twoFactor: { enabled: false, required: true } });
    const person = signedFrom(signedIn);
    const users = () => send({ method: 'GET', url: '/api/admin/users', headers: headers(person) });
    const refused = await users();
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: 'HW_ERR_TWO_FACTOR_REQUIRED' });
    // Every route but the public ones and the few open to enrolment, walked from the route table.
    const open = new Set([
      'GET /api/auth/session',
      'POST /api/auth/logout',
      'GET /api/auth/two-factor',
      'POST /api/auth/two-factor/enrolment',
      'POST /api/auth/two-factor/enrolment/confirm',
    ]);
    const walked = api.app.routeTable.filter(
      (route) =>
        route.access !== 'public' && route.access !== 'agent' && !open.has(`${route.method} ${route.url}`),
    );
    expect(walked.length).toBeGreaterThan(30);
    for (const route of walked) {
      const response = await send({
        method: route.method,
        url: route.url.replace(/:[a-zA-Z0-9]+/g, '1'),
        headers: headers(person),
        ...(route.method !== 'GET' && { payload: {} }),
      });
      expect(response.json(), `${route.method} ${route.url}`).toMatchObject({
        error: 'HW_ERR_TWO_FACTOR_REQUIRED',
      });
    }
    // What the session may do: itself, public pages, the enrolment, signing out.
    expect(
      (await send({ method: 'GET', url: '/api/auth/session', headers: headers(person) })).statusCode,
    ).toBe(200);
    expect((await send({ method: 'GET', url: '/api/pool', headers: headers(person) })).statusCode).toBe(200);
    expect(
      (await send({ method: 'GET', url: '/api/auth/current', headers: headers(person) })).json(),
    ).toMatchObject({ session: { twoFactor: { enabled: false, required: true } } });

    await enrol(person);
    expect((await users()).statusCode).toBe(200);
    const off = await send({
      method: 'POST',
      url: '/api/auth/two-factor/disable',
      headers: headers(person),
      payload: { password: TEST_PASSWORD },
    });
    expect(off.statusCode).toBe(409);
    expect(off.json()).toMatchObject({ error: 'HW_ERR_TWO_FACTOR_MANDATORY' });

    // An admin's reset (a lost phone): the sessions end, and the next sign-in enrols again.
    const { rows } = await api.database.db.query<{ id: string }>(
      "SELECT id::text FROM users WHERE email = 'new-admin@pool.test'",
    );
    const reset = await send({
      method: 'DELETE',
      url: `/api/admin/users/${rows[0]?.id ?? ''}/two-factor`,
      headers: admin,
    });
    expect(reset.statusCode).toBe(204);
    expect((await users()).statusCode).toBe(401);
    expect((await login('new-admin@pool.test')).json()).toMatchObject({
      twoFactor: { enabled: false, required: true },
    });
  });

  it("enforces an organisation's switch on its operators at once, and on no one else", async () => {
    const other = await createOrganisation(api.database.db, 'Other Co');
    const strict = await createOrganisation(api.database.db, 'Strict Co');
    await createFarm(api.database.db, strict.id, 'Hall S');
    const member = await operator('member@strict.test', strict.id);
    const outsider = await operator('outsider@other.test', other.id);
    const farmsOf = (person: Signed, organisation: string) =>
      send({ method: 'GET', url: `/api/organisations/${organisation}/farms`, headers: headers(person) });
    expect((await farmsOf(member, strict.id)).statusCode).toBe(200);

    const switched = await send({
      method: 'PATCH',
      url: `/api/admin/organisations/${strict.id}`,
      headers: admin,
      payload: { requireTwoFactor: true },
    });
    expect(switched.json()).toMatchObject({ id: strict.id, requireTwoFactor: true });
    const refused = await farmsOf(member, strict.id);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: 'HW_ERR_TWO_FACTOR_REQUIRED' });
    expect((await farmsOf(outsider, other.id)).statusCode).toBe(200);
    const fresh = await login(member.email);
    expect(fresh.json()).toMatchObject({ twoFactor: { enabled: false, required: true } });

    await enrol(member);
    expect((await farmsOf(member, strict.id)).statusCode).toBe(200);
    expect(
      (
        await send({
          method: 'GET',
          url: `/api/organisations/${strict.id}`,
          headers: headers(member),
        })
      ).json(),
    ).toMatchObject({ requireTwoFactor: true });
    // Operators cannot lift their organisation's switch.
    const lifted = await send({
      method: 'PATCH',
      url: `/api/admin/organisations/${strict.id}`,
      headers: headers(member),
      payload: { requireTwoFactor: false },
    });
    expect(lifted.statusCode).toBe(403);
    const created = await send({
      method: 'POST',
      url: '/api/admin/organisations',
      headers: admin,
      payload: { name: 'Born strict', requireTwoFactor: true },
    });
    expect(created.json()).toMatchObject({ requireTwoFactor: true });
  });

  it('kills a challenge at the third wrong code, and makes wrong codes wait as wrong passwords do', async () => {
    const person = await operator('guess@farm.test');
    const { secret } = await enrol(person);
    const wrongCode = (challenge: string) => secondStep(challenge, totpAt(secret, timeStep(Date.now()) + 10));

    const first = await challengeOf(person.email);
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect((await wrongCode(first)).json()).toMatchObject({ error: 'HW_ERR_TWO_FACTOR_CODE' });
    }
    expect((await secondStep(first, totpAt(secret, timeStep(Date.now()) + 1))).json()).toMatchObject({
      error: 'HW_ERR_TWO_FACTOR_CHALLENGE',
    });

    // Five wrong codes on the account (the default free failures): the next attempt waits,
    // even with the right code, until the API's clock passes the wait.
    const second = await challengeOf(person.email);
    for (let attempt = 4; attempt <= 5; attempt += 1) {
      expect((await wrongCode(second)).json()).toMatchObject({ error: 'HW_ERR_TWO_FACTOR_CODE' });
    }
    const right = totpAt(secret, timeStep(Date.now()) + 1);
    const waiting = await secondStep(second, right);
    expect(waiting.statusCode).toBe(429);
    expect(waiting.json()).toMatchObject({ error: 'HW_ERR_SIGN_IN_THROTTLED' });
    expect(Number(waiting.headers['retry-after'])).toBeGreaterThan(0);
    api.clock.ms += 60_000;
    expect((await secondStep(second, right)).statusCode).toBe(200);
  });
});

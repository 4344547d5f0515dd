/**
 * A test's authenticator app: it enrols users through the API as a person would (the
 * secret the API hands out, its current code) and remembers each user's secret and
 * recovery codes, so the helpers can sign admins and regulators in again.
 */
import { Secret, TOTP } from 'otpauth';
import type { LoginAnswer, RecoveryCodes, SessionView, TwoFactorEnrolment } from '@hashwatt/schemas';
import type { LightMyRequestResponse } from 'fastify';
import type { Api } from '../../src/api/app.ts';
import { timeStep, TOTP_PARAMETERS } from '../../src/accounts/totp.ts';

export interface Authenticator {
  readonly secret: string;
  /** Unused recovery codes, in the order handed out. */
  readonly recoveryCodes: string[];
  /** The last step whose code was used: the API takes no code twice. */
  lastStep: number;
}

/** By API, then by email: a test file may start several APIs with the same users. */
const authenticators = new WeakMap<Api, Map<string, Authenticator>>();

export function authenticatorOf(app: Api, email: string): Authenticator | undefined {
  return authenticators.get(app)?.get(email.toLowerCase());
}

/** The code of `secret` at a step (30 s). */
export function totpAt(secret: string, step: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), ...TOTP_PARAMETERS, timestamp: step * 30_000 });
}

/**
 * A code the API takes now and has not taken before: this step's, else the next one's
 * (within the API's window), else a recovery code, for sign-ins faster than one a step.
 */
export function nextCode(authenticator: Authenticator): string {
  const now = timeStep(Date.now());
  const step = Math.max(now, authenticator.lastStep + 1);
  if (step <= now + 1) {
    authenticator.lastStep = step;
    return totpAt(authenticator.secret, step);
  }
  const code = authenticator.recoveryCodes.shift();
  if (code === undefined) {
    throw new Error('the test signed in more often than its authenticator can give codes');
  }
  return code;
}

export interface Signed {
  readonly cookie: string;
  readonly csrf: string;
}

/** POSTs `payload`, insisting on 200. */
async function call(app: Api, url: string, payload: object, signed?: Signed) {
  const response = await app.inject({
    method: 'POST',
    url,
    payload,
    headers: signed === undefined ? {} : { cookie: signed.cookie, 'x-csrf-token': signed.csrf },
  });
  if (response.statusCode !== 200) {
    throw new Error(`POST ${url} failed: ${response.body}`);
  }
  return response;
}

function sessionCookie(response: LightMyRequestResponse): string | undefined {
  return response.cookies.find((entry) => entry.name === 'hw_session')?.value;
}

/** Sets up the signed-in user's authenticator through the API; its session is then a full one. */
export async function enrol(app: Api, email: string, signed: Signed): Promise<Authenticator> {
  const enrolment = (
    await call(app, '/api/auth/two-factor/enrolment', {}, signed)
  ).json<TwoFactorEnrolment>();
  const step = timeStep(Date.now());
  const confirmed = (
    await call(
      app,
      '/api/auth/two-factor/enrolment/confirm',
      { code: totpAt(enrolment.secret, step) },
      signed,
    )
  ).json<RecoveryCodes>();
  const authenticator = { secret: enrolment.secret, recoveryCodes: confirmed.recoveryCodes, lastStep: step };
  const known = authenticators.get(app) ?? new Map<string, Authenticator>();
  known.set(email.toLowerCase(), authenticator);
  authenticators.set(app, known);
  return authenticator;
}

/**
 * Signs in as a person with an authenticator app would: the password, then (for a user
 * with a second factor) a code; a user who must have one and has none is enrolled.
 */
export async function signInWithAuthenticator(
  app: Api,
  email: string,
  password: string,
): Promise<Signed & { readonly session: SessionView }> {
  let response = await call(app, '/api/auth/login', { email, password });
  const first = response.json<LoginAnswer>();
  if ('challenge' in first) {
    const authenticator = authenticatorOf(app, email);
    if (authenticator === undefined) {
      throw new Error(`${email} has a second factor the test helpers did not enrol`);
    }
    response = await call(app, '/api/auth/login/two-factor', {
      challenge: first.challenge,
      code: nextCode(authenticator),
    });
  }
  const session = response.json<SessionView>();
  const signed = { cookie: `hw_session=${sessionCookie(response) ?? ''}`, csrf: session.csrfToken };
  if (session.twoFactor.required && !session.twoFactor.enabled) {
    await enrol(app, email, signed);
    return { ...signed, session: { ...session, twoFactor: { required: true, enabled: true } } };
  }
  return { ...signed, session };
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../db/pool.ts';
import { HwError } from '../../errors.ts';
import { mayCall, type Caller, type RouteEntry } from '../access.ts';
import { findApiKey } from '../../accounts/api-keys.ts';
import { findSession } from '../../accounts/sessions.ts';
import { limitedToEnrolment } from '../../accounts/two-factor.ts';
import { sameToken } from '../../accounts/tokens.ts';
import { BanList } from '../../stratum/bans.ts';

export const SESSION_COOKIE = 'hw_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ANONYMOUS: Caller = { kind: 'anonymous' };

/**
 * Wrong API keys from one address: ten within a minute and, for a minute, its keys are
 * refused (429) without a database lookup. A wrong key is refused before the per-address
 * rate limit counts the request (that runs after identification), so without this a
 * flood of made-up keys would cost a query each, uncounted.
 */
const WRONG_KEYS = { threshold: 10, banSeconds: 60, decaySeconds: 60 } as const;
/** Addresses with nothing left to remember are forgotten every this many wrong keys. */
const SWEEP_EVERY = 1_000;

class WrongKeyThrottle {
  readonly #bans = new BanList(WRONG_KEYS);
  #sinceSweep = 0;

  refuseIfThrottled(address: string, nowMs: number): void {
    if (this.#bans.isBanned(address, nowMs)) {
      throw new HwError('HW_ERR_RATE_LIMITED', undefined, undefined, WRONG_KEYS.banSeconds);
    }
  }

  wrongKey(address: string, nowMs: number): void {
    this.#bans.penalize(address, 1, nowMs);
    this.#sinceSweep += 1;
    if (this.#sinceSweep >= SWEEP_EVERY) {
      this.#sinceSweep = 0;
      this.#bans.sweep(nowMs);
    }
  }
}

async function identify(db: Database, request: FastifyRequest, wrongKeys: WrongKeyThrottle): Promise<Caller> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const nowMs = Date.now();
    wrongKeys.refuseIfThrottled(request.ip, nowMs);
    const [scheme, key] = authorization.split(' ');
    const agent = scheme === 'Bearer' && key !== undefined ? await findApiKey(db, key) : undefined;
    if (!agent) {
      wrongKeys.wrongKey(request.ip, nowMs);
      throw new HwError('HW_ERR_BAD_API_KEY');
    }
    return { kind: 'agent', ...agent };
  }
  const token = request.cookies[SESSION_COOKIE];
  if (token === undefined || token === '') {
    return ANONYMOUS;
  }
  const session = await findSession(db, token);
  return session ? { kind: 'user', session, token } : ANONYMOUS;
}

/**
 * Installs, on the routes' context: the refusal to register a route without
 * config.access; who each request comes from (a session cookie or a farm's API key);
 * the role check; and the CSRF check on state-changing requests of signed-in users.
 */
export function installAuth(app: FastifyInstance, db: Database, table: RouteEntry[]): void {
  // Decorated as null (fastify 5 refuses shared objects as defaults); onRequest sets it before any handler runs.
  app.decorateRequest<Caller, 'caller'>('caller', null as unknown as Caller);
  const wrongKeys = new WrongKeyThrottle();
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (access === undefined) {
      throw new Error(`${route.method.toString()} ${route.url} declares no config.access: every route must`);
    }
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') {
        table.push({ method, url: route.url, access });
      }
    }
  });
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const access = request.routeOptions.config.access ?? 'admin';
    request.caller = await identify(db, request, wrongKeys);
    if (!mayCall(access, request.caller)) {
      throw new HwError(
        request.caller.kind === 'anonymous' ? 'HW_ERR_UNAUTHENTICATED' : 'HW_ERR_ROLE_FORBIDDEN',
      );
    }
    if (
      access !== 'public' &&
      request.caller.kind === 'user' &&
      limitedToEnrolment(request.caller.session.twoFactor) &&
      request.routeOptions.config.beforeTwoFactor !== true
    ) {
      throw new HwError('HW_ERR_TWO_FACTOR_REQUIRED');
    }
    if (access !== 'public' && request.caller.kind === 'user' && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameToken(sent, request.caller.session.csrfToken)) {
        throw new HwError('HW_ERR_CSRF');
      }
    }
    reply.header(
      'cache-control',
      access === 'public' && request.method === 'GET' ? 'public, max-age=2' : 'private, no-store',
    );
  });
}

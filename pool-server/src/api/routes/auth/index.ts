import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  LoginAnswer,
  LoginBody,
  Nullable,
  PasswordChange,
  SecondFactorBody,
  SessionView,
} from '@hashwatt/schemas';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HwError } from '../../../errors.ts';
import type { ApiDeps } from '../../deps.ts';
import {
  changePassword,
  signIn,
  signInWithSecondFactor,
  signOut,
  type SignInAnswer,
} from '../../../accounts/sessions.ts';
import { anonymousActor, auditApart, audited, userActor } from '../../audited.ts';
import { SESSION_COOKIE } from '../../plugins/auth.ts';
import { PUBLIC_ERRORS, SIGN_IN_ERRORS } from '../error-responses.ts';
import { twoFactorRoutes } from './two-factor.ts';

export const authRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  const { settings } = deps;
  const signInLimit = {
    max: settings.loginPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: () => new HwError('HW_ERR_RATE_LIMITED'),
  };

  /**
   * A sign-in step, audited: a refusal is kept as a failed sign-in naming the email
   * tried (never the password), though the request fails; a session started as its
   * user's sign-in. The entry is written before the cookie is sent: no entry, no cookie.
   */
  async function auditedSignIn<T extends SignInAnswer>(
    request: FastifyRequest,
    email: string | null,
    step: () => Promise<T>,
  ): Promise<T> {
    const answer = await step().catch(async (error: unknown) => {
      if (error instanceof HwError) {
        await auditApart(deps.db, request, {
          action: 'auth.sign-in-failed',
          actor: anonymousActor(email),
          after: { reason: error.code },
        });
      }
      throw error;
    });
    await auditApart(
      deps.db,
      request,
      'challenge' in answer
        ? { action: 'auth.sign-in-challenged', actor: anonymousActor(email) }
        : {
            action: 'auth.sign-in',
            actor: userActor(answer.session.user),
            ids: { user: answer.session.user.id },
          },
    );
    return answer;
  }

  /** The session's cookie is set; the answer is the session (with its CSRF token). */
  function started(reply: FastifyReply, { token, session }: { token: string; session: SessionView }) {
    reply.log.info({ user: session.user.id }, 'api: signed in');
    void reply.setCookie(SESSION_COOKIE, token, {
      path: '/api',
      httpOnly: true,
      secure: settings.secureCookies,
      sameSite: 'strict',
      expires: new Date(session.expiresAt),
    });
    return session;
  }

  app.post(
    '/auth/login',
    {
      config: { access: 'public', rateLimit: signInLimit },
      schema: {
        tags: ['auth'],
        summary:
          'Sign in: sets the session cookie and returns the CSRF token to send with every change; for a user with two-factor sign-in, returns a challenge for POST /api/auth/login/two-factor instead',
        body: LoginBody,
        response: { 200: LoginAnswer, ...SIGN_IN_ERRORS },
      },
    },
    async (request, reply) => {
      const answer = await auditedSignIn(request, request.body.email, () =>
        signIn(deps.db, request.body.email, request.body.password, settings.sessions, {
          address: request.ip,
          now: new Date(deps.pool.now()),
        }),
      );
      return 'challenge' in answer ? answer.challenge : started(reply, answer);
    },
  );

  app.post(
    '/auth/login/two-factor',
    {
      config: { access: 'public', rateLimit: signInLimit },
      schema: {
        tags: ['auth'],
        summary:
          "Sign in, second step: the challenge from POST /api/auth/login and a code of the user's authenticator app (or a recovery code); sets the session cookie",
        body: SecondFactorBody,
        response: { 200: SessionView, ...SIGN_IN_ERRORS },
      },
    },
    async (request, reply) =>
      started(
        reply,
        await auditedSignIn(request, null, () =>
          signInWithSecondFactor(
            deps.db,
            request.body,
            settings.sessions,
            { address: request.ip, now: new Date(deps.pool.now()) },
            Date.now(),
          ),
        ),
      ),
  );

  app.get(
    '/auth/session',
    {
      config: { access: 'user', beforeTwoFactor: true },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user and the CSRF token',
        response: { 200: SessionView, ...SIGN_IN_ERRORS },
      },
    },
    (request) => {
      if (request.caller.kind !== 'user') {
        throw new HwError('HW_ERR_UNAUTHENTICATED');
      }
      return request.caller.session;
    },
  );

  app.get(
    '/auth/current',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary:
          'Who is signed in, if anyone: the session, or null (never 401, so a page can ask before signing in)',
        response: { 200: Type.Object({ session: Nullable(SessionView) }), ...PUBLIC_ERRORS },
      },
    },
    (request, reply) => {
      // Public, yet about one browser: no shared cache may keep it.
      reply.header('cache-control', 'private, no-store');
      return { session: request.caller.kind === 'user' ? request.caller.session : null };
    },
  );

  app.post(
    '/auth/password',
    {
      config: { access: 'user' },
      schema: {
        tags: ['auth'],
        summary:
          "Changes the signed-in user's password: the current one is checked (and throttled) as at sign-in; every other session of the user ends",
        body: PasswordChange,
        response: { 204: Type.Null(), ...SIGN_IN_ERRORS },
      },
    },
    async (request, reply) => {
      if (request.caller.kind !== 'user') {
        throw new HwError('HW_ERR_UNAUTHENTICATED');
      }
      const { user } = request.caller.session;
      await changePassword(
        deps.db,
        user,
        request.caller.token,
        { current: request.body.currentPassword, next: request.body.newPassword },
        settings.sessions.throttle,
        { address: request.ip, now: new Date(deps.pool.now()) },
      );
      // changePassword checks the current password on the pool (its throttle counts must
      // stand), then changes it in a transaction of its own: the entry follows it.
      await auditApart(deps.db, request, {
        action: 'auth.password-change',
        actor: userActor(user),
        ids: { user: user.id },
      });
      request.log.info({ user: user.id }, 'api: password changed');
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { access: 'user', beforeTwoFactor: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign out: this session ends',
        response: { 204: Type.Null(), ...SIGN_IN_ERRORS },
      },
    },
    async (request, reply) => {
      const { caller } = request;
      if (caller.kind === 'user') {
        await audited(deps.db, request, 'auth.sign-out', async (tx) => {
          await signOut(tx, caller.token);
          return { result: undefined, ids: { user: caller.session.user.id } };
        });
      }
      void reply.clearCookie(SESSION_COOKIE, { path: '/api' });
      return reply.code(204).send(null);
    },
  );
  void app.register(twoFactorRoutes, deps);
  done();
};

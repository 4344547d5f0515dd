import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import {
  ErrorBody,
  RecoveryCodes,
  TwoFactorConfirmBody,
  TwoFactorEnrolment,
  TwoFactorProof,
  TwoFactorStatus,
} from '@hashwatt/schemas';
import { HwError } from '../../../errors.ts';
import type { ApiDeps } from '../../deps.ts';
import type { Caller } from '../../access.ts';
import { checkIdentityProof } from '../../../accounts/identity-proof.ts';
import {
  confirmEnrolment,
  disableTwoFactor,
  regenerateRecoveryCodes,
  startEnrolment,
  twoFactorStatus,
} from '../../../accounts/two-factor.ts';
import { audited } from '../../audited.ts';
import { SIGNED_IN_ERRORS, WRITE_ERRORS } from '../error-responses.ts';

/** A proof is throttled as a sign-in is. */
const PROOF_ERRORS = { ...WRITE_ERRORS, 429: ErrorBody, 503: ErrorBody };

function signedIn(caller: Caller): Extract<Caller, { kind: 'user' }> {
  if (caller.kind !== 'user') {
    throw new HwError('HW_ERR_UNAUTHENTICATED');
  }
  return caller;
}

/**
 * The signed-in user's own second factor: set it up (also from a session limited to
 * that), turn it off, renew the recovery codes. TOTP codes are checked against the wall
 * clock, which the user's phone follows.
 */
export const twoFactorRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  /** Checks the body's code or password, once the change it is for is known to be allowed. */
  const proofOf = (request: FastifyRequest<{ Body: TwoFactorProof }>) => () =>
    checkIdentityProof(
      deps.db,
      signedIn(request.caller).session.user,
      request.body,
      deps.settings.sessions,
      { address: request.ip, now: new Date(deps.pool.now()) },
      Date.now(),
    );

  app.get(
    '/auth/two-factor',
    {
      config: { access: 'user', beforeTwoFactor: true },
      schema: {
        tags: ['auth'],
        summary:
          'Whether two-factor sign-in is on, whether it is required, and how many recovery codes are left',
        response: { 200: TwoFactorStatus, ...SIGNED_IN_ERRORS },
      },
    },
    (request) => twoFactorStatus(deps.db, signedIn(request.caller).session.user.id),
  );

  app.post(
    '/auth/two-factor/enrolment',
    {
      config: { access: 'user', beforeTwoFactor: true },
      schema: {
        tags: ['auth'],
        summary:
          'Starts setting up an authenticator app: a new secret and its otpauth:// URI (for a QR code); nothing changes until /enrolment/confirm gets a code of it',
        response: { 200: TwoFactorEnrolment, ...WRITE_ERRORS },
      },
    },
    (request) => {
      const { user } = signedIn(request.caller).session;
      // The new secret goes to the caller only, never to the log.
      return audited(deps.db, request, 'two-factor.enrol', async (tx) => ({
        result: await startEnrolment(tx, user.id, user.email),
        ids: { user: user.id },
      }));
    },
  );

  app.post(
    '/auth/two-factor/enrolment/confirm',
    {
      config: { access: 'user', beforeTwoFactor: true },
      schema: {
        tags: ['auth'],
        summary:
          "Turns two-factor sign-in on with the new app's current code; answers the recovery codes, shown only this once. The user's other sessions end",
        body: TwoFactorConfirmBody,
        response: { 200: RecoveryCodes, ...WRITE_ERRORS },
      },
    },
    async (request) => {
      const caller = signedIn(request.caller);
      const recoveryCodes = await audited(deps.db, request, 'two-factor.enable', async (tx) => ({
        result: await confirmEnrolment(
          tx,
          caller.session.user.id,
          request.body.code,
          Date.now(),
          caller.token,
        ),
        ids: { user: caller.session.user.id },
      }));
      request.log.info({ user: caller.session.user.id }, 'api: two-factor sign-in turned on');
      return { recoveryCodes };
    },
  );

  app.post(
    '/auth/two-factor/recovery-codes',
    {
      config: { access: 'user' },
      schema: {
        tags: ['auth'],
        summary:
          'New recovery codes in place of all the old ones, shown only this once; needs a current code or the password',
        body: TwoFactorProof,
        response: { 200: RecoveryCodes, ...PROOF_ERRORS },
      },
    },
    async (request) => {
      const { user } = signedIn(request.caller).session;
      const recoveryCodes = await audited(deps.db, request, 'two-factor.recovery-codes', async (tx) => ({
        result: await regenerateRecoveryCodes(tx, user.id, proofOf(request)),
        ids: { user: user.id },
      }));
      request.log.info({ user: user.id }, 'api: recovery codes renewed');
      return { recoveryCodes };
    },
  );

  app.post(
    '/auth/two-factor/disable',
    {
      config: { access: 'user' },
      schema: {
        tags: ['auth'],
        summary:
          'Turns two-factor sign-in off (not for admins, regulators, or members of an organisation that requires it); needs a current code or the password',
        body: TwoFactorProof,
        response: { 204: Type.Null(), ...PROOF_ERRORS },
      },
    },
    async (request, reply) => {
      const { user } = signedIn(request.caller).session;
      await audited(deps.db, request, 'two-factor.disable', async (tx) => {
        await disableTwoFactor(tx, user.id, proofOf(request));
        return { result: undefined, ids: { user: user.id } };
      });
      request.log.info({ user: user.id }, 'api: two-factor sign-in turned off');
      return reply.code(204).send(null);
    },
  );
  done();
};

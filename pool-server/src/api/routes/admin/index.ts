import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  IdParams,
  Organisation,
  OrganisationCreate,
  OrganisationPatch,
  PoolSettings,
  PoolSettingsPatch,
  Price,
  PriceCreate,
  User,
  UserCreate,
  UserPatch,
} from '@hashwatt/schemas';
import type { ApiDeps } from '../../deps.ts';
import {
  createOrganisation,
  getOrganisation,
  listOrganisations,
  setRequireTwoFactor,
} from '../../../accounts/organisations.ts';
import { resetTwoFactor } from '../../../accounts/two-factor.ts';
import { createUser, getUser, listUsers, updateUser } from '../../../accounts/users.ts';
import { addPrice } from '../../../farms/economics/prices.ts';
import { audited } from '../../audited.ts';
import { userId } from '../../scope.ts';
import { WRITE_ERRORS } from '../error-responses.ts';

export const adminRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  app.get(
    '/admin/users',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Every user',
        response: { 200: Type.Array(User), ...WRITE_ERRORS },
      },
    },
    () => listUsers(deps.db),
  );

  app.post(
    '/admin/users',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Adds a user: an operator of an organisation, a regulator of a jurisdiction, or an admin',
        body: UserCreate,
        response: { 201: User, ...WRITE_ERRORS },
      },
    },
    async (request, reply) => {
      const user = await audited(deps.db, request, 'user.create', async (tx) => {
        const created = await createUser(tx, request.body);
        return {
          result: created,
          ids: { user: created.id },
          scope: { organisationId: created.organisationId },
          after: created,
        };
      });
      request.log.info({ user: user.id, role: user.role, by: userId(request.caller) }, 'api: user added');
      return reply.code(201).send(user);
    },
  );

  app.get(
    '/admin/users/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'A user',
        params: IdParams,
        response: { 200: User, ...WRITE_ERRORS },
      },
    },
    (request) => getUser(deps.db, request.params.id),
  );

  app.patch(
    '/admin/users/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary: "Renames, disables or re-keys a user (disabling or a new password ends the user's sessions)",
        params: IdParams,
        body: UserPatch,
        response: { 200: User, ...WRITE_ERRORS },
      },
    },
    async (request) => {
      const user = await audited(deps.db, request, 'user.update', async (tx) => {
        const before = await getUser(tx, request.params.id);
        const after = await updateUser(tx, request.params.id, request.body);
        return {
          result: after,
          ids: { user: after.id },
          scope: { organisationId: after.organisationId },
          before,
          // Never the password itself: only that it was changed.
          after: { ...after, ...(request.body.password !== undefined && { passwordChanged: true }) },
        };
      });
      request.log.info(
        { user: user.id, fields: Object.keys(request.body), by: userId(request.caller) },
        'api: user changed',
      );
      return user;
    },
  );

  app.get(
    '/admin/organisations',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Every organisation',
        response: { 200: Type.Array(Organisation), ...WRITE_ERRORS },
      },
    },
    () => listOrganisations(deps.db),
  );

  app.post(
    '/admin/organisations',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Adds an organisation',
        body: OrganisationCreate,
        response: { 201: Organisation, ...WRITE_ERRORS },
      },
    },
    async (request, reply) => {
      const organisation = await audited(deps.db, request, 'organisation.create', async (tx) => {
        const created = await createOrganisation(tx, request.body.name, request.body.requireTwoFactor);
        return { result: created, ids: { organisation: created.id }, after: created };
      });
      return reply.code(201).send(organisation);
    },
  );

  app.patch(
    '/admin/organisations/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary:
          'Requires two-factor sign-in of every member of an organisation, or stops requiring it; members without it are limited to setting it up at once',
        params: IdParams,
        body: OrganisationPatch,
        response: { 200: Organisation, ...WRITE_ERRORS },
      },
    },
    (request) =>
      audited(deps.db, request, 'organisation.update', async (tx) => {
        const before = await getOrganisation(tx, request.params.id);
        const after = await setRequireTwoFactor(tx, request.params.id, request.body.requireTwoFactor);
        return {
          result: after,
          ids: { organisation: after.id },
          scope: { organisationId: after.id },
          before,
          after,
        };
      }),
  );

  app.delete(
    '/admin/users/:id/two-factor',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary:
          "Resets a user's two-factor sign-in (a lost phone and lost recovery codes): its sessions end, and a user who must have it sets it up again at the next sign-in",
        params: IdParams,
        response: { 204: Type.Null(), ...WRITE_ERRORS },
      },
    },
    async (request, reply) => {
      await audited(deps.db, request, 'user.two-factor-reset', async (tx) => {
        const user = await getUser(tx, request.params.id);
        await resetTwoFactor(tx, user.id);
        return { result: undefined, ids: { user: user.id }, scope: { organisationId: user.organisationId } };
      });
      request.log.info(
        { user: request.params.id, by: userId(request.caller) },
        'api: two-factor sign-in reset',
      );
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/admin/settings',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary: "The pool's payout settings in force",
        response: { 200: PoolSettings, ...WRITE_ERRORS },
      },
    },
    () => deps.pool.settings(),
  );

  app.patch(
    '/admin/settings',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Changes the pool fee or payouts while the pool runs (seen by every process within 2 s)',
        body: PoolSettingsPatch,
        response: { 200: PoolSettings, ...WRITE_ERRORS },
      },
    },
    async (request) => {
      const by = userId(request.caller);
      const settings = await audited(deps.db, request, 'pool-settings.update', async (tx) => {
        const before = await deps.pool.settings();
        const after = await deps.pool.updateSettings(request.body, by, tx);
        return { result: after, ids: {}, before, after };
      });
      request.log.info({ changed: request.body, by }, 'api: pool settings changed');
      return settings;
    },
  );

  app.post(
    '/admin/prices',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary:
          'Enters a price or exchange rate by hand (BTC/USD, USD/IRR official or free market, USD/RUB)',
        body: PriceCreate,
        response: { 201: Price, ...WRITE_ERRORS },
      },
    },
    async (request, reply) => {
      const email = request.caller.kind === 'user' ? request.caller.session.user.email : 'unknown';
      const price = await audited(deps.db, request, 'price.add', async (tx) => {
        const added = await addPrice(tx, request.body, `manual:${email}`, deps.pool.now());
        return { result: added, ids: { price: `${added.base}/${added.quote}` }, after: added };
      });
      return reply.code(201).send(price);
    },
  );
  done();
};

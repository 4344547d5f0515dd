import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  IdParams,
  Organisation,
  OrganisationCreate,
  PoolSettings,
  PoolSettingsPatch,
  Price,
  PriceCreate,
  User,
  UserCreate,
  UserPatch,
} from '@hashwatt/schemas';
import type { ApiDeps } from '../../app.ts';
import { createOrganisation, listOrganisations } from '../../../accounts/organisations.ts';
import { createUser, getUser, listUsers, updateUser } from '../../../accounts/users.ts';
import { addPrice } from '../../../farms/prices.ts';
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
      const user = await createUser(deps.db, request.body);
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
      const user = await updateUser(deps.db, request.params.id, request.body);
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
    async (request, reply) => reply.code(201).send(await createOrganisation(deps.db, request.body.name)),
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
      const settings = await deps.pool.updateSettings(request.body, by);
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
      return reply.code(201).send(await addPrice(deps.db, request.body, `manual:${email}`, deps.pool.now()));
    },
  );
  done();
};

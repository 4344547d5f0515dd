import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { Farm, FarmCreate, IdParams, Organisation, User } from '@hashwatt/schemas';
import { createFarm, listFarms } from '../../../farms/farms.ts';
import type { ApiDeps } from '../../deps.ts';
import { getOrganisation } from '../../../accounts/organisations.ts';
import { listUsers } from '../../../accounts/users.ts';
import { audited, farmScope } from '../../audited.ts';
import { checkOrganisation } from '../../scope.ts';
import { WRITE_ERRORS } from '../error-responses.ts';

export const organisationRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  app.get(
    '/organisations/:id',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['organisations'],
        summary: 'An organisation',
        params: IdParams,
        response: { 200: Organisation, ...WRITE_ERRORS },
      },
    },
    async (request) => {
      checkOrganisation(request.caller, request.params.id);
      return getOrganisation(deps.db, request.params.id);
    },
  );

  app.get(
    '/organisations/:id/members',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['organisations'],
        summary: "An organisation's users",
        params: IdParams,
        response: { 200: Type.Array(User), ...WRITE_ERRORS },
      },
    },
    async (request) => {
      checkOrganisation(request.caller, request.params.id);
      await getOrganisation(deps.db, request.params.id);
      return listUsers(deps.db, request.params.id);
    },
  );

  app.get(
    '/organisations/:id/farms',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['organisations'],
        summary: "An organisation's farms",
        params: IdParams,
        response: { 200: Type.Array(Farm), ...WRITE_ERRORS },
      },
    },
    async (request) => {
      checkOrganisation(request.caller, request.params.id);
      await getOrganisation(deps.db, request.params.id);
      return listFarms(deps.db, request.params.id);
    },
  );

  app.post(
    '/organisations/:id/farms',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['organisations'],
        summary: 'Adds a farm to an organisation',
        params: IdParams,
        body: FarmCreate,
        response: { 201: Farm, ...WRITE_ERRORS },
      },
    },
    async (request, reply) => {
      checkOrganisation(request.caller, request.params.id);
      await getOrganisation(deps.db, request.params.id);
      const farm = await audited(deps.db, request, 'farm.create', async (tx) => {
        const created = await createFarm(tx, request.params.id, request.body.name);
        return {
          result: created,
          ids: { organisation: created.organisationId, farm: created.id },
          scope: farmScope(created),
          after: created,
        };
      });
      return reply.code(201).send(farm);
    },
  );
  done();
};

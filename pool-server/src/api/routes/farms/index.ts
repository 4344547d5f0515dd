import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ApiKey, ApiKeyCreate, ApiKeyCreated, FarmDevice, FarmKeyParams, IdParams } from '@hashwatt/schemas';
import type { ApiDeps } from '../../app.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../auth/api-keys.ts';
import { listDevices } from '../../../farms/devices.ts';
import { ownFarm } from '../../scope.ts';
import { SIGNED_IN_ERRORS } from '../error-responses.ts';

export const farmRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  app.get(
    '/farms/:id/devices',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: "A farm's miners as its agent reports them, with their latest reading",
        params: IdParams,
        response: { 200: Type.Array(FarmDevice), ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      return listDevices(deps.db, farm.id);
    },
  );

  app.get(
    '/farms/:id/api-keys',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: "A farm's agent keys (never the keys themselves)",
        params: IdParams,
        response: { 200: Type.Array(ApiKey), ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      return listApiKeys(deps.db, farm.id);
    },
  );

  app.post(
    '/farms/:id/api-keys',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: 'A new agent key for a farm: shown in this answer only',
        params: IdParams,
        body: ApiKeyCreate,
        response: { 201: ApiKeyCreated, ...SIGNED_IN_ERRORS },
      },
    },
    async (request, reply) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      const created = await createApiKey(deps.db, farm.id, request.body.label);
      request.log.info({ farm: farm.id, key: created.apiKey.id }, 'api: agent key created');
      return reply.code(201).send(created);
    },
  );

  app.delete(
    '/farms/:id/api-keys/:keyId',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: 'Revokes an agent key: the agent is refused from its next request',
        params: FarmKeyParams,
        response: { 200: ApiKey, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      return revokeApiKey(deps.db, farm.id, request.params.keyId);
    },
  );
  done();
};

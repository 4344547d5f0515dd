import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ApiKey, ApiKeyCreate, ApiKeyCreated, FarmKeyParams, IdParams } from '@hashwatt/schemas';
import type { ApiDeps } from '../../deps.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../../accounts/api-keys.ts';
import { audited, farmScope } from '../../audited.ts';
import { ownFarm } from '../../scope.ts';
import { SIGNED_IN_ERRORS } from '../error-responses.ts';

/** A farm's agent keys: listed, created (shown once) and revoked. */
export const farmApiKeyRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
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
      const created = await audited(deps.db, request, 'api-key.create', async (tx) => {
        const made = await createApiKey(tx, farm.id, request.body.label);
        // The key itself is shown once, to the caller: never in the log.
        return {
          result: made,
          ids: { farm: farm.id, apiKey: made.apiKey.id },
          scope: farmScope(farm),
          after: made.apiKey,
        };
      });
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
      return audited(deps.db, request, 'api-key.revoke', async (tx) => {
        const revoked = await revokeApiKey(tx, farm.id, request.params.keyId);
        return {
          result: revoked,
          ids: { farm: farm.id, apiKey: revoked.id },
          scope: farmScope(farm),
          after: revoked,
        };
      });
    },
  );
  done();
};

import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, Farm } from '@hashwatt/schemas';
import { getFarm } from '../../../farms/farms.ts';
import { HwError } from '../../../errors.ts';
import type { ApiDeps } from '../../app.ts';

export const agentRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  app.get(
    '/agent/farm',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['agent'],
        summary: "The farm an agent's key belongs to: agents check their key with it",
        security: [{ farmKey: [] }],
        response: { 200: Farm, 401: ErrorBody, 403: ErrorBody, 500: ErrorBody },
      },
    },
    async (request) => {
      if (request.caller.kind !== 'agent') {
        throw new HwError('HW_ERR_ROLE_FORBIDDEN');
      }
      return getFarm(deps.db, request.caller.farmId);
    },
  );
  done();
};

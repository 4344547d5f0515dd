import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, Farm, TelemetryBatch, TelemetryReceipt } from '@hashwatt/schemas';
import { getFarm } from '../../../farms/farms.ts';
import { ingestTelemetry } from '../../../farms/telemetry.ts';
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

  app.post(
    '/agent/telemetry',
    {
      config: { access: 'agent' },
      // A farm of thousands of miners sends a few MB a batch.
      bodyLimit: 64 << 20,
      schema: {
        tags: ['agent'],
        summary: "An agent's batch of readings: stored once, whatever the number of retries",
        security: [{ farmKey: [] }],
        body: TelemetryBatch,
        response: {
          200: TelemetryReceipt,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          413: ErrorBody,
          500: ErrorBody,
        },
      },
    },
    async (request) => {
      if (request.caller.kind !== 'agent') {
        throw new HwError('HW_ERR_ROLE_FORBIDDEN');
      }
      const receipt = await ingestTelemetry(deps.db, request.caller.farmId, request.body);
      request.log.info(
        {
          farm: request.caller.farmId,
          batch: receipt.batchId,
          stored: receipt.stored,
          miners: receipt.miners,
        },
        'api: telemetry batch',
      );
      return receipt;
    },
  );
  done();
};

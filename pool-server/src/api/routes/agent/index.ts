import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import {
  AgentCommand,
  CommandOutcome,
  DeviceCommand,
  ErrorBody,
  Farm,
  TelemetryBatch,
  TelemetryReceipt,
} from '@hashwatt/schemas';
import { recordOutcome, takeDueCommands } from '../../../farms/curtailment/device-commands.ts';
import { getFarm } from '../../../farms/farms.ts';
import { ingestTelemetry } from '../../../farms/telemetry-ingest.ts';
import { HwError } from '../../../errors.ts';
import type { ApiDeps } from '../../deps.ts';
import { audited, farmScope } from '../../audited.ts';

export const agentRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  // Counted per farm API key, not per address: a farm's agents may share one address
  // (NAT), and one broken agent must not starve another farm's.
  const config = {
    access: 'agent',
    rateLimit: {
      max: deps.settings.agentRequestsPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request: FastifyRequest) =>
        request.caller.kind === 'agent' ? `key:${request.caller.keyId}` : request.ip,
      errorResponseBuilder: () => new HwError('HW_ERR_RATE_LIMITED'),
    },
  } as const;
  app.get(
    '/agent/farm',
    {
      config,
      schema: {
        tags: ['agent'],
        summary: "The farm an agent's key belongs to: agents check their key with it",
        security: [{ farmKey: [] }],
        response: { 200: Farm, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody, 500: ErrorBody },
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
      config,
      // A farm of thousands of miners sends a few MB a batch; agents split larger ones.
      // The body is held and parsed whole, so this bounds what each request costs.
      bodyLimit: deps.settings.agentBodyLimitBytes,
      // Refused before or in the handler (validation, size, key, rate): counted by status.
      onResponse: (_request, reply, next) => {
        if (reply.statusCode >= 400) {
          deps.metrics?.telemetryRefused(reply.statusCode);
        }
        next();
      },
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
          415: ErrorBody,
          429: ErrorBody,
          500: ErrorBody,
        },
      },
    },
    async (request) => {
      if (request.caller.kind !== 'agent') {
        throw new HwError('HW_ERR_ROLE_FORBIDDEN');
      }
      const { farmId } = request.caller;
      const receipt = await audited(deps.db, request, 'agent.telemetry', async (tx) => {
        const stored = await ingestTelemetry(tx, farmId, request.body);
        if (!stored.stored) {
          // A retried batch, stored before: nothing changed now.
          return { result: stored, unchanged: true };
        }
        return {
          result: stored,
          ids: { farm: farmId, batch: stored.batchId },
          scope: farmScope(await getFarm(tx, farmId)),
          after: {
            miners: stored.miners,
            meters: stored.meters,
            readings: stored.miners + stored.meters,
            dropped: request.body.dropped,
          },
        };
      });
      deps.metrics?.telemetryTaken(receipt.stored, receipt.stored ? receipt.miners + receipt.meters : 0);
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

  app.get(
    '/agent/commands',
    {
      config,
      schema: {
        tags: ['agent'],
        summary:
          "The farm's device commands that are due; each is handed out once (again if unanswered for 10 minutes)",
        security: [{ farmKey: [] }],
        response: {
          200: Type.Array(AgentCommand),
          401: ErrorBody,
          403: ErrorBody,
          429: ErrorBody,
          500: ErrorBody,
        },
      },
    },
    async (request) => {
      if (request.caller.kind !== 'agent') {
        throw new HwError('HW_ERR_ROLE_FORBIDDEN');
      }
      return takeDueCommands(deps.db, request.caller.farmId, deps.pool.now(), RESEND_SECONDS);
    },
  );

  app.post(
    '/agent/commands/:commandId/outcome',
    {
      config,
      schema: {
        tags: ['agent'],
        summary: 'How a command ended on the device',
        security: [{ farmKey: [] }],
        params: Type.Object({ commandId: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }) }),
        body: CommandOutcome,
        response: {
          200: DeviceCommand,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          429: ErrorBody,
          500: ErrorBody,
        },
      },
    },
    async (request) => {
      if (request.caller.kind !== 'agent') {
        throw new HwError('HW_ERR_ROLE_FORBIDDEN');
      }
      const { farmId } = request.caller;
      const command = await audited(deps.db, request, 'device-command.outcome', async (tx) => {
        const ended = await recordOutcome(
          tx,
          farmId,
          request.params.commandId,
          request.body,
          deps.pool.now(),
        );
        return {
          result: ended,
          ids: { farm: farmId, device: ended.deviceId, command: ended.id },
          scope: farmScope(await getFarm(tx, farmId)),
          after: request.body,
        };
      });
      request.log.info({ command: command.id, status: command.status }, 'api: device command ended');
      return command;
    },
  );
  done();
};

/** A command handed out and never answered (the agent restarted) is handed out again after this. */
const RESEND_SECONDS = 600;

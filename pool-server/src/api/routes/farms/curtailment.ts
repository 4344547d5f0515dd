import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  Curtailment,
  CurtailmentCreate,
  CurtailmentOrder,
  CurtailmentOrderRecorded,
  CurtailmentOrderCreate,
  CurtailmentOrderWithdrawn,
  FarmOrderParams,
  IdParams,
} from '@hashwatt/schemas';
import type { ApiDeps } from '../../deps.ts';
import { queueCurtailment } from '../../../farms/curtailment/device-commands.ts';
import { createOrder, listOrders, withdrawOrder } from '../../../farms/curtailment/orders.ts';
import { audited, farmScope } from '../../audited.ts';
import { ownFarm, regulatedFarm, userId } from '../../scope.ts';
import { SIGNED_IN_ERRORS, WRITE_ERRORS } from '../error-responses.ts';

/** A farm's curtailment: grid operators' orders and how it complied, and putting it to sleep or waking it. */
export const farmCurtailmentRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  app.post(
    '/farms/:id/curtailment-orders',
    {
      config: { access: 'operator' },
      // As /farms/:id/curtailment: up to 100,000 device ids.
      bodyLimit: 3 * 1024 * 1024,
      schema: {
        tags: ['farms'],
        summary: "Records a grid operator's curtailment order, and can put the farm to sleep for it",
        params: IdParams,
        body: CurtailmentOrderCreate,
        response: { 201: CurtailmentOrderRecorded, ...SIGNED_IN_ERRORS },
      },
    },
    async (request, reply) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      const order = await audited(deps.db, request, 'curtailment-order.create', async (tx) => {
        const created = await createOrder(tx, farm.id, request.body, {
          userId: userId(request.caller),
          nowMs: deps.pool.now(),
        });
        return {
          result: created,
          ids: { farm: farm.id, curtailmentOrder: created.id },
          scope: farmScope(farm),
          // The devices named are many at most: their number, not the list.
          after: (({ deviceIds, ...rest }) => ({ ...rest, devicesNamed: deviceIds?.length ?? null }))(
            request.body,
          ),
        };
      });
      request.log.info({ farm: farm.id, order: order.id }, 'api: curtailment order recorded');
      return reply.code(201).send(order);
    },
  );

  app.delete(
    '/farms/:id/curtailment-orders/:orderId',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary:
          'Withdraws an order before its start, with the sleep commands it queued that the agent has not taken',
        params: FarmOrderParams,
        response: { 200: CurtailmentOrderWithdrawn, ...WRITE_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      const withdrawn = await audited(deps.db, request, 'curtailment-order.withdraw', async (tx) => {
        const done = await withdrawOrder(tx, farm.id, request.params.orderId, deps.pool.now());
        return {
          result: done,
          ids: { farm: farm.id, curtailmentOrder: done.order.id },
          scope: farmScope(farm),
          before: done.order,
          after: { commandsWithdrawn: done.commandsWithdrawn, commandsSent: done.commandsSent },
        };
      });
      request.log.info(
        { farm: farm.id, order: withdrawn.order.id, withdrawn: withdrawn.commandsWithdrawn },
        'api: curtailment order withdrawn',
      );
      return withdrawn;
    },
  );

  app.get(
    '/farms/:id/curtailment-orders',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary:
          "A farm's curtailment orders, newest first, each ended one with its verdict from all the evidence",
        params: IdParams,
        response: { 200: Type.Array(CurtailmentOrder), ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      return listOrders(deps.db, farm.id, deps.pool.now());
    },
  );

  app.get(
    '/regulator/farms/:id/curtailment-orders',
    {
      config: { access: 'regulator' },
      schema: {
        tags: ['regulator'],
        summary: "A farm's curtailment orders and how it complied, for the regulator of its jurisdiction",
        params: IdParams,
        response: { 200: Type.Array(CurtailmentOrder), ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await regulatedFarm(deps.db, request.caller, request.params.id);
      return listOrders(deps.db, farm.id, deps.pool.now());
    },
  );

  app.post(
    '/farms/:id/curtailment',
    {
      config: { access: 'operator' },
      // Up to 100,000 device ids of up to 18 digits, quoted and comma-separated: about 2.2 MB.
      bodyLimit: 3 * 1024 * 1024,
      schema: {
        tags: ['farms'],
        summary: 'Puts a whole farm (or the devices named) to sleep or wakes it, staggered over some minutes',
        params: IdParams,
        body: CurtailmentCreate,
        response: { 201: Curtailment, ...SIGNED_IN_ERRORS },
      },
    },
    async (request, reply) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      const curtailment = await audited(deps.db, request, 'curtailment.queue', async (tx) => {
        const queued = await queueCurtailment(tx, farm.id, {
          action: request.body.action,
          staggerMinutes: request.body.staggerMinutes,
          deviceIds: request.body.deviceIds,
          userId: userId(request.caller),
          nowMs: deps.pool.now(),
        });
        return {
          result: queued,
          ids: { farm: farm.id, curtailment: queued.curtailment },
          scope: farmScope(farm),
          // The devices named are many at most (up to 100,000): their number, not the list.
          after: {
            action: request.body.action,
            staggerMinutes: request.body.staggerMinutes,
            devicesNamed: request.body.deviceIds?.length ?? null,
            commands: queued.commands,
          },
        };
      });
      request.log.info(
        { farm: farm.id, ...curtailment, action: request.body.action },
        'api: curtailment queued',
      );
      return reply.code(201).send(curtailment);
    },
  );
  done();
};

import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  ApiKey,
  ApiKeyCreate,
  ApiKeyCreated,
  CommandCreate,
  Curtailment,
  CurtailmentCreate,
  CurtailmentOrder,
  CurtailmentOrderCreate,
  DevicePatch,
  DeviceCommand,
  EnergyQuery,
  EnergySummary,
  Farm,
  FarmDevice,
  FarmDeviceParams,
  FarmKeyParams,
  FarmPatch,
  FarmPower,
  IdParams,
  Price,
  PriceQuery,
  RestrictedWindow,
  RestrictedWindowCreate,
  Tariff,
  TariffCreate,
} from '@hashwatt/schemas';
import type { ApiDeps } from '../../app.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../../accounts/api-keys.ts';
import { listCommands, queueCommand, queueCurtailment } from '../../../farms/curtailment/device-commands.ts';
import { listDevices, updateDevice, type DeviceListing } from '../../../farms/devices/devices.ts';
import { farmPower } from '../../../farms/devices/farm-power.ts';
import { farmsInJurisdiction, updateFarm } from '../../../farms/farms.ts';
import { farmEnergy } from '../../../farms/energy/farm-energy.ts';
import { createOrder, listOrders } from '../../../farms/curtailment/orders.ts';
import { priceAt } from '../../../farms/economics/prices.ts';
import { addFarmWindow, addTariff, listTariffs, windowsForFarm } from '../../../farms/energy/tariffs.ts';
import { audited, farmScope } from '../../audited.ts';
import { jurisdictionOf, ownFarm, regulatedFarm, userId } from '../../scope.ts';
import { SIGNED_IN_ERRORS, WRITE_ERRORS } from '../error-responses.ts';

export const farmRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  const deviceListing = (): DeviceListing => ({
    nowMs: deps.pool.now(),
    gapAlertPercent: deps.farms.hashrateGapAlertPercent,
  });
  app.get(
    '/farms/:id',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: 'A farm: where it is, its time zone, its licence',
        params: IdParams,
        response: { 200: Farm, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => ownFarm(deps.db, request.caller, request.params.id),
  );

  app.patch(
    '/farms/:id',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: "Sets a farm's name, country and region, time zone or licence",
        params: IdParams,
        body: FarmPatch,
        response: { 200: Farm, ...WRITE_ERRORS },
      },
    },
    async (request) =>
      audited(deps.db, request, 'farm.update', async (tx) => {
        const before = await ownFarm(tx, request.caller, request.params.id);
        const after = await updateFarm(tx, before.id, request.body);
        return { result: after, ids: { farm: after.id }, scope: farmScope(after), before, after };
      }),
  );

  app.post(
    '/farms/:id/curtailment-orders',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: "Records a grid operator's curtailment order, and can put the farm to sleep for it",
        params: IdParams,
        body: CurtailmentOrderCreate,
        response: { 201: CurtailmentOrder, ...SIGNED_IN_ERRORS },
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
          after: request.body,
        };
      });
      request.log.info({ farm: farm.id, order: order.id }, 'api: curtailment order recorded');
      return reply.code(201).send(order);
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
    '/farms/:id/tariffs',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: "A farm's power tariff from a day on: a default price and time-of-use bands in local time",
        params: IdParams,
        body: TariffCreate,
        response: { 201: Tariff, ...WRITE_ERRORS },
      },
    },
    async (request, reply) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      const tariff = await audited(deps.db, request, 'tariff.add', async (tx) => {
        const added = await addTariff(tx, farm.id, request.body, userId(request.caller));
        return {
          result: added,
          ids: { farm: farm.id, tariff: added.id },
          scope: farmScope(farm),
          after: added,
        };
      });
      return reply.code(201).send(tariff);
    },
  );

  app.get(
    '/farms/:id/tariffs',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: "A farm's tariffs, newest first",
        params: IdParams,
        response: { 200: Type.Array(Tariff), ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => listTariffs(deps.db, (await ownFarm(deps.db, request.caller, request.params.id)).id),
  );

  app.post(
    '/farms/:id/restricted-windows',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: 'A window of local time in which the farm may not draw power (or only less), over a season',
        params: IdParams,
        body: RestrictedWindowCreate,
        response: { 201: RestrictedWindow, ...SIGNED_IN_ERRORS },
      },
    },
    async (request, reply) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      const window = await audited(deps.db, request, 'restricted-window.add', async (tx) => {
        const added = await addFarmWindow(tx, farm.id, request.body, userId(request.caller));
        return {
          result: added,
          ids: { farm: farm.id, restrictedWindow: added.id },
          scope: farmScope(farm),
          after: added,
        };
      });
      return reply.code(201).send(window);
    },
  );

  app.get(
    '/farms/:id/restricted-windows',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: "The restricted windows that hold for a farm: its own and its country's or region's",
        params: IdParams,
        response: { 200: Type.Array(RestrictedWindow), ...SIGNED_IN_ERRORS },
      },
    },
    async (request) =>
      windowsForFarm(deps.db, (await ownFarm(deps.db, request.caller, request.params.id)).id),
  );

  app.get(
    '/farms/:id/energy',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary:
          "A farm's metered energy over a period: total, peak against its licence, cost by band, inside restricted windows",
        params: IdParams,
        querystring: EnergyQuery,
        response: { 200: EnergySummary, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      return farmEnergy(deps.db, farm, request.query);
    },
  );

  app.get(
    '/regulator/farms/:id/energy',
    {
      config: { access: 'regulator' },
      schema: {
        tags: ['regulator'],
        summary: "A farm's metered energy over a period, for the regulator of its jurisdiction",
        params: IdParams,
        querystring: EnergyQuery,
        response: { 200: EnergySummary, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await regulatedFarm(deps.db, request.caller, request.params.id);
      return farmEnergy(deps.db, farm, request.query);
    },
  );

  app.get(
    '/prices',
    {
      config: { access: 'user' },
      schema: {
        tags: ['farms'],
        summary: 'A price or exchange rate as it was at a moment (now when absent), with its time and origin',
        querystring: PriceQuery,
        response: { 200: Price, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) =>
      priceAt(
        deps.db,
        request.query,
        request.query.at === undefined ? deps.pool.now() : Date.parse(request.query.at),
      ),
  );

  app.get(
    '/regulator/farms',
    {
      config: { access: 'regulator' },
      schema: {
        tags: ['regulator'],
        summary: "The farms licensed in the regulator's jurisdiction (every farm, for an admin)",
        response: { 200: Type.Array(Farm), ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => farmsInJurisdiction(deps.db, jurisdictionOf(request.caller)),
  );

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
      return listDevices(deps.db, farm.id, deviceListing());
    },
  );

  app.get(
    '/farms/:id/power',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary:
          "A farm's power and efficiency now: metered, estimated from nameplates (how many), or unknown and why",
        params: IdParams,
        response: { 200: FarmPower, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      return farmPower(deps.db, farm.id, deviceListing());
    },
  );

  app.patch(
    '/farms/:id/devices/:deviceId',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: 'Set where a device stands (rack, shelf, slot) and what its maker rates it at',
        params: FarmDeviceParams,
        body: DevicePatch,
        response: { 200: FarmDevice, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      return audited(deps.db, request, 'device.update', async (tx) => {
        const device = await updateDevice(
          tx,
          farm.id,
          request.params.deviceId,
          request.body,
          deviceListing(),
        );
        return {
          result: device,
          ids: { farm: farm.id, device: device.id },
          scope: farmScope(farm),
          after: request.body,
        };
      });
    },
  );

  app.post(
    '/farms/:id/devices/:deviceId/commands',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary:
          "Orders a device to sleep, resume, reboot, change its power target or pool: the farm's agent carries it out",
        params: FarmDeviceParams,
        body: CommandCreate,
        response: { 201: DeviceCommand, ...SIGNED_IN_ERRORS },
      },
    },
    async (request, reply) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      const command = await audited(deps.db, request, 'device-command.queue', async (tx) => {
        const queued = await queueCommand(tx, farm.id, request.params.deviceId, {
          action: request.body.action,
          params: request.body.params ?? {},
          userId: userId(request.caller),
          nowMs: deps.pool.now(),
        });
        return {
          result: queued,
          ids: { farm: farm.id, device: request.params.deviceId, command: queued.id },
          scope: farmScope(farm),
          after: request.body,
        };
      });
      request.log.info(
        { farm: farm.id, command: command.id, action: command.action },
        'api: device command queued',
      );
      return reply.code(201).send(command);
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

  app.get(
    '/farms/:id/commands',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: "A farm's device commands, newest first: who ordered what, and how it ended",
        params: IdParams,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000, default: 100 })),
        }),
        response: { 200: Type.Array(DeviceCommand), ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      return listCommands(deps.db, farm.id, request.query.limit ?? 100);
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

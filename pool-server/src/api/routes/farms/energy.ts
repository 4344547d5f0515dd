import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  EnergyQuery,
  EnergySummary,
  FarmTariffParams,
  FarmWindowParams,
  IdParams,
  RestrictedWindow,
  RestrictedWindowCreate,
  Tariff,
  TariffCreate,
} from '@hashwatt/schemas';
import type { ApiDeps } from '../../deps.ts';
import { farmEnergy } from '../../../farms/energy/farm-energy.ts';
import {
  addFarmWindow,
  addTariff,
  deleteFarmWindow,
  deleteTariff,
  listTariffs,
  replaceTariff,
  tariffOf,
  windowsForFarm,
} from '../../../farms/energy/tariffs.ts';
import { audited, farmScope } from '../../audited.ts';
import { ownFarm, regulatedFarm, userId } from '../../scope.ts';
import { SIGNED_IN_ERRORS, WRITE_ERRORS } from '../error-responses.ts';

/** A farm's energy: its tariffs, the restricted windows that hold for it, and its metered energy. */
export const farmEnergyRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
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

  app.put(
    '/farms/:id/tariffs/:tariffId',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary:
          'Corrects a tariff: its currency, first day, default price and time-of-use bands, replaced whole',
        params: FarmTariffParams,
        body: TariffCreate,
        response: { 200: Tariff, ...WRITE_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      return audited(deps.db, request, 'tariff.update', async (tx) => {
        const before = await tariffOf(tx, farm.id, request.params.tariffId);
        const after = await replaceTariff(tx, farm.id, before.id, request.body);
        return {
          result: after,
          ids: { farm: farm.id, tariff: after.id },
          scope: farmScope(farm),
          before,
          after,
        };
      });
    },
  );

  app.delete(
    '/farms/:id/tariffs/:tariffId',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: 'Removes a tariff: the one before it holds on in its place',
        params: FarmTariffParams,
        response: { 204: Type.Null(), ...SIGNED_IN_ERRORS },
      },
    },
    async (request, reply) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      await audited(deps.db, request, 'tariff.delete', async (tx) => {
        const removed = await deleteTariff(tx, farm.id, request.params.tariffId);
        return {
          result: undefined,
          ids: { farm: farm.id, tariff: removed.id },
          scope: farmScope(farm),
          before: removed,
        };
      });
      return reply.code(204).send(null);
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

  app.delete(
    '/farms/:id/restricted-windows/:windowId',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary: "Removes a restricted window set for the farm (never a country's or region's)",
        params: FarmWindowParams,
        response: { 204: Type.Null(), ...SIGNED_IN_ERRORS },
      },
    },
    async (request, reply) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      await audited(deps.db, request, 'restricted-window.delete', async (tx) => {
        const removed = await deleteFarmWindow(tx, farm.id, request.params.windowId);
        return {
          result: undefined,
          ids: { farm: farm.id, restrictedWindow: removed.id },
          scope: farmScope(farm),
          before: removed,
        };
      });
      return reply.code(204).send(null);
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
  done();
};

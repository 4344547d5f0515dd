import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { Farm, FarmPatch, IdParams } from '@hashwatt/schemas';
import type { ApiDeps } from '../../deps.ts';
import { farmsInJurisdiction, updateFarm } from '../../../farms/farms.ts';
import { audited, farmScope } from '../../audited.ts';
import { jurisdictionOf, ownFarm } from '../../scope.ts';
import { SIGNED_IN_ERRORS, WRITE_ERRORS } from '../error-responses.ts';
import { farmCurtailmentRoutes } from './curtailment.ts';
import { farmEnergyRoutes } from './energy.ts';
import { priceRoutes } from './prices.ts';
import { farmDeviceRoutes } from './devices.ts';
import { farmApiKeyRoutes } from './api-keys.ts';
import { farmHistoryRoutes } from './history.ts';
import { farmAlertThresholdRoutes } from './alert-thresholds.ts';

/**
 * A farm itself (its profile and licence, the farms a regulator oversees), and each
 * concern of a farm from its own file beside this one.
 */
export const farmRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
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

  void app.register(farmCurtailmentRoutes, deps);
  void app.register(farmEnergyRoutes, deps);
  void app.register(priceRoutes, deps);
  void app.register(farmDeviceRoutes, deps);
  void app.register(farmApiKeyRoutes, deps);
  void app.register(farmHistoryRoutes, deps);
  void app.register(farmAlertThresholdRoutes, deps);
  done();
};

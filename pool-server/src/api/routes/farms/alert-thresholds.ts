import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { AlertThresholdsPatch, FarmAlertThresholds, IdParams } from '@hashwatt/schemas';
import { farmAlertThresholds, updateFarmAlertThresholds } from '../../../farms/alert-thresholds.ts';
import type { ApiDeps } from '../../deps.ts';
import { audited, farmScope } from '../../audited.ts';
import { ownFarm, userId } from '../../scope.ts';
import { SIGNED_IN_ERRORS } from '../error-responses.ts';

/**
 * A farm's alert thresholds, set by its operators (and admins) for that farm alone: each
 * overrides the pool's default until it is set back to null. Regulators have none to
 * see: alerts are about running a farm (the 'operator' access refuses them).
 */
export const farmAlertThresholdRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  app.get(
    '/farms/:id/alert-thresholds',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms', 'alerts'],
        summary:
          "A farm's alert thresholds: the pool's defaults, the farm's overrides and what its rules use",
        params: IdParams,
        response: { 200: FarmAlertThresholds, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      return farmAlertThresholds(deps.db, farm.id, deps.farms.alertThresholds);
    },
  );

  app.patch(
    '/farms/:id/alert-thresholds',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms', 'alerts'],
        summary:
          "Sets a farm's alert thresholds: a value overrides the pool's default for this farm, null returns to it, a threshold not named is kept",
        params: IdParams,
        body: AlertThresholdsPatch,
        response: { 200: FarmAlertThresholds, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) =>
      audited(deps.db, request, 'alert-thresholds.update', async (tx) => {
        const farm = await ownFarm(tx, request.caller, request.params.id);
        const defaults = deps.farms.alertThresholds;
        const before = await farmAlertThresholds(tx, farm.id, defaults);
        const after = await updateFarmAlertThresholds(
          tx,
          farm.id,
          request.body,
          userId(request.caller),
          defaults,
        );
        return {
          result: after,
          ids: { farm: farm.id },
          scope: farmScope(farm),
          before: before.overrides,
          after: after.overrides,
        };
      }),
  );
  done();
};

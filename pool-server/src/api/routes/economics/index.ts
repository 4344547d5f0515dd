import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import {
  DeviceEconomicsQuery,
  EconomicsQuery,
  FarmDeviceEconomics,
  FarmEconomics,
  IdParams,
  OrganisationEconomics,
} from '@hashwatt/schemas';
import type { ApiDeps } from '../../deps.ts';
import {
  deviceEconomics,
  farmEconomics,
  organisationEconomics,
  type EconomicsSettings,
} from '../../../farms/economics/farm-economics.ts';
import { checkOrganisation, ownFarm } from '../../scope.ts';
import { SIGNED_IN_ERRORS } from '../error-responses.ts';

export const economicsRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  const settings = async (): Promise<EconomicsSettings> => ({
    poolFeePercent: (await deps.pool.settings()).feePercent,
    feeWindowBlocks: deps.farms.feeWindowBlocks,
    nowMs: deps.pool.now(),
  });

  app.get(
    '/farms/:id/economics',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['economics'],
        summary:
          "A farm's local days: hashrate reported and measured, energy, hashprice, expected and credited coins, revenue, power cost, profit, break-even and J/TH in the currency asked",
        params: IdParams,
        querystring: EconomicsQuery,
        response: { 200: FarmEconomics, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      return farmEconomics(
        deps.db,
        farm,
        { ...request.query, rateType: request.query.rateType ?? 'market' },
        await settings(),
      );
    },
  );

  app.get(
    '/farms/:id/device-economics',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['economics'],
        summary:
          "Each device's day: hashrate two ways, power, energy at the farm's cost per kWh, expected revenue, profit",
        params: IdParams,
        querystring: DeviceEconomicsQuery,
        response: { 200: FarmDeviceEconomics, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      return deviceEconomics(
        deps.db,
        farm,
        { ...request.query, rateType: request.query.rateType ?? 'market' },
        await settings(),
      );
    },
  );

  app.get(
    '/organisations/:id/economics',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['economics'],
        summary: "An organisation's farms over the same local days, each with its totals, and their sum",
        params: IdParams,
        querystring: EconomicsQuery,
        response: { 200: OrganisationEconomics, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      checkOrganisation(request.caller, request.params.id);
      return organisationEconomics(
        deps.db,
        request.params.id,
        { ...request.query, rateType: request.query.rateType ?? 'market' },
        await settings(),
      );
    },
  );

  done();
};

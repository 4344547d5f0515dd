import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { DeviceSeries, FarmDeviceParams, FarmSeries, IdParams, SeriesQuery } from '@hashwatt/schemas';
import type { ApiDeps } from '../../deps.ts';
import { deviceSeries } from '../../../farms/devices/device-history.ts';
import { farmSeries } from '../../../farms/farm-history.ts';
import { seriesFrame } from '../../../farms/series-frame.ts';
import { ownFarm } from '../../scope.ts';
import { SIGNED_IN_ERRORS } from '../error-responses.ts';

/** History charts of a farm and of its devices: the last 24 hours, 7 days or 30 days in buckets. */
export const farmHistoryRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  app.get(
    '/farms/:id/devices/:deviceId/series',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary:
          "A device's hashrate, power, chip and board temperatures and fans over 24 h, 7 d or 30 d, in at most 300 buckets",
        params: FarmDeviceParams,
        querystring: SeriesQuery,
        response: { 200: DeviceSeries, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      const frame = seriesFrame(request.query.range ?? '24h', deps.pool.now());
      return deviceSeries(deps.db, farm.id, request.params.deviceId, frame);
    },
  );

  app.get(
    '/farms/:id/series',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['farms'],
        summary:
          "A farm's reported and pool-measured hashrate, power and energy over 24 h, 7 d or 30 d, with its restricted windows and curtailment orders",
        params: IdParams,
        querystring: SeriesQuery,
        response: { 200: FarmSeries, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => {
      const farm = await ownFarm(deps.db, request.caller, request.params.id);
      return farmSeries(deps.db, farm, seriesFrame(request.query.range ?? '24h', deps.pool.now()));
    },
  );
  done();
};

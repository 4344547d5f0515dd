import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Price, PriceQuery } from '@hashwatt/schemas';
import type { ApiDeps } from '../../deps.ts';
import { priceAt } from '../../../farms/economics/prices.ts';
import { SIGNED_IN_ERRORS } from '../error-responses.ts';

/** Prices and exchange rates as they were at a moment, for valuing a farm. */
export const priceRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
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
  done();
};

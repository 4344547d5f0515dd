import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { HealthReport, Liveness, Readiness } from '@hashwatt/schemas';
import { healthReport } from '../../health.ts';
import { PUBLIC_ERRORS } from '../error-responses.ts';

export interface HealthRouteOptions {
  /** This process's readiness check (health.ts), shared by every route that tells it. */
  readonly readiness: () => Promise<Readiness>;
}

/**
 * GET /api/health: whether the pool can do its work now, for monitors. Public, so it
 * names no path, address or secret: the parts, whether each answers or can be written,
 * and since when not. Always 200: the status is in the body (GET /readyz answers 503).
 */
export const healthRoutes: FastifyPluginCallbackTypebox<HealthRouteOptions> = (app, options, done) => {
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['pool'],
        summary: 'Whether the pool can work now: the database, the node, and every journal it writes',
        response: { 200: HealthReport, ...PUBLIC_ERRORS },
      },
    },
    async () => healthReport(await options.readiness()),
  );
  done();
};

/**
 * GET /healthz (alive: the process answers) and GET /readyz (ready: 200, or 503 with
 * what is not), at the root as orchestrators and load balancers expect them; on the API
 * and on the metrics listener. Public, like /api/health, and told nothing more.
 */
export const probeRoutes: FastifyPluginCallbackTypebox<HealthRouteOptions> = (app, options, done) => {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['pool'],
        summary: 'Liveness: the process answers',
        response: { 200: Liveness },
      },
    },
    () => ({ status: 'alive' as const }),
  );
  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['pool'],
        summary:
          'Readiness: the node, the database, the journals and NATS (when configured) answer; else 503',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const readiness = await options.readiness();
      return reply.code(readiness.status === 'ready' ? 200 : 503).send(readiness);
    },
  );
  done();
};

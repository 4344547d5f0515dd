/**
 * The metrics listener (metrics.port), apart from the API: Prometheus scrapes /metrics
 * here, with the bearer token when one is configured, and orchestrators probe /healthz
 * and /readyz. Every process of the pool can have one, a Stratum node without the API too.
 */
import type { Readiness } from '@hashwatt/schemas';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import { sameToken } from '../accounts/tokens.ts';
import { HwError } from '../errors.ts';
import { installErrorHandling } from './plugins/errors.ts';
import { probeRoutes } from './routes/health/index.ts';

/** A scrape is a GET: nothing is read from a body. */
const BODY_LIMIT_BYTES = 1_024;

export interface MetricsAppDeps {
  readonly log: Logger;
  /** The metrics in the Prometheus text format, gathered at each scrape. */
  scrape(): Promise<{ readonly contentType: string; readonly text: string }>;
  /** The token /metrics requires as `Authorization: Bearer`; undefined: none (the listener is on loopback). */
  readonly token: string | undefined;
  readonly readiness: () => Promise<Readiness>;
}

function bearerToken(request: FastifyRequest): string | undefined {
  const [scheme, token] = (request.headers.authorization ?? '').split(' ');
  return scheme === 'Bearer' && token !== undefined && token !== '' ? token : undefined;
}

export async function buildMetricsApp(deps: MetricsAppDeps): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = deps.log.child(
    { component: 'metrics' },
    { redact: ['req.headers.authorization'] },
  );
  const app = Fastify({
    loggerInstance: logger,
    // A scrape every few seconds would bury the pool's own lines; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
  });
  installErrorHandling(app);
  app.get('/metrics', async (request, reply) => {
    if (deps.token !== undefined) {
      const given = bearerToken(request);
      if (given === undefined || !sameToken(given, deps.token)) {
        void reply.header('www-authenticate', 'Bearer realm="hashwatt metrics"');
        throw new HwError(
          'HW_ERR_UNAUTHENTICATED',
          'Send the metrics token (the contents of metrics.tokenFile) as Authorization: Bearer <token>.',
        );
      }
    }
    const { contentType, text } = await deps.scrape();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(text);
  });
  await app.register(probeRoutes, { readiness: deps.readiness });
  return app;
}

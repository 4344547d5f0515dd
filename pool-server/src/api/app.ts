import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type HookHandlerDoneFunction,
  type RawServerDefault,
} from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { RouteEntry } from './access.ts';
import type { ApiDeps } from './deps.ts';
import { checkReadiness, databaseProbes, oneAtATime } from './health.ts';
import { installAuth } from './plugins/auth.ts';
import { installDashboard } from './plugins/dashboard.ts';
import { installTextGuard } from './plugins/text-guard.ts';
import { installErrorHandling } from './plugins/errors.ts';
import { installValidation } from './plugins/validation.ts';
import { adminRoutes } from './routes/admin/index.ts';
import { alertRoutes } from './routes/alerts/index.ts';
import { agentRoutes } from './routes/agent/index.ts';
import { auditLogRoutes } from './routes/audit-log/index.ts';
import { authRoutes } from './routes/auth/index.ts';
import { economicsRoutes } from './routes/economics/index.ts';
import { farmRoutes } from './routes/farms/index.ts';
import { healthRoutes, probeRoutes } from './routes/health/index.ts';
import { liveRoutes } from './routes/live/index.ts';
import { minerRoutes } from './routes/miners/index.ts';
import { organisationRoutes } from './routes/organisations/index.ts';
import { poolRoutes } from './routes/pool/index.ts';
import { reportRoutes } from './routes/reports/index.ts';
import { HwError } from '../errors.ts';

export type Api = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/**
 * On every response, the dashboard's pages and the API's answers alike: scripts only
 * from this origin (no inline script, so injected markup cannot run), no framing (no
 * clickjacking), no MIME sniffing, and no URL leaked in a Referer. Styles may be inline:
 * the charts and the API docs set style attributes.
 */
const SECURITY_HEADERS = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

/**
 * Bodies are read as sent, never inflated, so the body limit bounds what a request can
 * make the API hold. A compressed body is refused before a byte of it is read [RFC 9110
 * 15.5.16: 415 for a content coding the server does not accept].
 */
function refuseEncodedBodies(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const encoding = request.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    done(
      new HwError(
        'HW_ERR_UNSUPPORTED_MEDIA_TYPE',
        'Send the body uncompressed: no Content-Encoding is accepted.',
      ),
    );
    return;
  }
  done();
}

/**
 * Fastify logs every request at info, which buries the pool's own lines (`pnpm start`'s
 * banner among them): a request and its answer are logged at debug, unless the answer is
 * an error, which keeps fastify's level (error when the handler threw, else info).
 */
class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (!this.isLogDisabled(request)) {
      request.log.debug({ req: request }, 'incoming request');
    }
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error || reply.statusCode >= 400) {
      super.requestCompleted(error, request, reply);
    } else if (!this.isLogDisabled(request)) {
      reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
    }
  }
}

/**
 * The HTTP API: one plugin per area under /api, OpenAPI at /api/docs. Tests build it and
 * call inject(); main.ts builds it and listens.
 */
export async function buildApp(deps: ApiDeps): Promise<Api> {
  const logger: FastifyBaseLogger = deps.log.child(
    { component: 'api' },
    { redact: ['req.headers.cookie', 'req.headers.authorization'] },
  );
  const app = Fastify({
    loggerInstance: logger,
    logController: new RequestLogController(),
    trustProxy: deps.settings.trustProxy.length > 0 ? [...deps.settings.trustProxy] : false,
    bodyLimit: deps.settings.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  }).withTypeProvider<TypeBoxTypeProvider>();
  installValidation(app);
  installErrorHandling(app);
  deps.metrics?.timeRequests(app);
  const readiness =
    deps.readiness ??
    oneAtATime(() =>
      checkReadiness({
        ...databaseProbes(deps.db),
        node: () => deps.pool.network(),
        nats: undefined,
        journals: () => deps.pool.journals?.() ?? [],
        now: () => deps.pool.now(),
      }),
    );
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.headers(SECURITY_HEADERS);
  });
  await app.register(cookie);
  // Every API route is limited per client address unless it sets a limit of its own
  // (sign-in, report issuing, the agents' routes per key); the dashboard's files are not.
  await app.register(rateLimit, {
    global: true,
    max: deps.settings.requestsPerMinute,
    timeWindow: 60_000,
    allowList: (request) => request.routeOptions.url?.startsWith('/api/') !== true,
    errorResponseBuilder: () => new HwError('HW_ERR_RATE_LIMITED'),
  });
  app.addHook('onRequest', refuseEncodedBodies);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'hashwatt API',
        version: '0.1.0',
        description: 'Pool statistics, miners, sign-in, organisations, farms and administration.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'hw_session' },
          farmKey: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  await app.register(
    async (api) => {
      installAuth(api, deps.db, routeTable);
      installTextGuard(api);
      await api.register(poolRoutes, deps);
      await api.register(healthRoutes, { readiness });
      await api.register(minerRoutes, deps);
      await api.register(liveRoutes, deps);
      await api.register(authRoutes, deps);
      await api.register(organisationRoutes, deps);
      await api.register(farmRoutes, deps);
      await api.register(reportRoutes, deps);
      await api.register(economicsRoutes, deps);
      await api.register(agentRoutes, deps);
      await api.register(adminRoutes, deps);
      await api.register(auditLogRoutes, deps);
      await api.register(alertRoutes, deps);
    },
    { prefix: '/api' },
  );
  await app.register(probeRoutes, { readiness });
  if (deps.settings.dashboardDir !== undefined) {
    await installDashboard(app, deps.settings.dashboardDir);
  }
  return app;
}

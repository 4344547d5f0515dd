import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { HwError } from '../../errors.ts';

/**
 * The dashboard's built files at /, beside the API: hashed assets cached for a year,
 * index.html never, and every other path outside /api (and /metrics, which is served on
 * the metrics listener) answered with index.html so the app's own router can show it (a
 * reload on /farms/7 works).
 */
export async function installDashboard(app: FastifyInstance, directory: string): Promise<void> {
  const index = path.join(directory, 'index.html');
  if (!existsSync(index)) {
    throw new Error(
      `the dashboard is not built: ${index} is missing (pnpm --filter @hashwatt/dashboard build)`,
    );
  }
  await app.register(fastifyStatic, {
    root: directory,
    prefix: '/',
    wildcard: false,
    index: false,
    // The build writes .br and .gz beside each asset: sent as they are to a browser that takes them.
    preCompressed: true,
    setHeaders(response, file) {
      response.header(
        'cache-control',
        file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  app.get('/*', async (request, reply) => {
    const route = request.url.split('?')[0] ?? '';
    if (route === '/metrics') {
      // A scraper pointed at the API must not read a page as metrics.
      throw new HwError(
        'HW_ERR_NOT_FOUND',
        'Metrics are served on a listener of their own: set metrics.port (HASHWATT_METRICS_PORT).',
      );
    }
    if (route === '/api' || route.startsWith('/api/')) {
      throw new HwError('HW_ERR_NOT_FOUND', `No such route. (${request.method} ${route})`);
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}

import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { HealthReport } from '@hashwatt/schemas';
import type { ApiDeps } from '../../deps.ts';
import { PUBLIC_ERRORS } from '../error-responses.ts';

/** A part that has not answered within this long counts as unreachable: a health check must answer quickly. */
const ANSWER_WITHIN_MS = 2_000;

/** Whether `asking` fulfils within ANSWER_WITHIN_MS. */
function answers(asking: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => {
      resolve(false);
    }, ANSWER_WITHIN_MS);
  });
  return Promise.race([
    asking.then(
      () => true,
      () => false,
    ),
    late,
  ]).finally(() => {
    clearTimeout(timer);
  });
}

/**
 * GET /api/health: whether the pool can do its work now, for monitors and load
 * balancers. Public, so it names no path, address or secret: the parts, whether each
 * answers or can be written, and since when not. Always 200: the status is in the body.
 */
export const healthRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
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
    async () => {
      const [database, node] = await Promise.all([
        answers(deps.db.query('SELECT 1')),
        answers(deps.pool.network()),
      ]);
      const journals = (deps.pool.journals?.() ?? []).map((state) => ({
        journal: state.journal,
        nodeId: state.nodeId,
        writable: state.writable,
        unwritableSince:
          state.unwritableSinceMs === undefined ? null : new Date(state.unwritableSinceMs).toISOString(),
        problem: state.problem ?? null,
      }));
      const healthy = database && node && journals.every((state) => state.writable);
      return {
        status: healthy ? ('ok' as const) : ('degraded' as const),
        database: { reachable: database },
        node: { reachable: node },
        journals,
        checkedAt: new Date(deps.pool.now()).toISOString(),
      };
    },
  );
  done();
};

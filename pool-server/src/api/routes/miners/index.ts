import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import {
  ChartQuery,
  HashrateChart,
  MinerParams,
  MinerStats,
  SeriesQuery,
  WorkerParams,
  WorkerSeries,
  WorkerStats,
} from '@hashwatt/schemas';
import { minerEarnings } from '../../../farms/economics/miner-earnings.ts';
import { minerStats } from '../../../ledger/miner-stats.ts';
import { scopeKnown } from '../../../ledger/hashrate.ts';
import { seriesFrame } from '../../../farms/series-frame.ts';
import { workerSeries } from '../../../farms/worker-history.ts';
import { HwError } from '../../../errors.ts';
import type { ApiDeps } from '../../deps.ts';
import { Memo } from '../../cache.ts';
import { chartDescription, chartOf, PUBLIC_CACHE_MS } from '../pool/index.ts';
import { PUBLIC_ERRORS } from '../error-responses.ts';

/** Miner pages kept at once… */
const PAGES_CACHED = 10_000;
/**
 * …each recomputed at most this often: ckpool refreshes its user pages once a minute,
 * and the live stream (/miners/:account/live) brings workers every few seconds.
 */
export const MINER_PAGE_CACHE_MS = 10_000;
export const minerRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  const pages = new Memo<MinerStats | undefined>(PAGES_CACHED, MINER_PAGE_CACHE_MS);
  const charts = new Memo<HashrateChart>(PAGES_CACHED, PUBLIC_CACHE_MS * 30);
  const workerCharts = new Memo<WorkerSeries>(PAGES_CACHED, PUBLIC_CACHE_MS * 30);
  /** The ledger's page and what it is expected to earn a day; undefined for an account never seen. */
  const pageOf = (account: string): Promise<MinerStats | undefined> =>
    pages.get(account, async () => {
      const nowMs = deps.pool.now();
      const stats = await minerStats(deps.db, account, nowMs);
      if (!stats) {
        return undefined;
      }
      const earnings = await minerEarnings(deps.db, {
        hashrate: stats.hashrate.oneDay,
        nowMs,
        feeWindowBlocks: deps.farms.feeWindowBlocks,
        settings: await deps.pool.settings(),
      });
      return { ...stats, earnings };
    });

  app.get(
    '/miners/:account',
    {
      config: { access: 'public' },
      schema: {
        tags: ['miners'],
        summary:
          "One miner's page, by payout address or account: hashrate, workers, shares, balance, payments",
        params: MinerParams,
        response: { 200: MinerStats, ...PUBLIC_ERRORS },
      },
    },
    async (request, reply) => {
      const { account } = request.params;
      const stats = await pageOf(account);
      if (!stats) {
        throw new HwError('HW_ERR_MINER_NOT_FOUND', undefined, 'params.account');
      }
      void reply.header('cache-control', `public, max-age=${String(MINER_PAGE_CACHE_MS / 1000)}`);
      return stats;
    },
  );

  app.get(
    '/miners/:account/hashrate',
    {
      config: { access: 'public' },
      schema: {
        tags: ['miners'],
        summary: "A miner's hashrate over the last day, week or month",
        description: chartDescription("the miner's first accepted share"),
        params: MinerParams,
        querystring: ChartQuery,
        response: { 200: HashrateChart, ...PUBLIC_ERRORS },
      },
    },
    async (request) => {
      const { account } = request.params;
      const range = request.query.range ?? 'day';
      const known = await pageOf(account);
      if (!known) {
        throw new HwError('HW_ERR_MINER_NOT_FOUND', undefined, 'params.account');
      }
      return charts.get(`${account}\u0000${range}`, () => chartOf(deps, { kind: 'account', account }, range));
    },
  );

  app.get(
    '/miners/:account/workers/:worker',
    {
      config: { access: 'public' },
      schema: {
        tags: ['miners'],
        summary: 'One worker of a miner: its hashrate, last share and shares by outcome over the last day',
        params: WorkerParams,
        response: { 200: WorkerStats, ...PUBLIC_ERRORS },
      },
    },
    async (request, reply) => {
      const { account, worker } = request.params;
      const stats = await pageOf(account);
      if (!stats) {
        throw new HwError('HW_ERR_MINER_NOT_FOUND', undefined, 'params.account');
      }
      const found = stats.workers.find((candidate) => candidate.name === worker);
      if (!found) {
        throw new HwError('HW_ERR_WORKER_NOT_FOUND', undefined, 'params.worker');
      }
      void reply.header('cache-control', `public, max-age=${String(MINER_PAGE_CACHE_MS / 1000)}`);
      return found;
    },
  );
  app.get(
    '/miners/:account/workers/:worker/series',
    {
      config: { access: 'public' },
      schema: {
        tags: ['miners'],
        summary:
          "One worker's pool-measured hashrate and shares (accepted, rejected, stale) over 24 h, 7 d or 30 d",
        description:
          'A bucket with accepted shares has the hashrate their work stands for. A bucket without is 0 only ' +
          "after the worker's first share and while a device mining as the worker (a farm device whose pool " +
          'user it is) reported hashing: it was connected and found nothing. Otherwise its hashrate is null, ' +
          'not measured: before the first share, or while nothing says the worker was connected.',
        params: WorkerParams,
        querystring: SeriesQuery,
        response: { 200: WorkerSeries, ...PUBLIC_ERRORS },
      },
    },
    async (request) => {
      const { account, worker } = request.params;
      const range = request.query.range ?? '24h';
      return workerCharts.get(`${account}\u0000${worker}\u0000${range}`, async () => {
        const scope = { kind: 'worker', account, worker } as const;
        // Any worker the pool ever had a share from: a rig idle since last week still has its history.
        if (!(await scopeKnown(deps.db, scope))) {
          throw new HwError('HW_ERR_WORKER_NOT_FOUND', undefined, 'params.worker');
        }
        return workerSeries(deps.db, { account, worker }, seriesFrame(range, deps.pool.now()));
      });
    },
  );
  done();
};

import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import {
  BlocksPage,
  ChartQuery,
  ConnectInfo,
  HashrateChart,
  PageQuery,
  PaymentsPage,
  PoolSummary,
  type ChartRange,
} from '@hashwatt/schemas';
import { hashrateChart, hashrates, type HashrateScope } from '../../../ledger/hashrate.ts';
import { activeCounts, recentBlocks, recentPayments } from '../../../ledger/pool-stats.ts';
import type { ApiDeps } from '../../deps.ts';
import { Memo } from '../../cache.ts';
import { PUBLIC_ERRORS } from '../error-responses.ts';

/** Public answers are recomputed at most this often, whatever the traffic. */
export const PUBLIC_CACHE_MS = 2_000;
/** The connect facts change only with the configuration, at a restart… */
const CONNECT_CACHE_SECONDS = 300;
/** …but for Stratum V2's authority key, not known until the Stratum role has made it at its first start. */
const CONNECT_KEY_UNKNOWN_CACHE_SECONDS = 10;
const LAST_BLOCKS = 5;
const DAY_MS = 86_400_000;
/** A range's length and the bucket its points have: 15 min over a day, hours beyond. */
const RANGES: Readonly<Record<ChartRange, { readonly days: number; readonly bucketSeconds: number }>> = {
  day: { days: 1, bucketSeconds: 900 },
  week: { days: 7, bucketSeconds: 3_600 },
  month: { days: 30, bucketSeconds: 3_600 },
};

/** What a chart's hashrate of null and of 0 mean, in the OpenAPI description of its route. */
export function chartDescription(firstShare: string): string {
  return (
    'A bucket with accepted shares has the hashrate their work stands for. A bucket without is null, ' +
    `not measured, when it ends before ${firstShare}: there was nothing to measure. After it, 0 when ` +
    'the pool was accepting miners at some time in the bucket, else null: it was down. A node that ' +
    'stopped without a clean stop counts as running up to a minute past its last mark. Buckets from ' +
    'before the pool kept its running record (before migration 0034) read 0 after the first share, ' +
    'down or not. Shares by outcome are counts, 0 when none came.'
  );
}

/** The chart of a scope over a named range ending now. */
export async function chartOf(
  deps: ApiDeps,
  scope: HashrateScope,
  range: ChartRange = 'day',
): Promise<HashrateChart> {
  const { days, bucketSeconds } = RANGES[range];
  const toMs = deps.pool.now();
  const points = await hashrateChart(deps.db, scope, { fromMs: toMs - days * DAY_MS, toMs, bucketSeconds });
  return {
    bucketSeconds,
    points: points.map((point) => ({
      time: new Date(point.timeMs).toISOString(),
      hashrate: point.hashrate,
      accepted: point.accepted,
      rejected: point.rejected,
      stale: point.stale,
    })),
  };
}

export const poolRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  const summaries = new Memo<PoolSummary>(1, PUBLIC_CACHE_MS);
  const charts = new Memo<HashrateChart>(3, PUBLIC_CACHE_MS * 30);

  app.get(
    '/pool',
    {
      config: { access: 'public' },
      schema: {
        tags: ['pool'],
        summary: 'The pool at a glance: hashrate, miners, the network, the fee, the last blocks',
        response: { 200: PoolSummary, ...PUBLIC_ERRORS },
      },
    },
    () =>
      summaries.get('pool', async () => {
        const nowMs = deps.pool.now();
        const [rates, counts, network, settings, blocks] = await Promise.all([
          hashrates(deps.db, { kind: 'pool' }, nowMs),
          activeCounts(deps.db, nowMs),
          deps.pool.network(),
          deps.pool.settings(),
          recentBlocks(deps.db, LAST_BLOCKS),
        ]);
        const [tenMinutes, oneHour, oneDay] = rates.map((estimate) => estimate.hashrate);
        return {
          hashrate: { tenMinutes: tenMinutes ?? 0, oneHour: oneHour ?? 0, oneDay: oneDay ?? 0 },
          ...counts,
          network: {
            chain: deps.pool.chain,
            height: network.height,
            difficulty: network.difficulty,
            // A block every 600 s on average: difficulty x 2^32 hashes each.
            hashrate: (network.difficulty * 2 ** 32) / 600,
          },
          fee: {
            scheme: settings.scheme,
            percent: settings.feePercent,
            soloPercent: settings.soloFeePercent,
          },
          payouts: {
            thresholdSats: settings.payoutThresholdSats,
            maturityConfirmations: settings.maturityConfirmations,
          },
          lastBlocks: [...blocks.items],
          updatedAt: new Date(nowMs).toISOString(),
        };
      }),
  );

  app.get(
    '/pool/blocks',
    {
      config: { access: 'public' },
      schema: {
        tags: ['pool'],
        summary: 'Blocks the pool found, newest first, with status and effort',
        querystring: PageQuery,
        response: { 200: BlocksPage, ...PUBLIC_ERRORS },
      },
    },
    async (request) => {
      const page = await recentBlocks(deps.db, request.query.limit ?? 20, request.query.before);
      return { blocks: [...page.items], next: page.next };
    },
  );

  app.get(
    '/pool/payments',
    {
      config: { access: 'public' },
      schema: {
        tags: ['pool'],
        summary: 'Payouts the pool sent, newest first',
        querystring: PageQuery,
        response: { 200: PaymentsPage, ...PUBLIC_ERRORS },
      },
    },
    async (request) => {
      const page = await recentPayments(deps.db, request.query.limit ?? 20, request.query.before);
      return { payments: [...page.items], next: page.next };
    },
  );

  app.get(
    '/pool/hashrate',
    {
      config: { access: 'public' },
      schema: {
        tags: ['pool'],
        summary: "The pool's hashrate over the last day, week or month",
        description: chartDescription('the first share the pool ever stored'),
        querystring: ChartQuery,
        response: { 200: HashrateChart, ...PUBLIC_ERRORS },
      },
    },
    (request) => {
      const range = request.query.range ?? 'day';
      return charts.get(range, () => chartOf(deps, { kind: 'pool' }, range));
    },
  );

  app.get(
    '/pool/connect',
    {
      config: { access: 'public' },
      schema: {
        tags: ['pool'],
        summary: 'How to point a miner at the pool: its Stratum ports, chain and difficulty options',
        response: { 200: ConnectInfo, ...PUBLIC_ERRORS },
      },
    },
    (_request, reply) => {
      const connect = deps.pool.connect();
      const seconds =
        connect.sv2 !== null && connect.sv2.authorityPublicKey === null
          ? CONNECT_KEY_UNKNOWN_CACHE_SECONDS
          : CONNECT_CACHE_SECONDS;
      void reply.header('cache-control', `public, max-age=${String(seconds)}`);
      return connect;
    },
  );
  done();
};

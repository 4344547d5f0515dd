import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorBody, MinerParams } from '@hashwatt/schemas';
import { hashrates } from '../../../ledger/hashrate.ts';
import { minerStats } from '../../../ledger/miner-stats.ts';
import { activeCounts, recentBlocks } from '../../../ledger/pool-stats.ts';
import { HwError } from '../../../errors.ts';
import type { ApiDeps } from '../../app.ts';
import { EventStream, LiveFeed, type LiveSource } from '../../live-feed.ts';

/** The pool's hashrate and miners each interval, and each block when found or when its status changes. */
function poolSource(deps: ApiDeps): LiveSource {
  const seen = new Map<string, string>();
  let first = true;
  return {
    async poll() {
      const nowMs = deps.pool.now();
      const [rates, counts, blocks] = await Promise.all([
        hashrates(deps.db, { kind: 'pool' }, nowMs),
        activeCounts(deps.db, nowMs),
        recentBlocks(deps.db, 10),
      ]);
      const [tenMinutes, oneHour, oneDay] = rates.map((estimate) => estimate.hashrate);
      const events: { event: string; data: unknown }[] = [
        {
          event: 'pool',
          data: { hashrate: { tenMinutes, oneHour, oneDay }, ...counts, time: new Date(nowMs).toISOString() },
        },
      ];
      for (const block of [...blocks.items].reverse()) {
        const state = `${block.status}:${String(block.confirmations)}`;
        if (seen.get(block.hash) !== state) {
          seen.set(block.hash, state);
          if (!first) {
            events.push({ event: 'block', data: block });
          }
        }
      }
      first = false;
      return events;
    },
  };
}

/** One miner's workers (hashrate, last share) each interval. */
function minerSource(deps: ApiDeps, account: string): LiveSource {
  return {
    async poll() {
      const stats = await minerStats(deps.db, account, deps.pool.now());
      return stats ? [{ event: 'workers', data: { hashrate: stats.hashrate, workers: stats.workers } }] : [];
    },
  };
}

export const liveRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  const feed = new LiveFeed(deps.settings.liveIntervalMs, (error) => {
    app.log.error({ err: error }, 'api: live update failed');
  });
  app.addHook('onClose', (_, finished) => {
    feed.close();
    finished();
  });

  /** Sends what the topic has now, then whatever each interval brings, until the client leaves. */
  const stream = async (
    request: FastifyRequest,
    reply: FastifyReply,
    key: string,
    source: () => LiveSource,
  ) => {
    reply.hijack();
    const events = new EventStream(reply.raw);
    for (const { event, data } of await source().poll()) {
      events.send(event, data);
    }
    const leave = feed.subscribe(key, source, events);
    request.raw.on('close', leave);
  };

  app.get(
    '/live',
    {
      config: { access: 'public' },
      schema: {
        tags: ['live'],
        summary:
          'Server-Sent Events: "pool" (hashrate, miners, workers) each interval, "block" when a block is found or changes status',
        produces: ['text/event-stream'],
        response: { 429: ErrorBody, 500: ErrorBody },
      },
    },
    (request, reply) => stream(request, reply, 'pool', () => poolSource(deps)),
  );

  app.get(
    '/miners/:account/live',
    {
      config: { access: 'public' },
      schema: {
        tags: ['live'],
        summary: 'Server-Sent Events: "workers" of one miner (hashrate, last share) each interval',
        params: MinerParams,
        produces: ['text/event-stream'],
        response: { 404: ErrorBody, 500: ErrorBody },
      },
    },
    async (request, reply) => {
      const { account } = request.params;
      if (!(await minerStats(deps.db, account, deps.pool.now()))) {
        throw new HwError('HW_ERR_MINER_NOT_FOUND', undefined, 'params.account');
      }
      await stream(request, reply, `miner:${account}`, () => minerSource(deps, account));
    },
  );
  done();
};

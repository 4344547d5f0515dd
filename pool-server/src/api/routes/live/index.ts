import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorBody, MinerParams } from '@hashwatt/schemas';
import { hashrates } from '../../../ledger/hashrate.ts';
import { minerStats } from '../../../ledger/miner-stats.ts';
import { activeCounts, recentBlocks } from '../../../ledger/pool-stats.ts';
import { HwError } from '../../../errors.ts';
import type { ApiDeps } from '../../deps.ts';
import { EventStream, LiveFeed, type LiveEvent, type LiveSource } from '../../live-feed.ts';

/**
 * The pool's hashrate and miners each interval; each block found since the topic
 * opened, and each block whose status or confirmations change.
 */
function poolSource(deps: ApiDeps): LiveSource {
  const openedAtMs = deps.pool.now();
  const seen = new Map<string, string>();
  const poolEvent = async (): Promise<LiveEvent> => {
    const nowMs = deps.pool.now();
    const [rates, counts] = await Promise.all([
      hashrates(deps.db, { kind: 'pool' }, nowMs),
      activeCounts(deps.db, nowMs),
    ]);
    const [tenMinutes, oneHour, oneDay] = rates.map((estimate) => estimate.hashrate);
    return {
      event: 'pool',
      data: { hashrate: { tenMinutes, oneHour, oneDay }, ...counts, time: new Date(nowMs).toISOString() },
    };
  };
  return {
    snapshot: async () => [await poolEvent()],
    async poll() {
      const [pool, blocks] = await Promise.all([poolEvent(), recentBlocks(deps.db, 10)]);
      const events: LiveEvent[] = [pool];
      for (const block of [...blocks.items].reverse()) {
        const state = `${block.status}:${String(block.confirmations)}`;
        const before = seen.get(block.hash);
        seen.set(block.hash, state);
        const isNew = before === undefined && Date.parse(block.foundAt) >= openedAtMs;
        if (isNew || (before !== undefined && before !== state)) {
          events.push({ event: 'block', data: block });
        }
      }
      return events;
    },
  };
}

/** One miner's workers (hashrate, last share) each interval. */
function minerSource(deps: ApiDeps, account: string): LiveSource {
  const poll = async (): Promise<LiveEvent[]> => {
    const stats = await minerStats(deps.db, account, deps.pool.now());
    return stats ? [{ event: 'workers', data: { hashrate: stats.hashrate, workers: stats.workers } }] : [];
  };
  return { snapshot: poll, poll };
}

export const liveRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  const feed = new LiveFeed(deps.settings.liveIntervalMs, (error) => {
    app.log.error({ err: error }, 'api: live update failed');
  });
  app.addHook('onClose', (_, finished) => {
    feed.close();
    finished();
  });

  /** Sends the topic's snapshot, then whatever each interval brings, until the client leaves. */
  const stream = async (
    request: FastifyRequest,
    reply: FastifyReply,
    key: string,
    source: () => LiveSource,
  ) => {
    reply.hijack();
    const leave = await feed.subscribe(key, source, new EventStream(reply.raw));
    if (request.raw.destroyed) {
      leave();
    } else {
      request.raw.on('close', leave);
    }
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

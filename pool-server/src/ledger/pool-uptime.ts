/**
 * When the pool was accepting miners: each Stratum node keeps a span (pool_uptime) from
 * its start, its last_seen moved on each minute and set once more at a clean stop. A
 * chart reads them to tell a bucket while the pool was down (null, not measured) from one
 * while it ran and no share came (0).
 */
import type { Logger } from 'pino';
import type { Database } from '../db/pool.ts';
import { Schedule } from './schedule.ts';

/**
 * How often a running node marks that it still runs. A node that dies without stopping
 * is taken to have run until a mark later than its last: at most this long is claimed
 * that nobody saw.
 */
export const UPTIME_MARK_MS = 60_000;
/** Spans are kept as long as the minute rollups are. */
const UPTIME_KEPT = '400 days';
const MARK = 'pool uptime';

export interface UptimeSpan {
  readonly fromMs: number;
  /** Exclusive. */
  readonly toMs: number;
}

/** What a chart needs of the record: when it began (null: never) and the spans in its range. */
export interface PoolRunning {
  readonly sinceMs: number | null;
  readonly spans: readonly UptimeSpan[];
}

/** The end a span claims: its clean stop, else one mark interval after its last mark. */
const CLAIMED_END = `CASE WHEN stopped THEN last_seen ELSE last_seen + interval '${String(UPTIME_MARK_MS / 1000)} seconds' END`;

/** The spans that meet [fromMs, toMs), and when the record begins. */
export async function poolRunning(db: Database, fromMs: number, toMs: number): Promise<PoolRunning> {
  const { rows } = await db.query<{ from_ms: string | null; to_ms: string | null }>(
    `SELECT (extract(epoch FROM min(started_at)) * 1000)::bigint::text AS from_ms, NULL AS to_ms FROM pool_uptime
      UNION ALL
     SELECT (extract(epoch FROM started_at) * 1000)::bigint::text,
            (extract(epoch FROM ${CLAIMED_END}) * 1000)::bigint::text
       FROM pool_uptime
      WHERE started_at < $2::timestamptz AND last_seen > $1::timestamptz - interval '${String(UPTIME_MARK_MS / 1000)} seconds'`,
    [new Date(fromMs), new Date(toMs)],
  );
  const [since, ...spans] = rows;
  return {
    sinceMs: since === undefined || since.from_ms === null ? null : Number(since.from_ms),
    spans: spans.map((row) => ({ fromMs: Number(row.from_ms), toMs: Number(row.to_ms) })),
  };
}

/**
 * Whether the pool ran at some time in [fromMs, toMs). Before the record began (data
 * older than it, or a pool that has none) it is taken to have run, as charts read it then.
 */
export function ranDuring(running: PoolRunning, fromMs: number, toMs: number): boolean {
  if (running.sinceMs === null || toMs <= running.sinceMs) {
    return true;
  }
  return running.spans.some((span) => span.fromMs < toMs && span.toMs > fromMs);
}

/** A node's span of one run: started, marked on, then stopped. */
export class UptimeSpanWriter {
  readonly #db: Database;
  readonly #nodeId: number;
  readonly #startedAt: Date;

  constructor(db: Database, nodeId: number, startedMs: number) {
    this.#db = db;
    this.#nodeId = nodeId;
    this.#startedAt = new Date(startedMs);
  }

  /** The span reaches `nowMs`; made if a mark before could not be written. */
  async mark(nowMs: number, stopped = false): Promise<void> {
    await this.#db.query(
      `INSERT INTO pool_uptime (node_id, started_at, last_seen, stopped) VALUES ($1, $2, $3, $4)
       ON CONFLICT (node_id, started_at) DO UPDATE SET last_seen = EXCLUDED.last_seen, stopped = EXCLUDED.stopped`,
      [this.#nodeId, this.#startedAt, new Date(Math.max(nowMs, this.#startedAt.getTime())), stopped],
    );
  }

  /** The run ended cleanly at `nowMs`. */
  stop(nowMs: number): Promise<void> {
    return this.mark(nowMs, true);
  }
}

/** Spans that ended before the minute rollups' retention: no chart reads them. */
export async function pruneUptime(db: Database, nowMs: number): Promise<void> {
  await db.query(`DELETE FROM pool_uptime WHERE last_seen < $1::timestamptz - interval '${UPTIME_KEPT}'`, [
    new Date(nowMs),
  ]);
}

/**
 * Marks, off the Stratum path, that node `nodeId` accepts miners: now, every minute, and at
 * its clean stop. A mark that fails (the database away) is logged and the next one tries
 * again; until one does, the time since the last mark reads as not running.
 */
export async function keepPoolUptime(
  db: Database,
  nodeId: number,
  log: Logger,
  clock: () => number = Date.now,
): Promise<{ stop(): Promise<void> }> {
  const span = new UptimeSpanWriter(db, nodeId, clock());
  const schedule = new Schedule(
    [{ name: MARK, intervalMs: UPTIME_MARK_MS, run: () => span.mark(clock()) }],
    log,
  );
  schedule.start();
  // The first mark is written (or its failure logged) before the node is said to run.
  await schedule.runNow(MARK);
  // Once a run: a span grows in place, so old ones pile up only as fast as restarts.
  await pruneUptime(db, clock()).catch((error: unknown) => {
    log.warn({ problem: (error as Error).message }, 'pool uptime: old spans were not pruned');
  });
  return {
    async stop() {
      await schedule.stop();
      await span.stop(clock()).catch((error: unknown) => {
        log.warn({ problem: (error as Error).message }, 'pool uptime: the stop was not recorded');
      });
    },
  };
}

/**
 * Whether the pool's parts answer: the one check behind GET /api/health (for monitors)
 * and GET /readyz (for load balancers and orchestrators), on the API and on the metrics
 * listener alike.
 */
import type { HealthReport, Readiness } from '@hashwatt/schemas';
import type { Queryable } from '../db/pool.ts';
import { failingTimescaleJobs, type TimescaleJobsReport } from '../db/timescale-jobs.ts';
import type { JournalState } from './pool-facts.ts';

/** A part that has not answered within this long counts as unreachable: a health check must answer quickly. */
const ANSWER_WITHIN_MS = 2_000;

/** The parts of this process a readiness check asks, each a question that fulfils when the part answers. */
export interface HealthProbes {
  /** Undefined in a process without a database (a Stratum node sending to NATS). */
  readonly database: (() => Promise<unknown>) | undefined;
  readonly node: () => Promise<unknown>;
  /** Undefined when no NATS is configured. */
  readonly nats: (() => Promise<unknown>) | undefined;
  /** Undefined in a process without a database. */
  readonly timescaleJobs: (() => Promise<TimescaleJobsReport>) | undefined;
  /** The journals of the Stratum nodes this process runs (or forked). */
  readonly journals: () => readonly JournalState[];
  readonly now: () => number;
}

/** What a readiness check asks of a process's database: that it answers, and TimescaleDB's jobs. */
export function databaseProbes(db: Queryable): Pick<HealthProbes, 'database' | 'timescaleJobs'> {
  return { database: () => db.query('SELECT 1'), timescaleJobs: () => failingTimescaleJobs(db) };
}

/** Whether `asking` fulfils within ANSWER_WITHIN_MS. */
function answers(asking: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => {
      resolve(false);
    }, ANSWER_WITHIN_MS);
  });
  return Promise.race([
    asking().then(
      () => true,
      () => false,
    ),
    late,
  ]).finally(() => {
    clearTimeout(timer);
  });
}

/** The failing jobs' count and names, or null when there is no TimescaleDB to ask or it did not answer in time. */
async function timescaleJobsOf(
  probe: (() => Promise<TimescaleJobsReport>) | undefined,
): Promise<Readiness['timescaleJobs']> {
  if (probe === undefined) {
    return null;
  }
  let report: TimescaleJobsReport | undefined;
  const answered = await answers(async () => {
    report = await probe();
  });
  if (!answered || report?.timescale !== true) {
    return null;
  }
  return { failing: report.failing.length, names: report.failing.map((job) => job.name) };
}

/** Asks every part at once; public, so it names no path, address or secret. */
export async function checkReadiness(probes: HealthProbes): Promise<Readiness> {
  const ask = (probe: (() => Promise<unknown>) | undefined): Promise<{ reachable: boolean } | null> =>
    probe === undefined ? Promise.resolve(null) : answers(probe).then((reachable) => ({ reachable }));
  const [database, node, nats, timescaleJobs] = await Promise.all([
    ask(probes.database),
    answers(probes.node),
    ask(probes.nats),
    timescaleJobsOf(probes.timescaleJobs),
  ]);
  const journals = probes.journals().map((state) => ({
    journal: state.journal,
    nodeId: state.nodeId,
    writable: state.writable,
    unwritableSince:
      state.unwritableSinceMs === undefined ? null : new Date(state.unwritableSinceMs).toISOString(),
    problem: state.problem ?? null,
  }));
  const ready =
    database?.reachable !== false &&
    node &&
    nats?.reachable !== false &&
    journals.every((state) => state.writable);
  return {
    status: ready ? 'ready' : 'not-ready',
    database,
    node: { reachable: node },
    nats,
    journals,
    timescaleJobs,
    checkedAt: new Date(probes.now()).toISOString(),
  };
}

/** The readiness as GET /api/health tells it: the database, the node and the journals (a process with the API has a database). */
export function healthReport(readiness: Readiness): HealthReport {
  const database = readiness.database?.reachable ?? false;
  const healthy = database && readiness.node.reachable && readiness.journals.every((state) => state.writable);
  return {
    status: healthy ? 'ok' : 'degraded',
    database: { reachable: database },
    node: readiness.node,
    journals: readiness.journals,
    checkedAt: readiness.checkedAt,
  };
}

/**
 * `check`, run at most once at a time: a probe asked while one is under way gets its
 * answer, so a flood of probes costs the database one query at a time.
 */
export function oneAtATime<T>(check: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => {
    running ??= check().finally(() => {
      running = undefined;
    });
    return running;
  };
}

/**
 * The process's Prometheus metrics and their listener (metrics.port). The Stratum side
 * keeps its counters in plain numbers where it runs (stratum-vitals.ts: on the Stratum
 * thread, in this process, or in each forked Stratum process); each scrape asks it for
 * them once and folds them in here, beside the API's, the database pool's, the journals'
 * size on disk, the NATS stream's backlog and TimescaleDB's job failures.
 */
import { readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Readiness } from '@hashwatt/schemas';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { buildMetricsApp } from '../api/metrics-app.ts';
import { ApiMetrics } from '../api/metrics.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/pool.ts';
import type { LedgerBus } from '../ledger/share-stream.ts';
import { failingTimescaleJobs, type TimescaleJobsReport } from '../db/timescale-jobs.ts';
import { journalSizes, streamBacklog, type JournalSize, type StreamBacklog } from './metrics-sources.ts';
import { defineStratumMetrics, type StratumReading } from './stratum-metrics.ts';

/** A source that has not answered within this long is left out of the scrape (its series vanish for it). */
const SOURCE_WITHIN_MS = 2_000;

/** What a process's metrics are read from. */
export interface MetricsSources {
  /** This process's Stratum counters: its own node's, its thread's or its forked processes'. */
  readonly stratum: (() => Promise<readonly StratumReading[]>) | undefined;
  readonly db: Database | undefined;
  readonly bus: LedgerBus | undefined;
  readonly readiness: () => Promise<Readiness>;
}

/** What a scrape read; a source that failed or was too slow is undefined. */
interface Reading {
  stratum: readonly StratumReading[] | undefined;
  journals: readonly JournalSize[] | undefined;
  stream: StreamBacklog | undefined;
  timescale: TimescaleJobsReport | undefined;
}

/** `asking`'s answer, or undefined once it fails or takes longer than SOURCE_WITHIN_MS. */
function within<T>(asking: () => Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      resolve(undefined);
    }, SOURCE_WITHIN_MS);
  });
  return Promise.race([asking().catch(() => undefined), late]).finally(() => {
    clearTimeout(timer);
  });
}

/** The bearer token /metrics requires, from metrics.tokenFile; undefined without one. */
function metricsToken(config: Config, log: Logger): string | undefined {
  const file = config.metrics.tokenFile;
  if (file === undefined) {
    return undefined;
  }
  const token = readFileSync(file, 'utf8').trim();
  if (token === '') {
    throw new Error(`metrics.tokenFile ${file} is empty: put the bearer token Prometheus sends in it`);
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    log.warn({ file }, 'metrics: the token file can be read by other users; chmod 600 it');
  }
  return token;
}

export class PoolMetrics {
  readonly registry = new Registry();
  readonly api: ApiMetrics;
  readonly #config: Config;
  #stratum: (() => Promise<readonly StratumReading[]>) | undefined;
  #db: Database | undefined;
  #bus: LedgerBus | undefined;
  #reading: Reading = { stratum: undefined, journals: undefined, stream: undefined, timescale: undefined };

  constructor(config: Config) {
    this.#config = config;
    collectDefaultMetrics({ register: this.registry });
    this.api = new ApiMetrics(this.registry);
    defineStratumMetrics(this.registry, () => this.#reading.stratum ?? []);
    this.#defineStorageMetrics();
  }

  /** Reads every source once, then renders the registry. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    const stratum = this.#stratum;
    const db = this.#db;
    const bus = this.#bus;
    const [stratumReading, journals, stream, timescale] = await Promise.all([
      stratum ? within(stratum) : undefined,
      within(() => journalSizes(this.#config.dataDir)),
      bus ? within(() => streamBacklog(bus, this.#config.nats.writerName)) : undefined,
      db ? within(() => failingTimescaleJobs(db)) : undefined,
    ]);
    this.#reading = { stratum: stratumReading, journals, stream, timescale };
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  /**
   * Starts the metrics listener, reading these sources at each scrape; resolves with its
   * port and its stop. The database's and NATS's series are defined only where they are,
   * so that a process without one shows no such series rather than zeros.
   */
  async listen(
    sources: MetricsSources,
    log: Logger,
  ): Promise<{ readonly port: number; stop(): Promise<void> }> {
    this.#stratum = sources.stratum;
    this.#db = sources.db;
    this.#bus = sources.bus;
    if (sources.db) {
      this.#defineDatabaseMetrics(sources.db);
    }
    if (sources.bus) {
      this.#defineStreamMetrics();
    }
    const { host, port } = this.#config.metrics;
    const app = await buildMetricsApp({
      log,
      scrape: () => this.scrape(),
      token: metricsToken(this.#config, log),
      readiness: sources.readiness,
    });
    await app.listen({ host, port: port ?? 0 });
    const bound = (app.server.address() as AddressInfo).port;
    log.info({ url: `http://${host}:${String(bound)}/metrics` }, 'metrics: ready');
    return { port: bound, stop: () => app.close() };
  }

  #defineStorageMetrics(): void {
    const reading = (): Reading => this.#reading;
    const sources = (): Record<string, boolean | undefined> => ({
      stratum: this.#stratum && this.#reading.stratum !== undefined,
      journals: this.#reading.journals !== undefined,
      nats: this.#bus && this.#reading.stream !== undefined,
      timescaledb: this.#db && this.#reading.timescale !== undefined,
    });
    new Gauge({
      name: 'hashwatt_metrics_source_up',
      help: 'Whether each source of these metrics answered this scrape in time (1) or not (0: its series are missing)',
      labelNames: ['source'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [source, up] of Object.entries(sources())) {
          if (up !== undefined) {
            this.set({ source }, up ? 1 : 0);
          }
        }
      },
    });
    const journalGauge = (name: string, help: string, value: (size: JournalSize) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: ['node'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const size of reading().journals ?? []) {
            this.set({ node: String(size.nodeId) }, value(size));
          }
        },
      });
    };
    journalGauge('hashwatt_journal_bytes', "The share journal's size on disk", (size) => size.bytes);
    journalGauge(
      'hashwatt_journal_files',
      "The share journal's files (each a batch not yet stored, or the open one)",
      (size) => size.files,
    );
  }

  /** Defined only with a database: a process without one shows no such series rather than zeros. */
  #defineDatabaseMetrics(db: Database): void {
    const reading = (): Reading => this.#reading;
    const poolGauge = (name: string, help: string, count: () => number): void => {
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(count());
        },
      });
    };
    poolGauge(
      'hashwatt_db_pool_connections',
      "The database pool's connections, busy and idle",
      () => db.totalCount,
    );
    poolGauge('hashwatt_db_pool_idle', "The database pool's idle connections", () => db.idleCount);
    poolGauge(
      'hashwatt_db_pool_waiting',
      'Queries waiting for a connection of the database pool',
      () => db.waitingCount,
    );
    new Gauge({
      name: 'hashwatt_timescaledb_failing_jobs',
      help: 'TimescaleDB background jobs (compression, retention, aggregate refreshes) whose last run failed; none on plain PostgreSQL',
      registers: [this.registry],
      collect() {
        const report = reading().timescale;
        if (report?.timescale === true) {
          this.set(report.failing.length);
        } else {
          // No TimescaleDB (or no answer): no series, rather than a 0 that says all is well.
          this.remove({});
        }
      },
    });
    new Gauge({
      name: 'hashwatt_timescaledb_job_failures',
      help: "Each failing TimescaleDB job's failed runs in all",
      labelNames: ['job_id', 'procedure'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const job of reading().timescale?.failing ?? []) {
          this.set({ job_id: String(job.jobId), procedure: job.procedure }, job.failures);
        }
      },
    });
  }

  /** Defined only with NATS; each series left out while the stream (or the writers' consumer) cannot be read. */
  #defineStreamMetrics(): void {
    const reading = (): Reading => this.#reading;
    const streamGauge = (
      name: string,
      help: string,
      value: (backlog: StreamBacklog) => number | undefined,
    ): void => {
      new Gauge({
        name,
        help,
        labelNames: ['stream'],
        registers: [this.registry],
        collect() {
          this.reset();
          const backlog = reading().stream;
          const current = backlog && value(backlog);
          if (backlog && current !== undefined) {
            this.set({ stream: backlog.stream }, current);
          }
        },
      });
    };
    streamGauge(
      'hashwatt_nats_stream_messages',
      'Messages in the ledger stream (a work queue: what the writers have not stored yet)',
      (backlog) => backlog.messages,
    );
    streamGauge('hashwatt_nats_stream_bytes', 'Bytes in the ledger stream', (backlog) => backlog.bytes);
    streamGauge(
      'hashwatt_nats_consumer_pending',
      "Messages not yet delivered to the writers' consumer",
      (backlog) => backlog.consumer?.pending,
    );
    streamGauge(
      'hashwatt_nats_consumer_ack_pending',
      'Messages delivered to the writers and not acknowledged yet (being stored)',
      (backlog) => backlog.consumer?.ackPending,
    );
  }
}

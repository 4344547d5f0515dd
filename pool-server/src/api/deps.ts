/**
 * What the API is built from: buildApp (app.ts) takes these, and every route plugin
 * under routes/ is handed them. A module of their own so that the routes need not
 * import app.ts, which imports the routes.
 */
import type { AlertThresholdValues, Readiness } from '@hashwatt/schemas';
import type { Logger } from 'pino';
import type { SessionSettings } from '../accounts/sessions.ts';
import type { Database } from '../db/pool.ts';
import type { AlertSecretKeys } from '../alerts/secret-keys.ts';
import type { ReportSigner } from '../farms/reports/signing.ts';
import type { ApiMetrics } from './metrics.ts';
import type { PoolFacts } from './pool-facts.ts';

export interface ApiSettings {
  readonly sessions: SessionSettings;
  /** Session cookies only over HTTPS (browsers treat http://localhost as secure too). */
  readonly secureCookies: boolean;
  /** Sign-in attempts per address and minute. */
  readonly loginPerMinute: number;
  /** Proxies whose X-Forwarded-For is believed (the rate limits count the real client). */
  readonly trustProxy: readonly string[];
  /** Live updates (SSE) are sent this often. */
  readonly liveIntervalMs: number;
  /** Largest body (bytes) of a route that declares none of its own. */
  readonly bodyLimitBytes: number;
  /** Largest telemetry batch (bytes) an agent may post. */
  readonly agentBodyLimitBytes: number;
  /** Requests per farm API key and minute, on each agent route. */
  readonly agentRequestsPerMinute: number;
  /** Requests per client address and minute on every other API route without a limit of its own. */
  readonly requestsPerMinute: number;
  /** The dashboard's build (its index.html and assets), served at /; none when undefined. */
  readonly dashboardDir?: string | undefined;
}

export interface ApiDeps {
  readonly db: Database;
  readonly log: Logger;
  readonly settings: ApiSettings;
  readonly pool: PoolFacts;
  /** The pool's key for regulator reports. */
  readonly reportSigner: ReportSigner;
  /**
   * Seals alert subscriptions' secrets; without it (an API built for another purpose) a
   * subscription that has a secret cannot be made.
   */
  readonly alertSecrets?: AlertSecretKeys | undefined;
  readonly farms: FarmSettings;
  /** Requests and agents' batches counted for Prometheus; none when the process exports no metrics. */
  readonly metrics?: ApiMetrics | undefined;
  /**
   * The process's readiness check (health.ts), shared with the metrics listener; without
   * one, the API checks its database, the node and the journals it is told of.
   */
  readonly readiness?: (() => Promise<Readiness>) | undefined;
}

export interface FarmSettings {
  /** Hashprice averages fees per block over this many heights. */
  readonly feeWindowBlocks: number;
  /** The pool-wide alert thresholds, which each farm may override for itself. */
  readonly alertThresholds: AlertThresholdValues;
}

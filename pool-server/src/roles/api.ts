/** The api role: the HTTP API and the dashboard, and the first admin from the configuration. */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PoolSettings, Readiness } from '@hashwatt/schemas';
import type { Logger } from 'pino';
import { sessionSettingsFrom } from '../accounts/sessions.ts';
import { ensureFirstAdmin } from '../accounts/users.ts';
import { AlertSecretKeys } from '../alerts/secret-keys.ts';
import { buildApp } from '../api/app.ts';
import { Memo } from '../api/cache.ts';
import type { ApiMetrics } from '../api/metrics.ts';
import type { BitcoinRpcClient } from '../chain/rpc-client.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/pool.ts';
import { poolAlertThresholds } from '../farms/alert-thresholds.ts';
import { openSigningKey } from '../farms/reports/key-registry.ts';
import type { PoolSettingsStore, RuntimeSettings } from '../ledger/pool-settings.ts';
import { connectFacts } from './connect-info.ts';
import type { JournalStates } from './journals.ts';
import { alertSecretKeyFile, signingKeyFile } from './storage.ts';

/** The node's height and difficulty, as the API shows them, are at most this old. */
const NETWORK_CACHE_MS = 10_000;

/** The dashboard's build: the configured one, or this checkout's when it was built. */
function dashboardDirectory(config: Config, log: Logger): string | undefined {
  if (config.api.dashboardDir !== undefined) {
    return config.api.dashboardDir;
  }
  // The workspace's dashboard/, three folders up from src/roles/ (or a compiled dist/roles/).
  const built = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dashboard/dist');
  if (existsSync(path.join(built, 'index.html'))) {
    return built;
  }
  log.warn('api: the dashboard is not built (pnpm --filter @hashwatt/dashboard build); serving the API only');
  return undefined;
}

/** What the API shares with the rest of the process: its metrics (when exported) and the readiness check. */
export interface ApiObservers {
  readonly metrics: ApiMetrics | undefined;
  readonly readiness: () => Promise<Readiness>;
}

/** The HTTP API on its port, told about the pool by these facts. */
async function startApi(
  config: Config,
  db: Database,
  rpc: BitcoinRpcClient,
  runtime: PoolSettingsStore,
  journals: JournalStates,
  log: Logger,
  observers: ApiObservers,
): Promise<{ readonly port: number; close(): Promise<void> }> {
  const network = new Memo<{ height: number; difficulty: number }>(1, NETWORK_CACHE_MS);
  const settingsOf = (current: RuntimeSettings): PoolSettings => ({
    scheme: config.pool.scheme,
    feePercent: current.feePercent,
    soloFeePercent: config.pool.soloFeePercent,
    pplnsWindowFactor: config.pool.pplnsWindowFactor,
    payoutsEnabled: current.payoutsEnabled,
    payoutThresholdSats: current.payoutThresholdSats,
    maturityConfirmations: config.payouts.maturityConfirmations,
  });
  const settings = async (): Promise<PoolSettings> => settingsOf(await runtime.current());
  const app = await buildApp({
    db,
    log,
    settings: {
      sessions: sessionSettingsFrom(config.api),
      secureCookies: config.api.secureCookies,
      loginPerMinute: config.api.loginPerMinute,
      trustProxy: config.api.trustProxy,
      liveIntervalMs: config.api.liveIntervalSeconds * 1000,
      bodyLimitBytes: config.api.bodyLimitBytes,
      agentBodyLimitBytes: config.api.agentBodyLimitBytes,
      agentRequestsPerMinute: config.api.agentRequestsPerMinute,
      requestsPerMinute: config.api.requestsPerMinute,
      dashboardDir: dashboardDirectory(config, log),
    },
    farms: {
      ...config.farms,
      alertThresholds: poolAlertThresholds(config.alerts, config.farms.hashrateGapAlertPercent),
    },
    reportSigner: await openSigningKey(db, signingKeyFile(config), log, Date.now()),
    alertSecrets: AlertSecretKeys.open(alertSecretKeyFile(config)),
    metrics: observers.metrics,
    readiness: observers.readiness,
    pool: {
      chain: config.chain,
      settings,
      async updateSettings(patch, userId, transaction) {
        return settingsOf(await runtime.update(patch, userId, transaction));
      },
      network: () =>
        network.get('network', async () => {
          const info = await rpc.call<{ blocks: number; difficulty: number }>('getmininginfo');
          return { height: info.blocks, difficulty: info.difficulty };
        }),
      now: () => Date.now(),
      connect: connectFacts(config),
      journals: () => journals.list(),
    },
  });
  await app.listen({ host: config.api.host, port: config.api.port });
  // Fastify listens for 'error' only until it listens; a failed accept (EMFILE) then costs that one connection.
  app.server.on('error', (error) => {
    log.error({ problem: error.message }, 'api: the HTTP server failed to accept a connection');
  });
  const { port } = app.server.address() as AddressInfo;
  log.info({ url: `http://${config.api.host}:${String(port)}/api/docs` }, 'api: ready');
  return { port, close: () => app.close() };
}

export async function startApiRole(
  config: Config,
  db: Database,
  rpc: BitcoinRpcClient,
  runtime: PoolSettingsStore,
  journals: JournalStates,
  log: Logger,
  observers: ApiObservers,
): Promise<{ readonly port: number | undefined; stop(): Promise<void> }> {
  const { email, password } = config.admin;
  if (email !== undefined && password !== undefined) {
    const admin = await ensureFirstAdmin(db, email, password);
    if (admin) {
      log.warn(
        { email: admin.email },
        'api: the first admin was created from admin.email; it sets up two-factor sign-in (an authenticator app) at its first sign-in',
      );
    }
  }
  const api = config.api.enabled
    ? await startApi(config, db, rpc, runtime, journals, log, observers)
    : undefined;
  return { port: api?.port, stop: async () => api?.close() };
}

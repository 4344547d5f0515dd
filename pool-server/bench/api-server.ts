/**
 * The HTTP API under load, in its own process so that its CPU is its own: started by
 * api-load.ts with an IPC channel and the database's URL, it answers with its port.
 * Logs at info (a line per request, as in production) to /dev/null.
 */
import { generateKeyPairSync } from 'node:crypto';
import { poolAlertThresholds } from '../src/farms/alert-thresholds.ts';
import { signerFromKey } from '../src/farms/reports/signing.ts';
import { pino } from 'pino';
import { buildApp } from '../src/api/app.ts';
import { sessionSettingsFrom } from '../src/accounts/sessions.ts';
import { loadConfig } from '../src/config.ts';
import { createDatabase } from '../src/db/pool.ts';
import { PoolSettingsStore } from '../src/ledger/pool-settings.ts';
import { connectInfo } from '../src/roles/connect-info.ts';

const url = process.env.BENCH_DATABASE_URL;
if (url === undefined) {
  throw new Error('BENCH_DATABASE_URL is required');
}
const db = createDatabase(url, () => undefined, 20);
const runtime = new PoolSettingsStore(db, {
  feePercent: 1,
  payoutsEnabled: true,
  payoutThresholdSats: 1_000_000,
});
const settings = async () => {
  const current = await runtime.current();
  return {
    scheme: 'pplns' as const,
    feePercent: current.feePercent,
    soloFeePercent: 1,
    pplnsWindowFactor: 2,
    payoutsEnabled: current.payoutsEnabled,
    payoutThresholdSats: current.payoutThresholdSats,
    maturityConfirmations: 100,
  };
};
const app = await buildApp({
  db,
  log: pino({ level: 'info' }, pino.destination('/dev/null')),
  settings: {
    sessions: sessionSettingsFrom(loadConfig({}).api),
    secureCookies: true,
    loginPerMinute: 10,
    trustProxy: [],
    liveIntervalMs: 5_000,
    bodyLimitBytes: 1024 * 1024,
    agentBodyLimitBytes: 4 * 1024 * 1024,
    // The load comes from one address: the per-address limit would measure itself.
    agentRequestsPerMinute: Number.MAX_SAFE_INTEGER,
    requestsPerMinute: Number.MAX_SAFE_INTEGER,
  },
  reportSigner: signerFromKey(generateKeyPairSync('ed25519').privateKey),
  farms: {
    feeWindowBlocks: 144,
    alertThresholds: poolAlertThresholds(loadConfig({}).alerts, 10),
  },
  pool: {
    chain: 'main',
    settings,
    async updateSettings(patch, userId) {
      await runtime.update(patch, userId);
      return settings();
    },
    network: () => Promise.resolve({ height: 925_000, difficulty: 1.5e14 }),
    now: () => Date.now(),
    connect: () => connectInfo(loadConfig({})),
  },
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
process.on('message', (message: { kind: string }) => {
  if (message.kind === 'stop') {
    void app
      .close()
      .then(() => db.end())
      .then(() => process.exit(0));
  }
});

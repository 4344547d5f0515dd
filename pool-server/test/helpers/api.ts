/**
 * The HTTP API on a database of its own (real PostgreSQL), built as main.ts builds it
 * and called with inject(); the pool's facts are fixed, its clock set by the test.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { UserCreate } from '@hashwatt/schemas';
import { registerKey } from '../../src/farms/reports/key-registry.ts';
import { signerFromKey, type ReportSigner } from '../../src/farms/reports/signing.ts';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Api } from '../../src/api/app.ts';
import type { ApiSettings } from '../../src/api/deps.ts';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createApiKey } from '../../src/accounts/api-keys.ts';
import { createOrganisation } from '../../src/accounts/organisations.ts';
import { createUser } from '../../src/accounts/users.ts';
import { sessionSettingsFrom } from '../../src/accounts/sessions.ts';
import { AlertSecretKeys } from '../../src/alerts/secret-keys.ts';
import { poolAlertThresholds } from '../../src/farms/alert-thresholds.ts';
import { createFarm } from '../../src/farms/farms.ts';
import { PoolSettingsStore, type RuntimeSettings } from '../../src/ledger/pool-settings.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { signInWithAuthenticator } from './two-factor.ts';
import { connectInfo } from '../../src/roles/connect-info.ts';

export interface TestApi {
  readonly app: Api;
  readonly database: TestDatabase;
  /** The API's clock. */
  readonly clock: { ms: number };
  /** Every log line the API wrote. */
  readonly logs: string[];
  /** The report key, registered as the pool's current one since 1970: the tests drive the clock. */
  readonly reportSigner: ReportSigner;
  /** The key sealing subscriptions' secrets, in a folder of this API's own. */
  readonly alertSecrets: AlertSecretKeys;
  close(): Promise<void>;
}

export const NETWORK = { height: 925_000, difficulty: 1.5e14 };

/** The API's settings as a pool without a config file has them. */
const DEFAULTS = loadConfig({}).api;

export async function startTestApi(settings: Partial<ApiSettings> = {}): Promise<TestApi> {
  const database = await createTestDatabase();
  const logs: string[] = [];
  // Debug: the request lines too, which the tests search for secrets.
  const log = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
  const clock = { ms: Date.now() };
  const reportSigner = signerFromKey(generateKeyPairSync('ed25519').privateKey);
  const keyFolder = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-api-keys-'));
  const alertSecrets = AlertSecretKeys.open(path.join(keyFolder, 'alert-secret.key'));
  await registerKey(database.db, reportSigner.publicKey, 0);
  const runtime = new PoolSettingsStore(database.db, {
    feePercent: 1,
    payoutsEnabled: true,
    payoutThresholdSats: 1_000_000,
  });
  const settingsOf = (current: RuntimeSettings) => ({
    scheme: 'pplns' as const,
    feePercent: current.feePercent,
    soloFeePercent: 0.5,
    pplnsWindowFactor: 2,
    payoutsEnabled: current.payoutsEnabled,
    payoutThresholdSats: current.payoutThresholdSats,
    maturityConfirmations: 100,
  });
  const app = await buildApp({
    db: database.db,
    log,
    settings: {
      sessions: sessionSettingsFrom(DEFAULTS),
      secureCookies: true,
      loginPerMinute: 1_000,
      trustProxy: [],
      liveIntervalMs: 100,
      bodyLimitBytes: DEFAULTS.bodyLimitBytes,
      agentBodyLimitBytes: DEFAULTS.agentBodyLimitBytes,
      // Every test's requests come from one address: only the tests of the limits keep them low.
      agentRequestsPerMinute: 100_000,
      requestsPerMinute: 100_000,
      ...settings,
    },
    reportSigner,
    alertSecrets,
    farms: {
      feeWindowBlocks: 144,
      alertThresholds: poolAlertThresholds(loadConfig({}).alerts, 10),
    },
    pool: {
      chain: 'regtest',
      settings: async () => settingsOf(await runtime.current()),
      async updateSettings(patch, userId, transaction) {
        return settingsOf(await runtime.update(patch, userId, transaction));
      },
      network: () => Promise.resolve(NETWORK),
      now: () => clock.ms,
      connect: () => connectInfo(loadConfig({})),
    },
  });
  return {
    app,
    database,
    clock,
    logs,
    reportSigner,
    alertSecrets,
    async close() {
      await app.close();
      await database.drop();
      await rm(keyFolder, { recursive: true, force: true });
    },
  };
}

export interface Session {
  readonly cookie: string;
  readonly csrf: string;
  readonly userId: string;
}

/**
 * Signs in through the API: the cookie to send back and the CSRF token. A user who must
 * have a second factor (admins, regulators) is enrolled at the first sign-in and asked
 * for a code after, as a person with an authenticator app would be (two-factor.ts).
 */
export async function signInAs(app: Api, email: string, password: string): Promise<Session> {
  const { cookie, csrf, session } = await signInWithAuthenticator(app, email, password);
  return { cookie, csrf, userId: session.user.id };
}

export const TEST_PASSWORD = 'a password long enough';

export interface FarmOfOperator {
  readonly organisationId: string;
  readonly farmId: string;
  /** The farm agent's key. */
  readonly agentKey: string;
  /** Headers that sign a request in as the farm's operator (cookie and CSRF token). */
  readonly operator: Record<string, string>;
  readonly operatorId: string;
}

/** An organisation with one farm, its agent's key, and a signed-in operator `email`. */
export async function farmOfOperator(
  api: TestApi,
  email: string,
  names = { organisation: 'Farm Co', farm: 'Hall A' },
): Promise<FarmOfOperator> {
  const { db } = api.database;
  const organisation = await createOrganisation(db, names.organisation);
  const farm = await createFarm(db, organisation.id, names.farm);
  const { key } = await createApiKey(db, farm.id, 'agent');
  await createUser(db, {
    email,
    name: email,
    password: TEST_PASSWORD,
    role: 'operator',
    organisationId: organisation.id,
  });
  const session = await signInAs(api.app, email, TEST_PASSWORD);
  return {
    organisationId: organisation.id,
    farmId: farm.id,
    agentKey: key,
    operator: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    operatorId: session.userId,
  };
}

/** Headers that sign a request in as `user`, made here with TEST_PASSWORD: cookie and CSRF token. */
async function signedInUser(
  api: TestApi,
  user: Omit<UserCreate, 'name' | 'password'>,
): Promise<Record<string, string>> {
  await createUser(api.database.db, { ...user, name: user.email, password: TEST_PASSWORD });
  const session = await signInAs(api.app, user.email, TEST_PASSWORD);
  return { cookie: session.cookie, 'x-csrf-token': session.csrf };
}

/** An administrator, signed in: the headers its requests carry. */
export function signedInAdmin(api: TestApi, email: string): Promise<Record<string, string>> {
  return signedInUser(api, { email, role: 'admin' });
}

/** A regulator of `jurisdiction`, signed in: the headers its requests carry. */
export function signedInRegulator(
  api: TestApi,
  email: string,
  jurisdiction: { readonly country: string; readonly regions: readonly string[] },
): Promise<Record<string, string>> {
  return signedInUser(api, {
    email,
    role: 'regulator',
    jurisdiction: { country: jurisdiction.country, regions: [...jurisdiction.regions] },
  });
}

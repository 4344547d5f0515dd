/**
 * The dashboard as a person meets it, for the Chromium tests: its production build
 * (vite build) served by the real HTTP API on a real PostgreSQL database, with demo
 * data (two organisations' farms, one with 40 devices in Iran, an operator of each,
 * Iran's regulator, an admin, a miner whose worker's name is markup), and Debian's
 * Chromium driven by playwright-core: no browser download.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { createUser } from '../../../pool-server/src/accounts/users.ts';
import { ingestTelemetry } from '../../../pool-server/src/farms/telemetry-ingest.ts';
import { ShareStore } from '../../../pool-server/src/ledger/share-store.ts';
import {
  farmOfOperator,
  signedInRegulator,
  startTestApi,
  TEST_PASSWORD,
  type FarmOfOperator,
  type TestApi,
} from '../../../pool-server/test/helpers/api.ts';
import { bareSample } from '../../../pool-server/test/helpers/samples.ts';
import { ORDINARY_SHARE } from '../../../pool-server/test/helpers/share-writer.ts';
import { authenticatorOf, nextCode } from '../../../pool-server/test/helpers/two-factor.ts';

export const DASHBOARD = path.resolve(import.meta.dirname, '../..');
/** Screenshots and other artifacts of the Chromium tests (git-ignored). */
export const ARTIFACTS = path.join(DASHBOARD, 'test-results');
const CHROMIUM = '/usr/bin/chromium';
/** Markup that would run if a page inserted a worker's name as HTML. */
export const XSS = '<img/src=x/onerror=window.__xss=1>';

/** The demo's people, each signed in with TEST_PASSWORD. */
export const PEOPLE = {
  operator: 'op-a@dashboard.test',
  otherOperator: 'op-b@dashboard.test',
  regulator: 'semnan@regulator.test',
  /** An admin with no second factor yet: the first sign-in enrols one. */
  admin: 'admin@dashboard.test',
} as const;

export interface DashboardPool {
  readonly api: TestApi;
  /** Where the browser finds the dashboard: http://127.0.0.1:port. */
  readonly base: string;
  readonly browser: Browser;
  /** The operator's farm in Semnan, with its 40 devices. */
  readonly farm: FarmOfOperator;
  /** Where the build was written; files a test downloads may go here too. */
  readonly outDir: string;
  close(): Promise<void>;
}

/**
 * The build users get. Under vitest NODE_ENV is 'test', and Vite keeps it: the bundle
 * would carry React's development build, half again as heavy and slower.
 */
async function buildForProduction(outDir: string): Promise<void> {
  const environment = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ root: DASHBOARD, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  } finally {
    if (environment === undefined) {
      delete process.env.NODE_ENV;
    } else {
      process.env.NODE_ENV = environment;
    }
  }
}

export async function startDashboardPool(): Promise<DashboardPool> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'hashwatt-dashboard-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  await buildForProduction(outDir);
  const api = await startTestApi({ dashboardDir: outDir, secureCookies: false });
  const { db } = api.database;
  const farm = await farmOfOperator(api, PEOPLE.operator, {
    organisation: 'Kavir Mining',
    farm: 'Semnan Hall 2',
  });
  await farmOfOperator(api, PEOPLE.otherOperator, {
    organisation: 'Other Co',
    farm: 'Somebody Else Farm',
  });
  await api.app.inject({
    method: 'PATCH',
    url: `/api/farms/${farm.farmId}`,
    headers: farm.operator,
    payload: {
      country: 'IR',
      region: 'IR-20',
      timezone: 'Asia/Tehran',
      licence: { number: 'MIMT-1405-0042', capacityKw: 1_000 },
    },
  });
  const at = new Date(api.clock.ms - 60_000).toISOString();
  await ingestTelemetry(db, farm.farmId, {
    batchId: '00000000-0000-4000-8000-00000000da5b',
    agentVersion: 'test',
    miners: Array.from({ length: 40 }, (_, index) => ({
      ...bareSample(`10.0.4.${String(index + 10)}:4028`, at),
      hashrate: 200e12,
      powerW: 3_500,
    })),
    meters: [],
    dropped: 0,
  });
  // A miner whose worker and farm names are markup: the dashboard must show them as text.
  await new ShareStore(db).store({
    id: '00000000-0000-4000-8000-0000000000c5',
    nodeId: 0,
    shares: [
      {
        timeMs: api.clock.ms - 60_000,
        account: 'xssminer',
        worker: `xssminer.${XSS}`,
        payoutAddress: null,
        difficulty: 1_000,
        achieved: 2_000,
        ...ORDINARY_SHARE,
      },
    ],
    rejects: [],
  });
  await signedInRegulator(api, PEOPLE.regulator, { country: 'IR', regions: ['IR-20'] });
  await createUser(db, { email: PEOPLE.admin, name: 'Admin', password: TEST_PASSWORD, role: 'admin' });
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${String((api.app.server.address() as AddressInfo).port)}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  return {
    api,
    base,
    browser,
    farm,
    outDir,
    async close() {
      await browser.close();
      await api.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** The password, then for a user with a second factor (enrolled by the helpers) a code of its app. */
export async function signIn(pool: DashboardPool, page: Page, email: string): Promise<void> {
  await page.goto(`${pool.base}/login`);
  await page.getByLabel(/email/i).fill(email);
  await page.getByLabel(/password/i).fill(TEST_PASSWORD);
  await page.getByRole('button', { name: /sign in/i }).click();
  const authenticator = authenticatorOf(pool.api.app, email);
  if (authenticator !== undefined) {
    await page.getByLabel('Code', { exact: true }).fill(nextCode(authenticator));
    await page.getByRole('button', { name: 'Verify' }).click();
  }
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

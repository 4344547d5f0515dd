/**
 * Every page of the dashboard on a phone: for each route of the router's table (its
 * parameters filled from the demo data) in English, Persian and Russian, Chromium at
 * 390 × 844 opens it, signed in as a role that may see it, waits for the page's heading
 * with nothing still loading, and checks that the page does not scroll sideways (tables
 * scroll inside their card), that nothing but a scrolling box's content reaches past the
 * screen's edges, and that no figure card cuts its value off. One browser; one page per
 * role, reused for all its routes and languages. A screenshot of each goes to
 * dashboard/test-results/phone/<language>/<route>.png, named in each test's title.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInAdmin } from '../../../pool-server/test/helpers/api.ts';
import { PATIENCE_MS } from '../../../pool-server/test/helpers/eventually.ts';
import {
  ARTIFACTS,
  PEOPLE,
  signIn,
  startDashboardPool,
  type DashboardPool,
} from '../helpers/dashboard-pool.ts';

const PHONE = { width: 390, height: 844 } as const;
const LANGUAGES = ['en', 'fa', 'ru'] as const;
const SHOTS = path.join(ARTIFACTS, 'phone');
/** An admin enrolled in two-factor sign-in by the helpers, who can sign in without the enrolment screen. */
const ADMIN = 'phone-admin@dashboard.test';

type Role = 'operator' | 'regulator' | 'admin';
/** Who opens a page: the first of these its route lets in; public pages, the operator. */
const ROLE_ORDER: readonly Role[] = ['operator', 'regulator', 'admin'];

interface RouteShape {
  readonly path?: string;
  readonly index?: boolean;
  readonly element?: unknown;
  readonly children?: readonly RouteShape[];
}

interface PageRoute {
  /** As written in the router: `farms/:id/devices/:deviceId`. */
  readonly pattern: string;
  readonly role: Role;
}

function rolesOf(element: unknown): readonly string[] | undefined {
  const roles = (element as { props?: { roles?: unknown } } | undefined)?.props?.roles;
  return Array.isArray(roles) ? (roles as string[]) : undefined;
}

/** The router's pages, each with the role that opens it; the catch-all (not-found) page left out. */
function pagesOf(routes: readonly RouteShape[], parent = ''): PageRoute[] {
  return routes.flatMap((route) => {
    const pattern = route.index === true ? parent : [parent, route.path ?? ''].filter(Boolean).join('/');
    const own: PageRoute[] = [];
    if ((route.index === true || route.path !== undefined) && route.path !== '*') {
      const allowed = rolesOf(route.element);
      const role = ROLE_ORDER.find((candidate) => allowed === undefined || allowed.includes(candidate));
      if (role === undefined) {
        throw new Error(
          `/${pattern} lets in none of ${ROLE_ORDER.join(', ')}: give the test a person for it`,
        );
      }
      own.push({ pattern, role });
    }
    return [...own, ...pagesOf(route.children ?? [], pattern)];
  });
}

// The router (TSX) and the measuring function (DOM) are compiled by Vite when the test runs;
// the tests' type-check knows neither TSX nor the DOM, so they are imported by paths it does not follow.
const SOURCES = path.resolve(import.meta.dirname, '../../src');
const { appRoutes } = (await import(path.join(SOURCES, 'app/router.tsx'))) as {
  appRoutes: () => RouteShape[];
};
const { chooseLanguage, fontsLoaded, measurePhoneFit, pageReady } = (await import(
  path.join(SOURCES, 'testing/phone-fit.ts')
)) as {
  chooseLanguage: (language: string) => void;
  pageReady: (language: string) => boolean;
  fontsLoaded: () => Promise<void>;
  measurePhoneFit: () => unknown;
};
const PAGES = pagesOf(appRoutes());

describe('every page on a phone, in English, Persian and Russian', () => {
  let pool: DashboardPool;
  const params = new Map<string, string>();
  const pages = new Map<Role, Page>();
  const problems: string[] = [];

  beforeAll(async () => {
    pool = await startDashboardPool();
    await signedInAdmin(pool.api, ADMIN);
    const devices = await pool.api.app.inject({
      url: `/api/farms/${pool.farm.farmId}/devices`,
      headers: pool.farm.operator,
    });
    const [device] = devices.json<{ id: string }[]>();
    const miner = await pool.api.app.inject({ url: '/api/miners/xssminer' });
    const [worker] = miner.json<{ workers: { name: string }[] }>().workers;
    if (device === undefined || worker === undefined) {
      throw new Error('the demo data has no device or no worker');
    }
    params.set('id', pool.farm.farmId);
    params.set('deviceId', device.id);
    params.set('account', 'xssminer');
    params.set('worker', worker.name);
    mkdirSync(SHOTS, { recursive: true });
    // A production build and a pool: minutes on a busy two-core machine, which the limit only stops from hanging.
  }, 600_000);

  afterAll(async () => {
    // Undefined when the start-up itself failed: its error is the one to read.
    await (pool as DashboardPool | undefined)?.close();
  });

  /** The role's page, signed in at first use; the same page serves all its routes. */
  async function pageOf(role: Role): Promise<Page> {
    const existing = pages.get(role);
    if (existing) {
      return existing;
    }
    const context = await pool.browser.newContext({ viewport: PHONE, deviceScaleFactor: 1, isMobile: true });
    const page = await context.newPage();
    page.setDefaultTimeout(PATIENCE_MS);
    page.on('pageerror', (error) => {
      problems.push(`${role} ${page.url()}: ${error.message}`);
    });
    await signIn(pool, page, { operator: PEOPLE.operator, regulator: PEOPLE.regulator, admin: ADMIN }[role]);
    pages.set(role, page);
    return page;
  }

  function urlOf(pattern: string): string {
    const filled = pattern.replace(/:(\w+)\??/g, (_, name: string) => {
      const value = params.get(name);
      if (value === undefined) {
        throw new Error(`no demo value for :${name} of /${pattern}: add one to the test's params`);
      }
      return encodeURIComponent(value);
    });
    return `/${filled}`;
  }

  const cases = PAGES.flatMap((route) =>
    LANGUAGES.map(
      (language) =>
        [
          `/${route.pattern} in ${language}, as the ${route.role}, fits 390 px (test-results/phone/${language}/)`,
          { ...route, language },
        ] as const,
    ),
  );
  const shotOf = (pattern: string, language: string): string =>
    path.join(SHOTS, language, `${pattern === '' ? 'home' : pattern.replace(/[/:?]+/g, '-')}.png`);

  it('covers the pages of the router, public and signed-in', () => {
    const patterns = PAGES.map((route) => route.pattern);
    expect(patterns).toEqual(
      expect.arrayContaining(['', 'farms/:id', 'farms/:id/devices/:deviceId', 'admin']),
    );
    expect(new Set(PAGES.map((route) => route.role))).toEqual(new Set(ROLE_ORDER));
  });

  it.each(cases)('%s', async (_title, { pattern, role, language }) => {
    const page = await pageOf(role);
    await page.evaluate(chooseLanguage, language);
    await page.goto(`${pool.base}${urlOf(pattern)}`);
    await page.waitForFunction(pageReady, language);
    await page.evaluate(fontsLoaded);
    const shot = shotOf(pattern, language);
    mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    expect(
      await page.evaluate(measurePhoneFit),
      `${urlOf(pattern)} in ${language}; screenshot ${shot}`,
    ).toEqual({
      scrollsSideways: false,
      hiddenOverflow: [],
      sticksOut: [],
      clipped: [],
    });
  });

  it('folds the navigation behind the Menu button, and folds it again once a page is chosen', async () => {
    const page = await pageOf('operator');
    await page.evaluate(chooseLanguage, 'en');
    await page.goto(`${pool.base}/farms`);
    await page.waitForFunction(pageReady, 'en');
    const navigation = page.getByRole('navigation', { name: 'hashwatt' });
    expect(await navigation.isVisible()).toBe(false);
    const menu = page.getByRole('button', { name: 'Menu' });
    await menu.click();
    await navigation.getByRole('link', { name: 'Reports' }).click();
    await page.waitForURL((url) => url.pathname === '/reports');
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await navigation.isVisible()).toBe(false);
  });

  it('logs no error on any page', () => {
    expect(problems).toEqual([]);
  });
});

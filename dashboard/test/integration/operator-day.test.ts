/**
 * Starts: the dashboard's production build served by the real HTTP API on a real
 * PostgreSQL database (dashboard-pool.ts), an emulated Antminer running hot on loopback
 * with the real farm agent polling it and carrying out commands (operator-world.ts), and
 * Debian's Chromium. Two people's work, every step through the page as they would do it
 * (the API is called only to set the world up: the farm's readings, its tariff, prices):
 *
 * - an operator in Tehran finds the hot machine by sorting the farm's devices by chip
 *   temperature, opens it, reboots it after the confirmation and sees the agent's report
 *   that it is done; records a grid operator's order through the form, and once its
 *   meter's readings are in and the order is over, reads its verdict; then, in Persian,
 *   reads the farm's economics in rials (the pool's side of the hot rig, its shares and
 *   the network its templates showed, stored as the Stratum nodes store them);
 * - Iran's regulator issues a report, has the downloaded file verified, and sees a
 *   tampered copy refused.
 *
 * A screenshot after each step: dashboard/test-results/operator-day/<walk>/NN-step.png.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPrice } from '../../../pool-server/src/farms/economics/prices.ts';
import { PATIENCE_MS } from '../../../pool-server/test/helpers/eventually.ts';
import {
  ARTIFACTS,
  PEOPLE,
  signIn,
  startDashboardPool,
  type DashboardPool,
} from '../helpers/dashboard-pool.ts';
import {
  HOT_CHIP_C,
  meterReadings,
  recordPoolSide,
  sendMeterReadings,
  sendWarmFarm,
  startHotRig,
  type HotRig,
} from '../helpers/operator-world.ts';

const SHOTS = path.join(ARTIFACTS, 'operator-day');
/** Where the farm and its operator are: the browser's clock is Tehran's. */
const TEHRAN = 'Asia/Tehran';
const MINUTE_MS = 60_000;

/** What a `datetime-local` field holds for `ms` on a clock in `timeZone`: 2026-12-07T18:40. */
function localInput(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(ms)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year ?? ''}-${parts.month ?? ''}-${parts.day ?? ''}T${parts.hour ?? ''}:${parts.minute ?? ''}`;
}

/**
 * The pool's clock made to run: the test API's stands still unless set, and an order is
 * judged once the pool's clock has passed its end. `pass` moves it on, as time would.
 */
function runningClock(clock: { ms: number }): { pass(ms: number): void } {
  let ahead = 0;
  Object.defineProperty(clock, 'ms', {
    get: () => Date.now() + ahead,
    set: (ms: number) => {
      ahead = ms - Date.now();
    },
    configurable: true,
  });
  return {
    pass(ms) {
      ahead += ms;
    },
  };
}

describe("an operator's day and a regulator's report, in Chromium", () => {
  let pool: DashboardPool;
  let hot: HotRig | undefined;
  let poolClock: { pass(ms: number): void };
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];

  /** A person's browser in Tehran, its clock one the test can move on; errors on its pages are kept. */
  async function browserOf(walk: string): Promise<{
    page: Page;
    shot: (name: string) => Promise<void>;
    /** The browser's console will report this refusal of the API's: the page expects it. */
    expectRefusal: (status: number) => void;
  }> {
    const context = await pool.browser.newContext({
      viewport: { width: 1280, height: 900 },
      timezoneId: TEHRAN,
      acceptDownloads: true,
    });
    contexts.push(context);
    await context.clock.install({ time: Date.now() });
    const page = await context.newPage();
    // Each wait ends when its element appears; a busy machine may take a minute to draw one.
    page.setDefaultTimeout(PATIENCE_MS);
    const refusals = new Set<number>();
    page.on('console', (message) => {
      const refused = /status of (\d{3})/.exec(message.text())?.[1];
      if (message.type() === 'error' && !refusals.has(Number(refused))) {
        problems.push(`${walk} ${page.url()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => {
      problems.push(`${walk} ${page.url()}: ${error.message}`);
    });
    const folder = path.join(SHOTS, walk);
    mkdirSync(folder, { recursive: true });
    let step = 0;
    return {
      page,
      expectRefusal: (status) => refusals.add(status),
      shot: async (name) => {
        step += 1;
        await page.screenshot({
          path: path.join(folder, `${String(step).padStart(2, '0')}-${name}.png`),
          fullPage: true,
        });
      },
    };
  }

  beforeAll(async () => {
    pool = await startDashboardPool();
    poolClock = runningClock(pool.api.clock);
    await sendWarmFarm(pool);
    hot = await startHotRig(pool);
    await recordPoolSide(pool);
    const { farm } = pool;
    const dayBefore = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const tariff = await pool.api.app.inject({
      method: 'POST',
      url: `/api/farms/${farm.farmId}/tariffs`,
      headers: farm.operator,
      payload: { currency: 'IRR', effectiveFrom: dayBefore, defaultPricePerKwh: 8_287, bands: [] },
    });
    expect(tariff.statusCode).toBe(201);
    const at = new Date(Date.now() - 3 * 3_600_000).toISOString();
    await addPrice(
      pool.api.database.db,
      { base: 'BTC', quote: 'USD', value: 100_000, at },
      'test',
      Date.now(),
    );
    await addPrice(
      pool.api.database.db,
      { base: 'USD', quote: 'IRR', value: 1_050_000, at },
      'test',
      Date.now(),
    );
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await hot?.stop();
    await pool.close();
  });

  it('has the operator find the hot machine, reboot it, record an order, read its verdict and the economics in rials', async () => {
    const rig = hot;
    if (rig === undefined) {
      throw new Error('the hot rig did not start');
    }
    const { page, shot } = await browserOf('operator');
    await signIn(pool, page, PEOPLE.operator);
    await page.getByRole('link', { name: 'Farms', exact: true }).first().click();
    await page.getByRole('link', { name: 'Semnan Hall 2' }).click();
    const devices = page.getByRole('region', { name: 'Devices' });
    await devices.getByText('41 of 41 devices').waitFor();
    await shot('farm');

    // Hottest first: the chip column sorted twice, descending.
    const chipColumn = devices.getByRole('columnheader', { name: 'Chip °C' });
    await chipColumn.click();
    await chipColumn.click();
    await expect.poll(() => chipColumn.getAttribute('aria-sort')).toBe('descending');
    const hottest = devices.getByRole('row').nth(1);
    await expect.poll(() => hottest.getByRole('link').textContent()).toBe(rig.device);
    const chipAt = (await devices.getByRole('columnheader').allTextContents()).indexOf('Chip °C');
    expect(await hottest.getByRole('cell').nth(chipAt).textContent()).toBe(String(HOT_CHIP_C));
    await shot('hottest-first');

    await hottest.getByRole('link', { name: rig.device }).click();
    await page.getByRole('heading', { name: 'Identity' }).waitFor();
    expect(
      await page.locator('.stat').filter({ hasText: 'Chip °C' }).locator('.stat-value').textContent(),
    ).toBe(String(HOT_CHIP_C));
    await shot('hot-device');

    // A reboot stops the machine: the page asks first, naming it.
    await page.getByRole('region', { name: 'Commands' }).getByRole('button', { name: 'Reboot' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Reboot?' });
    await ask.getByText(`${rig.device} stops hashing while it restarts`, { exact: false }).waitFor();
    await shot('reboot-asked');
    await ask.getByRole('button', { name: 'Reboot' }).click();
    // The agent takes it, the rig's web interface reboots it, and the page follows the agent's report.
    const latest = page.getByRole('status', { name: 'Latest command' });
    await expect.poll(() => latest.textContent(), { timeout: PATIENCE_MS }).toMatch(/^Reboot: Done/);
    await page.getByText(`Reboot done on ${rig.device}.`).waitFor();
    expect(rig.reboots()).toBe(1);
    await shot('reboot-done');

    // A grid operator's order, half an hour from now for an hour, entered on the operator's (Tehran) clock.
    await page.getByRole('link', { name: 'Farm', exact: true }).click();
    const startsAtMs = Math.ceil(Date.now() / MINUTE_MS) * MINUTE_MS + 30 * MINUTE_MS;
    const endsAtMs = startsAtMs + 60 * MINUTE_MS;
    const form = page.getByRole('form', { name: "Record a grid operator's order" });
    await form.getByLabel('Starts (your clock)').fill(localInput(startsAtMs, TEHRAN));
    await form.getByLabel('Ends (your clock)').fill(localInput(endsAtMs, TEHRAN));
    await form.getByLabel('Reduction, kW').fill('100');
    await form.getByLabel('Notice reference').fill('TAVANIR-1405-0917');
    await shot('order-form');
    await form.getByRole('button', { name: 'Record' }).click();
    await page.getByText('Order recorded.').waitFor();
    const orders = page.getByRole('region', { name: 'Curtailment orders' });
    const order = orders.getByRole('row').filter({ hasText: 'Not measured yet' });
    await order.waitFor();
    // Shown on the reader's clock, which the form and the charts name: the Tehran time typed, not the UTC one.
    for (const where of [form, page.getByRole('region', { name: 'History' })]) {
      expect(await where.getByText(/^Times are on your clock/).textContent()).toBe(
        'Times are on your clock: Iran Standard Time',
      );
    }
    const orderText = (await order.textContent()) ?? '';
    expect(orderText).toContain(localInput(startsAtMs, TEHRAN).slice(11));
    expect(orderText).toContain('100 kW');
    await shot('order-recorded');

    // The meter's readings arrive as the agent sends them: 150 kW until ten minutes before
    // the start, 40 kW from then on (the order allows 150 - 100 = 50). Then the hour passes,
    // on the pool's clock and on the browser's.
    await sendMeterReadings(
      pool,
      meterReadings(startsAtMs - 120 * MINUTE_MS, endsAtMs + 5 * MINUTE_MS, (ms) =>
        ms < startsAtMs - 10 * MINUTE_MS ? 150 : 40,
      ),
    );
    const passed = endsAtMs + 2 * MINUTE_MS - Date.now();
    poolClock.pass(passed);
    await page.clock.fastForward(passed);
    await page.reload();
    const judged = orders.getByRole('row').filter({ hasText: 'Complied' });
    await judged.waitFor();
    expect(await judged.getByRole('button', { name: 'Withdraw' }).count()).toBe(0);
    await shot('order-verdict');

    // In Persian, the farm's economics in rials.
    await page.getByRole('banner').getByLabel('Language', { exact: true }).selectOption('fa');
    await expect.poll(() => page.evaluate('document.documentElement.dir')).toBe('rtl');
    // The next order's moments are picked in the Solar Hijri calendar, not the browser's Gregorian picker.
    const persianForm = page.getByRole('form', { name: 'ثبت دستور اپراتور شبکه' });
    const month = persianForm.getByRole('combobox', { name: 'ماه' }).first();
    await month.waitFor();
    expect(await month.textContent()).toContain('آذر');
    expect(await persianForm.locator('input[type="datetime-local"]').count()).toBe(0);
    await persianForm.scrollIntoViewIfNeeded();
    await shot('order-form-fa');
    await page.getByRole('link', { name: 'اقتصاد' }).click();
    await page.getByRole('heading', { name: 'اقتصاد', level: 1 }).waitFor();
    await page.getByRole('group', { name: 'ارز' }).getByRole('button', { name: 'IRR' }).click();
    // The day the meter read and the pool measured: revenue and power cost in rials, in
    // Persian digits and nothing else, on the Solar Hijri day. The shares span the last three
    // hours and the readings start an hour and a half ago, so Tehran's midnight may split them
    // over two days, one with revenue only: the day with both is the one read. The meter read
    // under 4 of its 24 hours: its profit is unknown, with why, never a figure made of part of the day.
    const days = page.getByRole('region', { name: 'اقتصاد' }).getByRole('row').filter({ hasText: 'ریال' });
    await days.first().waitFor();
    const rows = await Promise.all((await days.all()).map((row) => row.getByRole('cell').allTextContents()));
    const cells = rows.find((row) => (row[5] ?? '').includes('ریال') && (row[6] ?? '').includes('ریال'));
    if (cells === undefined) {
      throw new Error(`no day shows both revenue and power cost: ${JSON.stringify(rows)}`);
    }
    expect(cells[0]).toMatch(/فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند/);
    expect(cells[1]).toMatch(/^[۰-۹٫]+ TH\/s$/);
    for (const rials of [cells[5], cells[6]]) {
      expect(rials).toMatch(/[۰-۹]{3}/);
      expect(rials).not.toMatch(/[0-9]/);
    }
    expect(cells[7]).toBe('—');
    expect(cells[9]).toMatch(/readings cover/);
    await shot('economics-irr-fa');
  });

  it('has the regulator issue a report, see it verified, and a tampered copy refused', async () => {
    const { page, shot, expectRefusal } = await browserOf('regulator');
    await signIn(pool, page, PEOPLE.regulator);
    await page.getByRole('link', { name: 'Reports', exact: true }).first().click();
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    await shot('reports');
    await page.getByRole('button', { name: 'Issue' }).click();
    const link = page.getByRole('link', { name: /Download PDF/ }).first();
    await link.waitFor();
    await shot('issued');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = path.join(pool.outDir, 'regulator-report.pdf');
    await download.saveAs(file);

    await page.getByLabel('Report file', { exact: true }).setInputFiles(file);
    const verdict = page.getByRole('region', { name: 'Verify a report file' }).getByRole('status');
    await expect.poll(() => verdict.textContent()).toMatch(/^Verified: this pool issued it/);
    await shot('verified');

    // One byte of the file changed: the pool issued no such report.
    const bytes = readFileSync(file);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 1;
    const tampered = path.join(pool.outDir, 'regulator-report-tampered.pdf');
    writeFileSync(tampered, bytes);
    expectRefusal(404);
    await page.getByLabel('Report file', { exact: true }).setInputFiles(tampered);
    await expect.poll(() => verdict.textContent()).toMatch(/^This pool issued no report with this content/);
    expect(await verdict.getAttribute('class')).toContain('bad');
    await shot('tampered-refused');
  });

  it('logs no error on any page', () => {
    expect(problems).toEqual([]);
  });
});

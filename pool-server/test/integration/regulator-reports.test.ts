/**
 * Starts: the HTTP API on a real PostgreSQL database, the agent's emulated Modbus
 * energy meter (SDM630 registers) read over real TCP by the agent's meter reader, and
 * pdftotext (poppler-utils) on the PDFs issued. A Semnan farm's October: a month of
 * readings every 15 minutes on a clock the test drives, a daily critical-peak window
 * it honours, one curtailment order it ignores and one it obeys, an hour over its
 * licence; devices mining as pool workers whose shares and credits are in the ledger.
 * Its reports in English, Persian and Russian say so, and only the signed bytes verify.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeterSample, MinerSample, Report, ReportVerification } from '@hashwatt/schemas';
import { startMeterEmulator, type MeterEmulator, REGISTER_MAPS } from '@hashwatt/agent/emulators';
import { readMeter } from '@hashwatt/agent/testing';
import { digestSigned } from '../../src/farms/reports/signing.ts';
import { hashwatt } from '../helpers/command-line.ts';
import { freePort } from '../helpers/embedded-postgres.ts';
import { bareSample } from '../helpers/samples.ts';
import { issueReportFile, pdfText as readPdf } from '../helpers/reports.ts';
import {
  farmOfOperator,
  signedInRegulator,
  startTestApi,
  type FarmOfOperator,
  type TestApi,
} from '../helpers/api.ts';

const HOUR = 3_600_000;
const STEP = 15 * 60_000;
const OCTOBER = Date.UTC(2026, 9, 1);
const NOVEMBER = Date.UTC(2026, 10, 1);
/** October as UTC instants: this farm's figures were worked out by hand over them. */
const UTC_OCTOBER = { from: new Date(OCTOBER).toISOString(), to: new Date(NOVEMBER).toISOString() };
const day = (date: number, hour: number, minute = 0): number => Date.UTC(2026, 9, date, hour, minute);
/** Tehran is UTC+3:30 all year: its 19:00–23:00 window is 15:30–19:30 UTC. */
const inWindow = (at: number): boolean => {
  const minuteOfDay = (at % (24 * HOUR)) / 60_000;
  return minuteOfDay >= 15 * 60 + 30 && minuteOfDay < 19 * 60 + 30;
};
const IGNORED_ORDER = { startsAt: day(12, 10), endsAt: day(12, 14) };
const OBEYED_ORDER = { startsAt: day(20, 10), endsAt: day(20, 14) };
const OVER_LICENCE = { from: day(25, 10), to: day(25, 11) };

/** What the farm draws over [at, at + 15 min), in kW. */
function loadKw(at: number): number {
  if (at >= OBEYED_ORDER.startsAt && at < OBEYED_ORDER.endsAt) {
    return 250;
  }
  if (at >= OVER_LICENCE.from && at < OVER_LICENCE.to) {
    return 1_100;
  }
  return inWindow(at) ? 200 : 800;
}

// By hand: 31 days of 20 h at 800 kW and 4 h at 200 kW = 520,800 kWh; the obeyed order
// saves 4 h × 550 kW = 2,200 kWh; the hour over the licence adds 300 kWh.
const ENERGY_KWH = '518900.0';
// 31 windows of 4 h at 200 kW.
const WINDOW_KWH = '24800.0';

describe('regulator reports over a month of metered readings', () => {
  let api: TestApi;
  let farm: FarmOfOperator;
  let meter: MeterEmulator;
  let regulator: Record<string, string>;
  let otherRegulator: Record<string, string>;
  let directory: string;
  let clock = OCTOBER - HOUR;
  const reports = new Map<string, { report: Report; file: Buffer }>();

  const issue = (headers: Record<string, string>, body: Record<string, unknown>) =>
    issueReportFile(api, headers, body);
  const pdfText = (file: Buffer): Promise<string> => readPdf(file, directory);

  // Three thousand meter reads and six signed reports: more than two minutes on a busy machine.
  beforeAll(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 'hashwatt-reports-'));
    api = await startTestApi();
    api.clock.ms = OCTOBER - 2 * HOUR;
    farm = await farmOfOperator(api, 'op@kavir.test', {
      organisation: 'Kavir Mining',
      farm: 'Semnan Hall 2',
    });
    const as = { headers: farm.operator };
    const profile = await api.app.inject({
      method: 'PATCH',
      url: `/api/farms/${farm.farmId}`,
      ...as,
      payload: {
        country: 'IR',
        region: 'IR-20',
        timezone: 'Asia/Tehran',
        licence: {
          number: 'MIMT-1405-0042',
          authority: 'MIMT',
          capacityKw: 1_000,
          validFrom: '2026-03-21',
          validTo: '2027-03-20',
        },
      },
    });
    expect(profile.statusCode, profile.body).toBe(200);
    const window = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${farm.farmId}/restricted-windows`,
      ...as,
      payload: { class: 'critical_peak', from: '19:00', to: '23:00', validFrom: '2026-01-01' },
    });
    expect(window.statusCode, window.body).toBe(201);
    for (const order of [IGNORED_ORDER, OBEYED_ORDER]) {
      const created = await api.app.inject({
        method: 'POST',
        url: `/api/farms/${farm.farmId}/curtailment-orders`,
        ...as,
        payload: {
          noticeAt: new Date(order.startsAt - 2 * HOUR).toISOString(),
          startsAt: new Date(order.startsAt).toISOString(),
          endsAt: new Date(order.endsAt).toISOString(),
          reductionKw: 500,
          noticeRef: 'Tavanir 1405/0712',
        },
      });
      expect(created.statusCode, created.body).toBe(201);
    }

    // The month, read from the emulated meter over Modbus TCP as the agent reads it.
    const port = await freePort();
    meter = await startMeterEmulator({
      registers: REGISTER_MAPS.sdm630,
      unitId: 1,
      port,
      powerW: loadKw(clock) * 1000,
      now: () => clock,
    });
    const settings = {
      name: 'main-incomer',
      host: '127.0.0.1',
      port,
      model: 'sdm630' as const,
      registerBase: 0,
    };
    const readings: MeterSample[] = [];
    for (; clock <= NOVEMBER + HOUR; clock += STEP) {
      readings.push(await readMeter(settings, { timeoutMs: 30_000, now: () => new Date(clock) }));
      meter.setPowerW(loadKw(clock) * 1000);
    }
    const miners: MinerSample[] = [
      { ...bareSample('10.0.4.17:4028', new Date(day(5, 10)).toISOString()), hashrate: 100e12 },
      { ...bareSample('10.0.4.17:4028', new Date(day(5, 10, 30)).toISOString()), hashrate: 100e12 },
      { ...bareSample('10.0.4.17:4028', new Date(day(6, 10)).toISOString()), hashrate: 110e12 },
      {
        ...bareSample('10.0.4.18:4028', new Date(day(6, 10)).toISOString()),
        identity: {
          make: 'MicroBT',
          model: 'WhatsMiner M30S++',
          firmware: 'stock' as const,
          algorithm: 'sha256d',
        },
        hashrate: 80e12,
      },
    ].map((sample) => ({
      ...sample,
      identity: { ...sample.identity, model: sample.identity.model ?? 'Antminer S19j Pro' },
      pools: [
        {
          index: 0,
          url: 'stratum+tcp://pool.test:3333',
          user: `kavir.${sample.device}`,
          active: true,
          alive: true,
        },
      ],
    }));
    for (let start = 0; start < readings.length; start += 1_000) {
      const sent = await api.app.inject({
        method: 'POST',
        url: '/api/agent/telemetry',
        headers: { authorization: `Bearer ${farm.agentKey}` },
        payload: {
          batchId: `00000000-0000-4000-8000-${String(start).padStart(12, '0')}`,
          agentVersion: 'test',
          miners: start === 0 ? miners : [],
          meters: readings.slice(start, start + 1_000),
          dropped: 0,
        },
      });
      expect(sent.statusCode, sent.body).toBe(200);
    }

    // The pool's side: the account "kavir" mines from this farm's two devices and from a
    // machine elsewhere; on 5 October the farm did 3/4 of its work and 0.4 BTC was credited.
    const { db } = api.database;
    const { rows } = await db.query<{ id: string }>(
      "INSERT INTO accounts (name) VALUES ('kavir') RETURNING id::text",
    );
    const account = rows[0]?.id ?? '';
    const workers = await db.query<{ id: string; name: string }>(
      `INSERT INTO workers (account_id, name) VALUES ($1, 'kavir.10.0.4.17:4028'), ($1, 'kavir.10.0.4.18:4028'), ($1, 'kavir.elsewhere')
       RETURNING id::text, name`,
      [account],
    );
    const workerId = (name: string): string => workers.rows.find((worker) => worker.name === name)?.id ?? '';
    await db.query(
      `INSERT INTO share_rollups_worker_hour (bucket, worker_id, account_id, accepted_difficulty, accepted)
       VALUES ($1, $2, $5, 4.677102e10, 10), ($1, $3, $5, 1.559034e10, 10), ($1, $4, $5, 2.0787120e10, 10)`,
      [
        new Date(day(5, 10)),
        workerId('kavir.10.0.4.17:4028'),
        workerId('kavir.10.0.4.18:4028'),
        workerId('kavir.elsewhere'),
        account,
      ],
    );
    await db.query(
      `INSERT INTO ledger_entries (transaction_id, book, amount, kind, created_at)
       VALUES ('00000000-0000-4000-8000-00000000c0c0', $1, 40000000, 'pps-credit', $2),
              ('00000000-0000-4000-8000-00000000c0c0', 'pool:pps', -40000000, 'pps-credit', $2)`,
      [`miner:${account}`, new Date(day(5, 12))],
    );

    regulator = await signedInRegulator(api, 'semnan@regulator.test', { country: 'IR', regions: ['IR-20'] });
    otherRegulator = await signedInRegulator(api, 'irkutsk@regulator.test', { country: 'RU', regions: [] });
    api.clock.ms = Date.UTC(2026, 10, 2, 9, 30);
    for (const language of ['en', 'fa', 'ru'] as const) {
      for (const format of ['csv', 'pdf'] as const) {
        reports.set(
          `${language}.${format}`,
          await issue(regulator, { farmId: farm.farmId, ...UTC_OCTOBER, language, format }),
        );
      }
    }
  }, 360_000);

  afterAll(async () => {
    await meter.close();
    await api.close();
    rmSync(directory, { recursive: true, force: true });
  });

  function csvRows(file: Buffer): Map<string, string[]> {
    const text = file.toString('utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const rows = new Map<string, string[]>();
    for (const line of text.slice(1).trimEnd().split('\r\n').slice(1)) {
      // Fields here hold no quotes or commas except the quoted labels, which the test does not read.
      const [, section = '', item = '', , value = '', shown = ''] = line.split(',');
      rows.set(`${section}.${item}`, [value, shown]);
    }
    return rows;
  }

  it('states in CSV the month’s energy, the energy in the window, the peak over the licence and each order’s compliance', () => {
    const rows = csvRows(reports.get('en.csv')?.file ?? Buffer.alloc(0));
    expect(rows.get('report.period')?.[0]).toBe('2026-10-01T00:00:00.000Z/2026-11-01T00:00:00.000Z');
    expect(rows.get('farm.energyTotal')?.[0]).toBe(ENERGY_KWH);
    expect(rows.get('farm.energyRestricted.critical_peak')?.[0]).toBe(WINDOW_KWH);
    expect(rows.get('farm.peakDemand')?.[0]).toBe('1100.0');
    expect(rows.get('farm.peakVsLicence')?.[0]).toBe('110.0');
    expect(rows.get('orders.1.start')?.[0]).toBe(new Date(IGNORED_ORDER.startsAt).toISOString());
    expect(rows.get('orders.1.allowedKw')?.[0]).toBe('300.0');
    expect(rows.get('orders.1.peakKw')?.[0]).toBe('800.0');
    expect(rows.get('orders.1.result')?.[0]).toBe('violated');
    expect(rows.get('orders.1.reasons')?.[0]).toBe('the load never fell to 300 kW');
    expect(rows.get('orders.2.peakKw')?.[0]).toBe('250.0');
    expect(rows.get('orders.2.result')?.[0]).toBe('complied');
  });

  it('states hashrate two ways, the coins attributed from the ledger, and the devices by model', () => {
    const rows = csvRows(reports.get('en.csv')?.file ?? Buffer.alloc(0));
    // Hourly totals 100 TH/s (5 Oct) and 110 + 80 TH/s (6 Oct).
    expect(rows.get('farm.hashrateAverage')?.[0]).toBe('145.00');
    expect(rows.get('farm.hashratePeak')?.[0]).toBe('190.00');
    // 6.236136e10 of difficulty × 2^32 over the 2,678,400 s of October: 100.0000 TH/s.
    expect(rows.get('farm.hashratePool')?.[0]).toBe('100.00');
    // 0.4 BTC × 3/4 of the account's work that day.
    expect(rows.get('farm.mined')?.[0]).toBe('0.30000000');
    expect(rows.get('devices.1.model')?.[0]).toBe('Antminer S19j Pro');
    expect(rows.get('devices.2.model')?.[0]).toBe('WhatsMiner M30S++');
  });

  it('prints the same figures in the English PDF', async () => {
    const text = await pdfText(reports.get('en.pdf')?.file ?? Buffer.alloc(0));
    expect(text).toContain('Power use and production report');
    // A period given in UTC is printed in the farm's Tehran time, and in UTC beside it.
    expect(text).toContain('1 October 2026 – 1 November 2026 (Asia/Tehran)');
    expect(text).toContain('2026-10-01T00:00:00.000Z – 2026-11-01T00:00:00.000Z');
    expect(text).toContain('Energy drawn 518,900.0 kWh');
    expect(text).toContain('Energy inside restricted windows: critical');
    expect(text).toContain('24,800.0 kWh');
    expect(text).toContain('Peak demand / licensed capacity 110.0 %');
    expect(text).toContain('Bitcoin mined 0.30000000 BTC');
    expect(text).toMatch(/800\.0 violated/);
    expect(text).toMatch(/250\.0 complied/);
    expect(text).toContain(`Pool signing key (SHA-256 fingerprint): ${api.reportSigner.fingerprint}`);
  });

  it('prints them in Persian with Persian digits and Solar Hijri dates', async () => {
    const text = await pdfText(reports.get('fa.pdf')?.file ?? Buffer.alloc(0));
    for (const words of ['گزارش', 'مصرف', 'برق', 'انرژی', 'مصرفی', 'نقض', 'رعایت', 'کیلووات']) {
      expect(text).toContain(words);
    }
    // 518,900.0 and 24,800.0 kWh; 1,100.0 kW; 110.0 %; 0.3 BTC.
    for (const figure of ['۵۱۸٬۹۰۰٫۰', '۲۴٬۸۰۰٫۰', '۱٬۱۰۰٫۰', '۱۱۰٫۰', '۰٫۳۰۰۰۰۰۰۰']) {
      expect(text).toContain(figure);
    }
    // 1 October 2026 is 9 Mehr 1405; 31 October is 9 Aban 1405.
    // The orders: 12 October is 20 Mehr, 20 October is 28 Mehr.
    for (const date of [/۹ ?مهر/, /آبان/, /۱۴۰۵/, /۲۰ ?مهر/, /۲۸ ?مهر/]) {
      expect(text).toMatch(date);
    }
    expect(text).not.toContain('518,900');
    // Why the ignored order was violated, in Persian words.
    for (const words of ['بار', 'هرگز', '۳۰۰', 'نیافت']) {
      expect(text).toContain(words);
    }
  });

  it('prints them in Russian, in Cyrillic with Russian number formats', async () => {
    const text = await pdfText(reports.get('ru.pdf')?.file ?? Buffer.alloc(0));
    expect(text).toContain('Отчёт о потреблении электроэнергии и добыче');
    expect(text).toContain('1 октября 2026 г. – 1 ноября 2026 г. (Asia/Tehran)');
    expect(text).toContain('Потреблённая энергия 518 900,0 кВт·ч');
    expect(text).toContain('110,0 %');
    expect(text).toMatch(/800,0 нарушено/);
    expect(text).toMatch(/250,0 выполнено/);
    expect(text).toContain('нагрузка так и не снизилась до 300 кВт');
  });

  it('keeps the Persian CSV’s values machine-readable and its words Persian', () => {
    const rows = csvRows(reports.get('fa.csv')?.file ?? Buffer.alloc(0));
    expect(rows.get('farm.energyTotal')).toEqual([ENERGY_KWH, '۵۱۸٬۹۰۰٫۰']);
    expect(rows.get('orders.1.result')).toEqual(['violated', 'نقض شد']);
  });

  it('verifies each issued file, by its bytes and by its digest, and refuses a tampered one', async () => {
    for (const { report, file } of reports.values()) {
      const byBytes = await api.app.inject({
        method: 'POST',
        url: '/api/reports/verify',
        headers: { 'content-type': report.format === 'pdf' ? 'application/pdf' : 'text/csv' },
        payload: file,
      });
      expect(byBytes.statusCode).toBe(200);
      expect(byBytes.json<ReportVerification>()).toMatchObject({ valid: true, report: { id: report.id } });
      const tampered = Buffer.from(file);
      // One figure changed: 518,900.0 becomes 418,900.0 (or, in the PDF, one byte of its content).
      const at = tampered.indexOf(report.format === 'csv' ? '518900.0' : 'stream');
      const changed = at + (report.format === 'csv' ? 0 : 20);
      tampered.writeUInt8((tampered[changed] ?? 0) ^ 0x01, changed);
      const refused = await api.app.inject({
        method: 'POST',
        url: '/api/reports/verify',
        headers: { 'content-type': 'application/octet-stream' },
        payload: tampered,
      });
      expect(refused.statusCode).toBe(404);
      expect(refused.json()).toMatchObject({ error: 'HW_ERR_REPORT_NOT_ISSUED' });
    }
  });

  it('verifies from the command line against the running pool, and fails a tampered file', async () => {
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    const address = api.app.server.address();
    const server = `http://127.0.0.1:${String(typeof address === 'object' && address ? address.port : 0)}`;
    const { report, file } = reports.get('fa.pdf') ?? { report: undefined, file: Buffer.alloc(0) };
    const good = path.join(directory, 'good.pdf');
    const bad = path.join(directory, 'bad.pdf');
    writeFileSync(good, file);
    const tampered = Buffer.from(file);
    tampered.writeUInt8((tampered[tampered.length - 10] ?? 0) ^ 0x20, tampered.length - 10);
    writeFileSync(bad, tampered);
    // The command runs in this process, as does the pool answering it.
    const cli = async (args: string[]): Promise<{ status: number; out: string }> => {
      const run = await hashwatt(['report', 'verify', ...args], { HASHWATT_LOG_LEVEL: 'fatal' });
      return { status: run.code, out: run.stdout + run.stderr };
    };
    const verified = await cli([good, '--server', server]);
    expect(verified.status, verified.out).toBe(0);
    expect(verified.out).toContain(`VERIFIED: report ${report?.id ?? ''}`);
    const refused = await cli([bad, '--server', server]);
    expect(refused.status).toBe(1);
    expect(refused.out).toContain('NOT VERIFIED');
    // Offline, with the signature from the download's header and the pool's published key.
    const key = (await api.app.inject({ method: 'GET', url: '/api/reports/signing-key' })).json<{
      publicKey: string;
    }>();
    expect(
      (await cli([good, '--public-key', key.publicKey, '--signature', report?.signature ?? ''])).status,
    ).toBe(0);
    expect(
      (await cli([bad, '--public-key', key.publicKey, '--signature', report?.signature ?? ''])).status,
    ).toBe(1);
  });

  it("cannot be forged with another key, nor one report's signature lent to another", () => {
    const english = reports.get('en.pdf');
    const persian = reports.get('fa.pdf');
    const poolKey = Buffer.from(english?.report.publicKey ?? '', 'base64');
    const digestOf = (file: Buffer): Buffer => createHash('sha256').update(file).digest();
    // The real pair holds.
    expect(
      digestSigned(
        digestOf(english?.file ?? Buffer.alloc(0)),
        Buffer.from(english?.report.signature ?? '', 'base64'),
        poolKey,
      ),
    ).toBe(true);
    // The English report's signature does not cover the Persian file.
    expect(
      digestSigned(
        digestOf(persian?.file ?? Buffer.alloc(0)),
        Buffer.from(english?.report.signature ?? '', 'base64'),
        poolKey,
      ),
    ).toBe(false);
    // A changed file signed by someone else's key is not signed by the pool's.
    const changed = Buffer.concat([english?.file ?? Buffer.alloc(0), Buffer.from(' ')]);
    const forger = generateKeyPairSync('ed25519').privateKey;
    expect(digestSigned(digestOf(changed), sign(null, digestOf(changed), forger), poolKey)).toBe(false);
  });

  it('keeps an issued report as it was: the database refuses to change or delete it', async () => {
    const { db } = api.database;
    await expect(db.query("UPDATE reports SET language = 'en'")).rejects.toThrow(/never changed or removed/);
    await expect(db.query('DELETE FROM reports')).rejects.toThrow(/never changed or removed/);
    await expect(db.query('TRUNCATE reports')).rejects.toThrow(/never changed or removed/);
  });

  it('lists and serves reports to those who may see them only', async () => {
    const mine = await api.app.inject({ method: 'GET', url: '/api/reports', headers: farm.operator });
    expect(mine.json<Report[]>()).toHaveLength(6);
    const theirs = await api.app.inject({ method: 'GET', url: '/api/reports', headers: otherRegulator });
    expect(theirs.json<Report[]>()).toEqual([]);
    const id = reports.get('en.pdf')?.report.id ?? '';
    const hidden = await api.app.inject({
      method: 'GET',
      url: `/api/reports/${id}/file`,
      headers: otherRegulator,
    });
    expect(hidden.statusCode).toBe(404);
    const outside = await api.app.inject({
      method: 'POST',
      url: '/api/reports',
      headers: otherRegulator,
      payload: { farmId: farm.farmId, language: 'ru', format: 'pdf' },
    });
    expect(outside.statusCode).toBe(404);
    const notTheirs = await api.app.inject({
      method: 'POST',
      url: '/api/reports',
      headers: regulator,
      payload: { country: 'RU', language: 'ru', format: 'csv' },
    });
    expect(notTheirs.json()).toMatchObject({ error: 'HW_ERR_ROLE_FORBIDDEN', field: 'body.country' });
  });

  it('reports on a whole jurisdiction for its regulator, with its totals', async () => {
    const { file } = await issue(regulator, {
      country: 'IR',
      ...UTC_OCTOBER,
      language: 'en',
      format: 'csv',
    });
    const rows = csvRows(file);
    expect(rows.get('report.jurisdiction')?.[0]).toBe('IR IR-20');
    expect(rows.get('jurisdiction.farms')?.[0]).toBe('1');
    expect(rows.get('jurisdiction.energyTotal')?.[0]).toBe(ENERGY_KWH);
    expect(rows.get('farm.energyTotal')?.[0]).toBe(ENERGY_KWH);
  });

  it('answers a bad request with the field at fault', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ language: 'en', format: 'pdf' }, 'body.farmId'],
      [{ farmId: farm.farmId, country: 'IR', language: 'en', format: 'pdf' }, 'body.farmId'],
      [
        {
          farmId: farm.farmId,
          month: '2026-10',
          from: '2026-10-01T00:00:00Z',
          language: 'en',
          format: 'pdf',
        },
        'body.month',
      ],
      [{ farmId: farm.farmId, from: '2026-10-01T00:00:00Z', language: 'en', format: 'pdf' }, 'body.to'],
      [
        {
          farmId: farm.farmId,
          from: '2026-10-01T00:00:00Z',
          to: '2026-09-01T00:00:00Z',
          language: 'en',
          format: 'pdf',
        },
        'body.to',
      ],
      [{ farmId: farm.farmId, language: 'de', format: 'pdf' }, 'body.language'],
      [{ farmId: farm.farmId, month: '2026-13', language: 'en', format: 'pdf' }, 'body.month'],
      // An Iranian farm's month is a Solar Hijri one.
      [{ farmId: farm.farmId, month: '2026-10', language: 'en', format: 'pdf' }, 'body.month'],
      [
        { farmId: farm.farmId, month: '1405-08', calendar: 'julian', language: 'en', format: 'pdf' },
        'body.calendar',
      ],
    ];
    for (const [payload, field] of cases) {
      const response = await api.app.inject({
        method: 'POST',
        url: '/api/reports',
        headers: farm.operator,
        payload,
      });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json()).toMatchObject({ error: 'HW_ERR_VALIDATION', field });
    }
  });
});

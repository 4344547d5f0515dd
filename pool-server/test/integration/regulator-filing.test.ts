/**
 * Starts: the HTTP API on a real PostgreSQL database, and pdftotext (poppler-utils) on
 * the PDFs it issues. An Iranian farm in Semnan and a Russian one in Irkutsk, each with
 * a meter read every minute for three months whose load steps up at a month boundary of
 * local time: Azar 1, 1405 at Tehran midnight, 1 December 2026 at Moscow midnight. Their
 * month's reports, in PDF, CSV and JSON, must be cut there, name the month as their
 * reader does, and carry what a filing needs: meter serials and registers, energy per
 * tariff band, the device inventory with hours run, coins credited and paid with their
 * addresses and transaction ids, the licence and the tax id. A month with no readings
 * says "no data" and signs no zero.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Value from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PowerReport, type MinerSample, type Report } from '@hashwatt/schemas';
import { bareSample } from '../helpers/samples.ts';
import { issueReportFile, pdfText as readPdf } from '../helpers/reports.ts';
import {
  farmOfOperator,
  signedInRegulator,
  startTestApi,
  type FarmOfOperator,
  type TestApi,
} from '../helpers/api.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Azar 1, 1405 at 00:00 in Tehran (UTC+3:30). */
const AZAR = Date.parse('2026-11-21T20:30:00Z');
const DEY = Date.parse('2026-12-21T20:30:00Z');
/** 1 December 2026 at 00:00 in Moscow (UTC+3); the farm itself is in Irkutsk (UTC+8). */
const MOSCOW_DECEMBER = Date.parse('2026-11-30T21:00:00Z');
const MOSCOW_NOVEMBER = Date.parse('2026-10-31T21:00:00Z');

interface Site {
  readonly farm: FarmOfOperator;
  readonly meterId: string;
}

describe('regulator filings for an Iranian and a Russian farm', () => {
  let api: TestApi;
  let iran: Site;
  let russia: Site;
  let directory: string;
  const files = new Map<string, { report: Report; file: Buffer }>();

  const issue = (headers: Record<string, string>, body: Record<string, unknown>) =>
    issueReportFile(api, headers, body);
  const pdfText = (file: Buffer): Promise<string> => readPdf(file, directory);

  /** The CSV's `section.item` → [value, shown], parsed as RFC 4180. */
  function csvRows(file: Buffer): Map<string, string[]> {
    const text = file.toString('utf8').slice(1);
    const rows = new Map<string, string[]>();
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    const endRow = (): void => {
      const [, section = '', item = '', , value = '', shown = ''] = fields;
      rows.set(`${section}.${item}`, [value, shown]);
      fields.length = 0;
    };
    for (let i = 0; i < text.length; i += 1) {
      const char = text[i] ?? '';
      if (quoted) {
        if (char === '"' && text[i + 1] === '"') {
          field += '"';
          i += 1;
        } else if (char === '"') {
          quoted = false;
        } else {
          field += char;
        }
      } else if (char === '"') {
        quoted = true;
      } else if (char === ',') {
        fields.push(field);
        field = '';
      } else if (char === '\r' && text[i + 1] === '\n') {
        fields.push(field);
        field = '';
        endRow();
        i += 1;
      } else {
        field += char;
      }
    }
    return rows;
  }

  /** A farm with its profile, one meter and two devices reported by its agent. */
  async function site(
    email: string,
    names: { organisation: string; farm: string },
    profile: Record<string, unknown>,
    devices: readonly MinerSample[],
  ): Promise<Site> {
    const farm = await farmOfOperator(api, email, names);
    const patched = await api.app.inject({
      method: 'PATCH',
      url: `/api/farms/${farm.farmId}`,
      headers: farm.operator,
      payload: profile,
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const sent = await api.app.inject({
      method: 'POST',
      url: '/api/agent/telemetry',
      headers: { authorization: `Bearer ${farm.agentKey}` },
      payload: {
        batchId: crypto.randomUUID(),
        agentVersion: 'test',
        miners: devices,
        meters: [{ meter: 'main-incomer', at: devices[0]?.at, energyWh: 0, powerW: 0 }],
        dropped: 0,
      },
    });
    expect(sent.statusCode, sent.body).toBe(200);
    const { rows } = await api.database.db.query<{ id: string }>(
      'SELECT id::text FROM meters WHERE farm_id = $1',
      [farm.farmId],
    );
    return { farm, meterId: rows[0]?.id ?? '' };
  }

  /**
   * A reading a minute over [fromMs, toMs) at `lowKw` before `stepMs` and `highKw` from
   * it: the register integrates the load exactly, so any cut of the period is checkable by hand.
   */
  async function meterMinutes(
    where: Site,
    range: { fromMs: number; toMs: number; stepMs: number; lowKw: number; highKw: number },
  ): Promise<void> {
    await api.database.db.query(
      `INSERT INTO meter_samples (time, farm_id, meter_id, energy_wh, power_w)
       SELECT t, $1, $2,
              $6 * 1000 * extract(epoch FROM least(t, to_timestamp($5 / 1000.0)) - to_timestamp($3 / 1000.0)) / 3600
                + $7 * 1000 * extract(epoch FROM greatest(t, to_timestamp($5 / 1000.0)) - to_timestamp($5 / 1000.0)) / 3600,
              CASE WHEN t < to_timestamp($5 / 1000.0) THEN $6 ELSE $7 END * 1000
         FROM generate_series(to_timestamp($3 / 1000.0), to_timestamp($4 / 1000.0), interval '1 minute') AS t`,
      [where.farm.farmId, where.meterId, range.fromMs, range.toMs, range.stepMs, range.lowKw, range.highKw],
    );
    await api.database.db.query('UPDATE meters SET last_seen = to_timestamp($2 / 1000.0) WHERE id = $1', [
      where.meterId,
      range.toMs,
    ]);
  }

  /** A device's readings every 5 minutes over [fromMs, toMs), in `state`. */
  async function deviceReadings(where: Site, device: string, fromMs: number, toMs: number, state: string) {
    await api.database.db.query(
      `INSERT INTO miner_samples (time, farm_id, device_id, state, hashrate, sample)
       SELECT t, $1, d.id, $5, CASE WHEN $5 = 'mining' THEN 100e12 END, '{}'::jsonb
         FROM devices d, generate_series(to_timestamp($3 / 1000.0), to_timestamp($4 / 1000.0) - interval '5 minutes',
                                         interval '5 minutes') AS t
        WHERE d.farm_id = $1 AND d.device = $2`,
      [where.farm.farmId, device, fromMs, toMs, state],
    );
    await api.database.db.query(
      `UPDATE devices SET last_seen = greatest(last_seen, to_timestamp($3 / 1000.0)) WHERE farm_id = $1 AND device = $2`,
      [where.farm.farmId, device, toMs],
    );
  }

  /**
   * The pool's side: an account whose worker is the farm's device (by its pool user), its
   * credits with the work behind them, and one payout.
   */
  async function poolCredits(
    account: { name: string; address: string; worker: string },
    credits: readonly { atMs: number; sats: number }[],
    payout: { atMs: number; sats: number; txid: string },
  ): Promise<void> {
    const { db } = api.database;
    const created = await db.query<{ id: string }>(
      'INSERT INTO accounts (name, payout_address) VALUES ($1, $2) RETURNING id::text',
      [account.name, account.address],
    );
    const accountId = created.rows[0]?.id ?? '';
    const worker = await db.query<{ id: string }>(
      'INSERT INTO workers (account_id, name) VALUES ($1, $2) RETURNING id::text',
      [accountId, account.worker],
    );
    for (const [index, credit] of credits.entries()) {
      const bucket = new Date(Math.floor(credit.atMs / HOUR) * HOUR);
      await db.query(
        `INSERT INTO share_rollups_worker_hour (bucket, worker_id, account_id, accepted_difficulty, accepted)
         VALUES ($1, $2, $3, 1e10, 10)`,
        [bucket, worker.rows[0]?.id, accountId],
      );
      const transaction = `00000000-0000-4000-8000-${String(Number(accountId) * 100 + index).padStart(12, '0')}`;
      await db.query(
        `INSERT INTO ledger_entries (transaction_id, book, amount, kind, created_at)
         VALUES ($1, $2, $3, 'pps-credit', $4), ($1, 'pool:pps', -$3::bigint, 'pps-credit', $4)`,
        [transaction, `miner:${accountId}`, credit.sats, new Date(credit.atMs)],
      );
    }
    const paid = await db.query<{ id: string }>(
      `INSERT INTO payouts (id, status, txid, total, created_at, sent_at)
       VALUES (gen_random_uuid(), 'sent', $1, $2, $3, $3) RETURNING id`,
      [payout.txid, payout.sats, new Date(payout.atMs)],
    );
    await db.query(
      'INSERT INTO payout_items (payout_id, account_id, address, amount) VALUES ($1, $2, $3, $4)',
      [paid.rows[0]?.id, accountId, account.address, payout.sats],
    );
  }

  const device = (address: string, at: number, serial: string, user: string): MinerSample => ({
    ...bareSample(address, new Date(at).toISOString()),
    identity: { make: 'Bitmain', model: 'Antminer S21', firmware: 'stock', algorithm: 'sha256d', serial },
    pools: [{ index: 0, url: 'stratum+tcp://pool.test:3333', user, active: true, alive: true }],
  });

  beforeAll(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 'hashwatt-filing-'));
    api = await startTestApi();
    const start = Date.parse('2026-10-01T00:00:00Z');
    api.clock.ms = start;
    iran = await site(
      'op@kavir.test',
      { organisation: 'Kavir Mining', farm: 'Semnan Hall 3' },
      {
        country: 'IR',
        region: 'IR-20',
        timezone: 'Asia/Tehran',
        licence: { number: 'MIMT-1405-0077', authority: 'MIMT', capacityKw: 2_000, taxId: '10320000001' },
      },
      [
        device('10.0.5.1:4028', start, 'BMS21-0001', 'kavir.hall3-1'),
        device('10.0.5.2:4028', start, 'BMS21-0002', 'kavir.hall3-2'),
      ],
    );
    russia = await site(
      'op@baikal.test',
      { organisation: 'Baikal Hash', farm: 'Irkutsk 1' },
      {
        country: 'RU',
        region: 'RU-IRK',
        timezone: 'Asia/Irkutsk',
        licence: { registerEntry: 'MR-0000123', taxId: '7707083893', capacityKw: 1_500 },
      },
      [device('10.1.0.1:4028', start, 'BMS21-0101', 'baikal.irk-1')],
    );
    const { db } = api.database;
    await db.query("UPDATE meters SET serial = 'SDM630-22117' WHERE id = $1", [iran.meterId]);
    await db.query("UPDATE meters SET serial = 'Mercury-236-4410' WHERE id = $1", [russia.meterId]);
    // Iran: 400 kW through Aban, 600 kW from Azar 1 at Tehran midnight; a two-band tariff
    // whose peak band is 19:00–23:00 Tehran time.
    await meterMinutes(iran, {
      fromMs: Date.parse('2026-10-20T00:00:00Z'),
      toMs: Date.parse('2027-01-05T00:00:00Z'),
      stepMs: AZAR,
      lowKw: 400,
      highKw: 600,
    });
    const tariff = await api.app.inject({
      method: 'POST',
      url: `/api/farms/${iran.farm.farmId}/tariffs`,
      headers: iran.farm.operator,
      payload: {
        currency: 'IRR',
        effectiveFrom: '2026-01-01',
        defaultPricePerKwh: 4_800,
        bands: [{ name: 'peak', pricePerKwh: 19_300, windows: [{ from: '19:00', to: '23:00' }] }],
      },
    });
    expect(tariff.statusCode, tariff.body).toBe(201);
    // Russia: 300 kW through November, 500 kW from Moscow midnight on 1 December (05:00 in Irkutsk).
    await meterMinutes(russia, {
      fromMs: Date.parse('2026-10-25T00:00:00Z'),
      toMs: Date.parse('2026-12-10T00:00:00Z'),
      stepMs: MOSCOW_DECEMBER,
      lowKw: 300,
      highKw: 500,
    });
    // The first device hashes the first ten days of Azar, then sleeps; the second gives no reading in Azar.
    await deviceReadings(iran, '10.0.5.1:4028', AZAR, AZAR + 10 * DAY, 'mining');
    await deviceReadings(iran, '10.0.5.1:4028', AZAR + 10 * DAY, AZAR + 11 * DAY, 'sleeping');
    await deviceReadings(iran, '10.0.5.2:4028', AZAR - 2 * DAY, AZAR, 'mining');
    await deviceReadings(russia, '10.1.0.1:4028', MOSCOW_NOVEMBER, MOSCOW_DECEMBER, 'mining');
    // Credits half an hour either side of Tehran midnight: the first is Aban's, the second Azar's.
    await poolCredits(
      { name: 'kavir', address: 'bc1qkavir0000000000000000000000000000000', worker: 'kavir.hall3-1' },
      [
        { atMs: AZAR - 30 * MINUTE, sats: 1_000_000 },
        { atMs: AZAR + 30 * MINUTE, sats: 2_500_000 },
      ],
      { atMs: AZAR + 5 * DAY, sats: 3_400_000, txid: 'a1'.repeat(32) },
    );
    await poolCredits(
      { name: 'baikal', address: 'bc1qbaikal000000000000000000000000000000', worker: 'baikal.irk-1' },
      [{ atMs: MOSCOW_DECEMBER - 2 * HOUR, sats: 7_000_000 }],
      { atMs: MOSCOW_DECEMBER - HOUR, sats: 6_900_000, txid: 'b2'.repeat(32) },
    );

    api.clock.ms = Date.parse('2027-01-10T00:00:00Z');
    const iranRegulator = await signedInRegulator(api, 'semnan@regulator.test', {
      country: 'IR',
      regions: ['IR-20'],
    });
    const russianRegulator = await signedInRegulator(api, 'irkutsk@regulator.test', {
      country: 'RU',
      regions: [],
    });
    for (const format of ['pdf', 'csv', 'json'] as const) {
      files.set(
        `ir.${format}`,
        await issue(iranRegulator, {
          farmId: iran.farm.farmId,
          month: '1405-09',
          language: format === 'pdf' ? 'fa' : 'en',
          format,
        }),
      );
      files.set(
        `ru.${format}`,
        await issue(russianRegulator, {
          farmId: russia.farm.farmId,
          month: '2026-11',
          language: 'ru',
          format,
        }),
      );
    }
    files.set(
      'ru.empty.json',
      await issue(russianRegulator, {
        farmId: russia.farm.farmId,
        month: '2026-09',
        language: 'ru',
        format: 'json',
      }),
    );
    files.set(
      'ru.empty.pdf',
      await issue(russianRegulator, {
        farmId: russia.farm.farmId,
        month: '2026-09',
        language: 'en',
        format: 'pdf',
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await api.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const json = (key: string): PowerReport => {
    const parsed: unknown = JSON.parse(files.get(key)?.file.toString('utf8') ?? 'null');
    expect(Value.Errors(PowerReport, parsed)).toEqual([]);
    return parsed as PowerReport;
  };

  it('cuts an Iranian month at Tehran midnight of the Solar Hijri calendar', () => {
    const { report } = files.get('ir.json') ?? {};
    expect(report).toMatchObject({
      from: new Date(AZAR).toISOString(),
      to: new Date(DEY).toISOString(),
      calendar: 'persian',
      timezone: 'Asia/Tehran',
      month: '1405-09',
    });
    expect(report?.fileName).toContain('-1405-09-');
    const { period, farms } = json('ir.json');
    expect(period).toMatchObject({ monthName: 'Azar 1405', fnsDueDate: null });
    // 30 days at 600 kW; cut at UTC midnight it would hold 3.5 h at 400 kW.
    expect(farms[0]?.energy).toMatchObject({ basis: 'measured', kwhTotal: 432_000, peakKw: 600 });
  });

  it('cuts a Russian month at Moscow midnight and shows the FNS due date', () => {
    const { report } = files.get('ru.json') ?? {};
    expect(report).toMatchObject({
      from: new Date(MOSCOW_NOVEMBER).toISOString(),
      to: new Date(MOSCOW_DECEMBER).toISOString(),
      calendar: 'gregorian',
      timezone: 'Europe/Moscow',
    });
    const { period, farms } = json('ru.json');
    // 20 December 2026 is a Sunday.
    expect(period.fnsDueDate).toBe('2026-12-21');
    expect(farms[0]?.energy).toMatchObject({ basis: 'measured', kwhTotal: 216_000, peakKw: 300 });
    expect(farms[0]?.licence).toMatchObject({ taxId: '7707083893', registerEntry: 'MR-0000123' });
  });

  it('carries what a filing needs in JSON: meters, bands, devices, coins and addresses', () => {
    const [farm] = json('ir.json').farms;
    expect(farm?.meters).toEqual([
      {
        name: 'main-incomer',
        serial: 'SDM630-22117',
        // From 20 October 00:00 UTC: 32 days and 20.5 hours at 400 kW, then 30 days less a minute at 600 kW.
        first: { at: new Date(AZAR).toISOString(), kwh: expect.closeTo(400 * (32 * 24 + 20.5), 6) as number },
        last: {
          at: new Date(DEY - MINUTE).toISOString(),
          kwh: expect.closeTo(400 * (32 * 24 + 20.5) + 600 * (30 * 24 - 1 / 60), 6) as number,
        },
      },
    ]);
    // Four hours a day in the peak band at 600 kW: 30 × 4 × 600.
    const bands = new Map(farm?.energy.byBand.map((band) => [band.band, band]));
    expect(bands.get('peak')).toMatchObject({ kwh: 72_000, pricePerKwh: 19_300 });
    expect(bands.get('default')).toMatchObject({ kwh: 360_000, pricePerKwh: 4_800 });
    expect(farm?.devices).toEqual([
      expect.objectContaining({
        device: '10.0.5.1:4028',
        serial: 'BMS21-0001',
        model: 'Antminer S21',
        hoursRun: 240,
      }),
      expect.objectContaining({ device: '10.0.5.2:4028', serial: 'BMS21-0002', hoursRun: null }),
    ]);
    expect(farm?.production.mined).toBe('0.02500000');
    expect(farm?.production.credits).toEqual([
      {
        month: '1405-09',
        from: new Date(AZAR).toISOString(),
        to: new Date(DEY).toISOString(),
        accounts: [
          { account: 'kavir', address: 'bc1qkavir0000000000000000000000000000000', amount: '0.02500000' },
        ],
      },
    ]);
    expect(farm?.production.payouts).toEqual([
      {
        sentAt: new Date(AZAR + 5 * DAY).toISOString(),
        account: 'kavir',
        address: 'bc1qkavir0000000000000000000000000000000',
        amount: '0.03400000',
        txid: 'a1'.repeat(32),
      },
    ]);
    expect(farm?.licence).toMatchObject({ number: 'MIMT-1405-0077', taxId: '10320000001' });
  });

  it('says a month with no readings has no data, in JSON and in print, never zero', async () => {
    const [farm] = json('ru.empty.json').farms;
    expect(farm?.energy).toMatchObject({ basis: 'unknown', kwhTotal: null, peakKw: null });
    // No device reading in September: no hashrate. Its worker is linked, so the pool measured none: 0.
    expect(farm?.hashrate).toEqual({ deviceAverage: null, devicePeak: null, poolAverage: 0 });
    expect(farm?.energy.unknownReason).toMatch(/no meter reading|no reading/);
    const text = await pdfText(files.get('ru.empty.pdf')?.file ?? Buffer.alloc(0));
    expect(text).toMatch(/Energy drawn no data/);
    expect(text).toContain('Energy figures no data: no meter reading in the period');
    expect(text).not.toMatch(/Energy drawn 0/);
  });

  it('prints the Iranian report in Persian with its Solar Hijri month and the filing content', async () => {
    const text = await pdfText(files.get('ir.pdf')?.file ?? Buffer.alloc(0));
    for (const words of [
      'آذر',
      '۱۴۰۵',
      'Asia/Tehran',
      'SDM630-22117',
      'BMS21-0001',
      'a1'.repeat(32),
      '10320000001',
    ]) {
      expect(text).toContain(words);
    }
    // 432,000 kWh in Persian digits.
    expect(text).toContain('۴۳۲٬۰۰۰٫۰');
  });

  it('prints the Russian report with its month, due date, INN and payouts', async () => {
    const text = await pdfText(files.get('ru.pdf')?.file ?? Buffer.alloc(0));
    expect(text).toMatch(/ноябрь 2026/);
    expect(text).toContain('Срок ежемесячного отчёта в ФНС 21 декабря 2026 г.');
    expect(text).toContain('ИНН 7707083893');
    expect(text).toContain('Mercury-236-4410');
    expect(text).toContain('216 000,0 кВт·ч');
    expect(text).toContain('b2'.repeat(32));
    expect(text).toContain('bc1qbaikal000000000000000000000000000000');
  });

  it('gives machines the same facts in CSV', () => {
    const iranian = csvRows(files.get('ir.csv')?.file ?? Buffer.alloc(0));
    expect(iranian.get('report.period')?.[0]).toBe(
      `${new Date(AZAR).toISOString()}/${new Date(DEY).toISOString()}`,
    );
    expect(iranian.get('report.month')).toEqual(['1405-09', 'Azar 1405']);
    expect(iranian.get('farm.energyTotal')?.[0]).toBe('432000.0');
    expect(iranian.get('farm.taxId')?.[0]).toBe('10320000001');
    expect(iranian.get('meters.1.serial')?.[0]).toBe('SDM630-22117');
    expect(iranian.get('inventory.1.hoursRun')?.[0]).toBe('240.0');
    expect(iranian.get('credits.1.amount')?.[0]).toBe('0.02500000');
    expect(iranian.get('payouts.1.txid')?.[0]).toBe('a1'.repeat(32));
    const russian = csvRows(files.get('ru.csv')?.file ?? Buffer.alloc(0));
    expect(russian.get('report.fnsDue')?.[0]).toBe('2026-12-21');
    expect(russian.get('farm.energyTotal')?.[0]).toBe('216000.0');
    expect(russian.get('farm.energyBasis')?.[0]).toBe('measured');
  });

  it('signs the JSON like the PDF and CSV: its digest verifies, a changed byte does not', async () => {
    const { file } = files.get('ru.json') ?? { file: Buffer.alloc(0) };
    const verify = (body: Buffer) =>
      api.app.inject({
        method: 'POST',
        url: '/api/reports/verify',
        headers: { 'content-type': 'application/octet-stream' },
        payload: body,
      });
    expect((await verify(file)).json()).toMatchObject({ valid: true });
    const tampered = Buffer.from(file.toString('utf8').replace('216000', '116000'));
    expect((await verify(tampered)).statusCode).toBe(404);
  });
});

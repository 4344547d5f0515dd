import { describe, expect, test } from 'vitest';
import { bodyOf, headlineOf, sentenceOf, type AlertNotice } from './index.ts';

const OPENED = new Date('2026-03-20T09:30:00Z');

const silent = (language: AlertNotice['language'], facts: Record<string, unknown>): AlertNotice => ({
  language,
  notice: 'opened',
  rule: 'device-silent',
  subject: 'device:7',
  summary: 'Hall B: 10.0.4.17:4028 has not reported for 12 minutes',
  facts,
  openedAt: OPENED,
  resolvedAt: null,
});

const DEVICE = { farmName: 'Hall B', device: '10.0.4.17:4028', lastSeen: '2026-03-20T09:18:00Z' };

describe('alert wording', () => {
  test('English, from the facts', () => {
    expect(headlineOf(silent('en', DEVICE))).toBe(
      'Alert: Hall B: 10.0.4.17:4028 has not reported for 12 minutes',
    );
  });

  test('Persian words and digits, and the Solar Hijri date of the opening', () => {
    const body = bodyOf(silent('fa', DEVICE));
    expect(body.split('\n')[0]).toBe('هشدار: Hall B: 10.0.4.17:4028 ۱۲ دقیقه است که گزارشی نداده است');
    // 20 March 2026 is 29 Esfand 1404.
    expect(body).toMatch(/آغاز: ۲۹ اسفند ۱۴۰۴/);
    expect(body).toContain('قاعده: دستگاه خاموش (device-silent)');
  });

  test("Russian, with the noun's plural form following the count", () => {
    const at = (minutesAgo: number): AlertNotice =>
      silent('ru', { ...DEVICE, lastSeen: new Date(OPENED.getTime() - minutesAgo * 60_000).toISOString() });
    expect(sentenceOf(at(1))).toBe('Hall B: 10.0.4.17:4028 не отвечает 1 минуту');
    expect(sentenceOf(at(3))).toBe('Hall B: 10.0.4.17:4028 не отвечает 3 минуты');
    expect(sentenceOf(at(12))).toBe('Hall B: 10.0.4.17:4028 не отвечает 12 минут');
    expect(sentenceOf(at(21))).toBe('Hall B: 10.0.4.17:4028 не отвечает 21 минуту');
  });

  test('the stored English summary when the facts lack what the sentence needs', () => {
    // An alert opened before its farm's name was kept among its facts.
    const older = { device: DEVICE.device, lastSeen: DEVICE.lastSeen };
    expect(sentenceOf(silent('ru', older))).toBe('Hall B: 10.0.4.17:4028 has not reported for 12 minutes');
    expect(sentenceOf(silent('fa', { ...DEVICE, lastSeen: 'yesterday' }))).toBe(
      'Hall B: 10.0.4.17:4028 has not reported for 12 minutes',
    );
  });

  test('a resolved notice says so, with both times in UTC', () => {
    const body = bodyOf({
      ...silent('en', DEVICE),
      notice: 'resolved',
      resolvedAt: new Date('2026-03-20T10:05:00Z'),
    });
    expect(body.split('\n')[0]).toMatch(/^Resolved: /);
    expect(body).toContain('Opened: 20 Mar 2026, 09:30 UTC');
    expect(body).toContain('Resolved: 20 Mar 2026, 10:05 UTC');
  });

  test('amounts in bitcoin with eight decimals, in each language', () => {
    const payout = (language: AlertNotice['language']): string =>
      sentenceOf({
        ...silent(language, { id: '4', txid: 'ab'.repeat(32), total: 123_456_789, recipients: 3 }),
        rule: 'payout-sent',
        summary: 'payout',
      });
    expect(payout('en')).toBe(`payout of 1.23456789 BTC to 3 miners sent in ${'ab'.repeat(32)}`);
    expect(payout('ru')).toBe(`выплата 1,23456789 BTC 3 майнерам отправлена в ${'ab'.repeat(32)}`);
    expect(payout('fa')).toContain('۱٫۲۳۴۵۶۷۸۹ بیت‌کوین به ۳ ماینر');
  });

  test("a failing TimescaleDB job in each language, the server's error as it wrote it", () => {
    const job = (language: AlertNotice['language'], facts: Record<string, unknown>): string =>
      headlineOf({
        ...silent(language, facts),
        rule: 'timescale-job-failing',
        subject: 'timescale-job:1002',
        summary: 'TimescaleDB job Compression Policy [1002] is failing',
      });
    const failing = {
      jobId: 1002,
      name: 'Compression Policy [1002]',
      procedure: '_timescaledb_functions.policy_compression',
      hypertable: 'public.shares',
      failures: 3,
      lastError: 'could not extend file: No space left on device',
    };
    expect(job('en', failing)).toBe(
      'Alert: TimescaleDB job Compression Policy [1002] on public.shares is failing (3 failures: could not extend file: No space left on device)',
    );
    expect(job('fa', failing)).toBe(
      'هشدار: کار Compression Policy [1002] در TimescaleDB روی public.shares با خطا روبه‌روست (۳ بار ناموفق: could not extend file: No space left on device)',
    );
    expect(job('ru', failing)).toBe(
      'Оповещение: задание TimescaleDB Compression Policy [1002] для public.shares завершается с ошибкой (3 сбоя: could not extend file: No space left on device)',
    );
    expect(job('ru', { ...failing, hypertable: null, lastError: null, failures: 5 })).toBe(
      'Оповещение: задание TimescaleDB Compression Policy [1002] завершается с ошибкой (5 сбоев)',
    );
    // Kept before its name was among the facts: the stored English summary.
    expect(job('fa', { ...failing, name: undefined })).toBe(
      'هشدار: TimescaleDB job Compression Policy [1002] is failing',
    );
  });

  test("a violated order's findings in the reader's language, its figures in its digits", () => {
    const violated = (language: AlertNotice['language'], facts: Record<string, unknown>): string =>
      sentenceOf({
        ...silent(language, { farmName: 'Hall B', orderId: '9', ...facts }),
        rule: 'curtailment-violated',
        summary: 'Hall B: curtailment order 9 was violated',
      });
    const judged = {
      reasons: [
        'the load reached 1000 kW 25.0 min after the start',
        '10.0.4.19:4028 reported hashing during the order',
      ],
      findings: [
        { code: 'reached-late', allowedKw: 1000, minutesLate: 25 },
        { code: 'hashing-during-order', device: '10.0.4.19:4028' },
      ],
    };
    expect(violated('en', judged)).toBe(
      'Hall B: a curtailment order was violated: the load reached 1,000 kW 25.0 min after the start; 10.0.4.19:4028 reported hashing during the order',
    );
    expect(violated('fa', judged)).toBe(
      'Hall B: دستور کاهش مصرف رعایت نشد: بار ۲۵٫۰ دقیقه پس از شروع به ۱٬۰۰۰ کیلووات رسید؛ 10.0.4.19:4028 در طول دستور استخراج می‌کرد',
    );
    expect(violated('ru', judged)).toBe(
      'Hall B: приказ об ограничении нарушен: нагрузка снизилась до 1\u00a0000 кВт через 25,0 мин после начала; 10.0.4.19:4028 майнил во время распоряжения',
    );
    // An alert kept with its English reasons only, or with findings the schema does not know.
    const older = { reasons: judged.reasons };
    expect(violated('ru', older)).toBe(
      'Hall B: приказ об ограничении нарушен: the load reached 1000 kW 25.0 min after the start; 10.0.4.19:4028 reported hashing during the order',
    );
    expect(violated('fa', { ...judged, findings: [{ code: 'no-such-finding' }] })).toContain(
      'رعایت نشد: the load reached 1000 kW',
    );
  });

  test('chips too cold, a stopped fan and one at full speed, in each language', () => {
    const device = (
      language: AlertNotice['language'],
      rule: AlertNotice['rule'],
      facts: Record<string, unknown>,
    ): string => sentenceOf({ ...silent(language, { ...DEVICE, ...facts }), rule, summary: 'stored' });
    const cold = { chipTempC: 4.5, minChipTempC: 10 };
    expect(device('en', 'temperature-low', cold)).toBe('Hall B: 10.0.4.17:4028 chips at 4.5 °C, below 10 °C');
    expect(device('ru', 'temperature-low', cold)).toBe(
      'Hall B: чипы 10.0.4.17:4028 остыли до 4,5 °C, ниже 10 °C',
    );
    expect(device('fa', 'temperature-low', cold)).toContain('۴٫۵ درجه است، کمتر از ۱۰ درجه');
    const stopped = { fanRpm: 0, minFanRpm: 1000 };
    expect(device('en', 'fan-low', stopped)).toBe('Hall B: 10.0.4.17:4028 has a fan stopped');
    expect(device('ru', 'fan-low', stopped)).toBe('Hall B: вентилятор 10.0.4.17:4028 остановился');
    expect(device('fa', 'fan-low', stopped)).toBe('Hall B: یک فن 10.0.4.17:4028 از کار افتاده است');
    const full = { fanPercent: 100, maxFanPercent: 100 };
    expect(device('en', 'fan-high', full)).toBe(
      'Hall B: 10.0.4.17:4028 has a fan at 100 % of full speed, the limit 100 %',
    );
    expect(device('ru', 'fan-high', { fanRpm: 6200, maxFanRpm: 6000 })).toBe(
      'Hall B: вентилятор 10.0.4.17:4028 вращается на 6\u00a0200 об/мин, выше 6\u00a0000 об/мин',
    );
    expect(device('fa', 'fan-high', full)).toContain('۱۰۰ درصد توان کامل');
    // Neither a percent nor an rpm limit among the facts: the stored summary.
    expect(device('en', 'fan-high', { fanPercent: 100 })).toBe('stored');
  });
});

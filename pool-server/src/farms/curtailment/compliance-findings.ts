import type { ComplianceFinding, ReportLanguage } from '@hashwatt/schemas';

/**
 * A compliance finding in words, in each language a verdict is read in: the English
 * is the API's `reasons`; a report words its findings in its own language, with its
 * own digits and dates.
 */

/** How figures are written: plain digits and ISO 8601 unless a report says otherwise. */
export interface FindingFormat {
  readonly number: (value: number, fractionDigits: number) => string;
  readonly dateTime: (iso: string) => string;
}

export const PLAIN_FORMAT: FindingFormat = {
  number: (value, fractionDigits) => value.toFixed(fractionDigits),
  dateTime: (iso) => iso,
};

interface Units {
  readonly kw: string;
  readonly w: string;
  readonly ths: string;
}

const UNITS: Readonly<Record<ReportLanguage, Units>> = {
  en: { kw: 'kW', w: 'W', ths: 'TH/s' },
  fa: { kw: 'کیلووات', w: 'وات', ths: 'تراهش بر ثانیه' },
  ru: { kw: 'кВт', w: 'Вт', ths: 'TH/s' },
};

interface Said {
  /** A load: kW, or W under 1 kW, so a small farm's allowed 40 W never reads "0 kW". */
  power(kw: number): string;
  ths(hs: number): string;
  minutes(value: number): string;
  dateTime(iso: string): string;
}

type Wording = {
  readonly [C in ComplianceFinding['code']]: (
    finding: Extract<ComplianceFinding, { code: C }>,
    said: Said,
  ) => string;
};

const EN: Wording = {
  'no-readings-during-order': () => 'no meter readings during the order',
  'no-baseline': () => 'no meter readings in the hour before the notice',
  'meter-gap': (f, s) => `the meter has no readings from ${s.dateTime(f.from)} to ${s.dateTime(f.to)}`,
  'load-never-fell': (f, s) => `the load never fell to ${s.power(f.allowedKw)}`,
  'reached-late': (f, s) =>
    `the load reached ${s.power(f.allowedKw)} ${s.minutes(f.minutesLate)} min after the start`,
  'demand-rose-again': (f, s) => `15-minute demand rose again to ${s.power(f.peakKw)}`,
  'meter-suspect': (f, s) =>
    f.peakKw === null
      ? 'the meter is suspect: it said the load was down while devices hashed'
      : `the meter is suspect: it read ${s.power(f.peakKw)} while devices hashed`,
  'hashing-after-sleep': (f) => `${f.device} reported hashing after it was ordered to sleep`,
  'hashing-during-order': (f) => `${f.device} reported hashing during the order`,
  'pool-contradicts': (f, s) =>
    `the pool measured ${s.ths(f.duringHs)} from the farm's workers during the order against ${s.ths(f.beforeHs)} before the notice (at most ${s.ths(f.mostHs)} fits the allowed load)`,
  'command-failed': (f) =>
    `${f.action} command to ${f.device} ${f.status === 'failed' ? 'failed' : 'did not succeed'}: ${f.error ?? 'no error given'}${f.unrecovered ? '; nothing shows the device stopped' : ''}`,
};

const FA: Wording = {
  'no-readings-during-order': () => 'کنتور در طول دستور هیچ قرائتی ندارد',
  'no-baseline': () => 'کنتور در ساعت پیش از ابلاغ قرائتی ندارد',
  'meter-gap': (f, s) => `کنتور از ${s.dateTime(f.from)} تا ${s.dateTime(f.to)} قرائتی ندارد`,
  'load-never-fell': (f, s) => `بار هرگز به ${s.power(f.allowedKw)} کاهش نیافت`,
  'reached-late': (f, s) =>
    `بار ${s.minutes(f.minutesLate)} دقیقه پس از شروع به ${s.power(f.allowedKw)} رسید`,
  'demand-rose-again': (f, s) => `توان میانگین ۱۵ دقیقه‌ای دوباره به ${s.power(f.peakKw)} رسید`,
  'meter-suspect': (f, s) =>
    f.peakKw === null
      ? 'کنتور مشکوک است: کاهش بار نشان داد در حالی که دستگاه‌ها استخراج می‌کردند'
      : `کنتور مشکوک است: ${s.power(f.peakKw)} نشان داد در حالی که دستگاه‌ها استخراج می‌کردند`,
  'hashing-after-sleep': (f) => `${f.device} پس از دستور خواب به استخراج ادامه داد`,
  'hashing-during-order': (f) => `${f.device} در طول دستور استخراج می‌کرد`,
  'pool-contradicts': (f, s) =>
    `استخر در طول دستور ${s.ths(f.duringHs)} از کارگرهای مزرعه اندازه گرفت، در برابر ${s.ths(f.beforeHs)} پیش از ابلاغ (بار مجاز حداکثر ${s.ths(f.mostHs)} را توجیه می‌کند)`,
  'command-failed': (f) =>
    `فرمان ${f.action} به ${f.device} ${f.status === 'failed' ? 'ناموفق بود' : 'انجام نشد'}: ${f.error ?? 'خطایی گزارش نشد'}${f.unrecovered ? '؛ نشانه‌ای از توقف دستگاه نیست' : ''}`,
};

const RU: Wording = {
  'no-readings-during-order': () => 'нет показаний счётчика за время распоряжения',
  'no-baseline': () => 'нет показаний счётчика за час до уведомления',
  'meter-gap': (f, s) => `нет показаний счётчика с ${s.dateTime(f.from)} по ${s.dateTime(f.to)}`,
  'load-never-fell': (f, s) => `нагрузка так и не снизилась до ${s.power(f.allowedKw)}`,
  'reached-late': (f, s) =>
    `нагрузка снизилась до ${s.power(f.allowedKw)} через ${s.minutes(f.minutesLate)} мин после начала`,
  'demand-rose-again': (f, s) => `15-минутная мощность снова выросла до ${s.power(f.peakKw)}`,
  'meter-suspect': (f, s) =>
    f.peakKw === null
      ? 'показаниям счётчика нельзя верить: он показал снижение нагрузки, хотя устройства майнили'
      : `показаниям счётчика нельзя верить: ${s.power(f.peakKw)}, хотя устройства майнили`,
  'hashing-after-sleep': (f) => `${f.device} продолжал майнинг после команды на сон`,
  'hashing-during-order': (f) => `${f.device} майнил во время распоряжения`,
  'pool-contradicts': (f, s) =>
    `пул измерил ${s.ths(f.duringHs)} от воркеров фермы во время распоряжения против ${s.ths(f.beforeHs)} до уведомления (допустимой нагрузке соответствует не более ${s.ths(f.mostHs)})`,
  'command-failed': (f) =>
    `команда ${f.action} для ${f.device} ${f.status === 'failed' ? 'не выполнена' : 'не подтверждена'}: ${f.error ?? 'ошибка не указана'}${f.unrecovered ? '; нет признаков, что устройство остановилось' : ''}`,
};

const WORDINGS: Readonly<Record<ReportLanguage, Wording>> = { en: EN, fa: FA, ru: RU };

/** A finding as a sentence in `language`, its figures written by `format`. */
export function findingText(
  finding: ComplianceFinding,
  language: ReportLanguage = 'en',
  format: FindingFormat = PLAIN_FORMAT,
): string {
  const units = UNITS[language];
  const said: Said = {
    power: (kw) => {
      if (kw >= 10) {
        return `${format.number(kw, 0)} ${units.kw}`;
      }
      return kw >= 1 || kw === 0
        ? `${format.number(kw, kw === 0 ? 0 : 1)} ${units.kw}`
        : `${format.number(kw * 1000, 0)} ${units.w}`;
    },
    ths: (hs) => `${format.number(hs / 1e12, 1)} ${units.ths}`,
    minutes: (value) => format.number(value, 1),
    dateTime: format.dateTime,
  };
  // The union's member and its wording agree by construction of `Wording`.
  const word = WORDINGS[language][finding.code] as (finding: ComplianceFinding, said: Said) => string;
  return word(finding, said);
}

import type { ReportLanguage } from '@hashwatt/schemas';

/**
 * The words of a regulator report in each language it is issued in, and the Intl
 * formats of its numbers and dates: Persian with Persian digits and the Solar Hijri
 * calendar, Russian with its separators and month names.
 */
const EN = {
  title: 'Power use and production report',
  reportId: 'Report',
  issued: 'Issued',
  period: 'Period (UTC)',
  jurisdiction: 'Jurisdiction',
  farm: 'Farm',
  farms: 'Farms',
  operator: 'Operator',
  region: 'Region',
  licenceNumber: 'Licence number',
  licenceAuthority: 'Issued by',
  licenceValidity: 'Licence valid',
  registerEntry: 'Register entry',
  licensedCapacity: 'Licensed capacity',
  energyTotal: 'Energy drawn',
  energyRestricted: 'Energy inside restricted windows',
  peakDemand: 'Peak demand',
  peakVsLicence: 'Peak demand / licensed capacity',
  hashrateAverage: 'Average hashrate (devices)',
  hashratePeak: 'Peak hashrate (devices)',
  hashratePool: 'Average hashrate (measured by the pool)',
  mined: 'Bitcoin mined',
  devices: 'Devices by model',
  orders: 'Curtailment orders',
  orderStart: 'Start',
  orderEnd: 'End',
  orderReduction: 'Reduction',
  orderAllowed: 'Allowed',
  orderPeak: 'Peak',
  orderResult: 'Result',
  complied: 'complied',
  violated: 'violated',
  undetermined: 'undetermined',
  unmeasured: 'not measured yet',
  none: 'none',
  notSet: 'not set',
  critical_peak: 'critical peak',
  restricted: 'restricted hours',
  seasonal_ban: 'seasonal ban',
  kwh: 'kWh',
  kw: 'kW',
  ths: 'TH/s',
  btc: 'BTC',
  percent: '%',
  keyFingerprint: 'Pool signing key (SHA-256 fingerprint)',
  publicKey: 'Pool signing key (Ed25519 public key, base64)',
  verify:
    'The SHA-256 digest of this file and its Ed25519 signature are kept by the pool. Verify: POST the file to /api/reports/verify, or run: hashwatt report verify FILE',
} as const;

export type ReportWords = { readonly [K in keyof typeof EN]: string };

const FA: ReportWords = {
  title: 'گزارش مصرف برق و تولید',
  reportId: 'شناسه گزارش',
  issued: 'تاریخ صدور',
  period: 'دوره (به وقت جهانی)',
  jurisdiction: 'حوزه نظارت',
  farm: 'مزرعه',
  farms: 'مزرعه‌ها',
  operator: 'بهره‌بردار',
  region: 'استان',
  licenceNumber: 'شماره پروانه',
  licenceAuthority: 'مرجع صدور',
  licenceValidity: 'اعتبار پروانه',
  registerEntry: 'شماره ثبت',
  licensedCapacity: 'ظرفیت مجاز',
  energyTotal: 'انرژی مصرفی',
  energyRestricted: 'انرژی مصرفی در بازه‌های محدودیت',
  peakDemand: 'بیشینه توان',
  peakVsLicence: 'نسبت بیشینه توان به ظرفیت مجاز',
  hashrateAverage: 'میانگین نرخ هش (دستگاه‌ها)',
  hashratePeak: 'بیشینه نرخ هش (دستگاه‌ها)',
  hashratePool: 'میانگین نرخ هش (اندازه‌گیری استخر)',
  mined: 'بیت‌کوین استخراج‌شده',
  devices: 'دستگاه‌ها بر اساس مدل',
  orders: 'دستورهای کاهش بار',
  orderStart: 'شروع',
  orderEnd: 'پایان',
  orderReduction: 'کاهش لازم',
  orderAllowed: 'بار مجاز',
  orderPeak: 'بیشینه بار',
  orderResult: 'نتیجه',
  complied: 'رعایت شد',
  violated: 'نقض شد',
  undetermined: 'نامشخص',
  unmeasured: 'هنوز سنجیده نشده',
  none: 'ندارد',
  notSet: 'ثبت نشده',
  critical_peak: 'اوج بحرانی',
  restricted: 'ساعات محدودیت',
  seasonal_ban: 'ممنوعیت فصلی',
  kwh: 'کیلووات‌ساعت',
  kw: 'کیلووات',
  ths: 'تراهش بر ثانیه',
  btc: 'بیت‌کوین',
  percent: 'درصد',
  keyFingerprint: 'کلید امضای استخر (اثرانگشت SHA-256)',
  publicKey: 'کلید عمومی امضای استخر (Ed25519، base64)',
  verify:
    'چکیده SHA-256 این پرونده و امضای Ed25519 آن نزد استخر نگهداری می‌شود. برای راستی‌آزمایی پرونده را به /api/reports/verify بفرستید یا اجرا کنید: hashwatt report verify FILE',
};

const RU: ReportWords = {
  title: 'Отчёт о потреблении электроэнергии и добыче',
  reportId: 'Отчёт',
  issued: 'Дата выпуска',
  period: 'Период (UTC)',
  jurisdiction: 'Юрисдикция',
  farm: 'Ферма',
  farms: 'Фермы',
  operator: 'Оператор',
  region: 'Регион',
  licenceNumber: 'Номер лицензии',
  licenceAuthority: 'Кем выдана',
  licenceValidity: 'Срок действия лицензии',
  registerEntry: 'Запись в реестре',
  licensedCapacity: 'Разрешённая мощность',
  energyTotal: 'Потреблённая энергия',
  energyRestricted: 'Энергия в периоды ограничений',
  peakDemand: 'Пиковая мощность',
  peakVsLicence: 'Пиковая мощность к разрешённой',
  hashrateAverage: 'Средний хешрейт (устройства)',
  hashratePeak: 'Пиковый хешрейт (устройства)',
  hashratePool: 'Средний хешрейт (по данным пула)',
  mined: 'Добыто биткоинов',
  devices: 'Устройства по моделям',
  orders: 'Распоряжения об ограничении',
  orderStart: 'Начало',
  orderEnd: 'Конец',
  orderReduction: 'Снижение',
  orderAllowed: 'Допустимо',
  orderPeak: 'Пик',
  orderResult: 'Результат',
  complied: 'выполнено',
  violated: 'нарушено',
  undetermined: 'не установлено',
  unmeasured: 'ещё не измерено',
  none: 'нет',
  notSet: 'не указано',
  critical_peak: 'критический пик',
  restricted: 'часы ограничения',
  seasonal_ban: 'сезонный запрет',
  kwh: 'кВт·ч',
  kw: 'кВт',
  ths: 'TH/s',
  btc: 'BTC',
  percent: '%',
  keyFingerprint: 'Ключ подписи пула (отпечаток SHA-256)',
  publicKey: 'Открытый ключ подписи пула (Ed25519, base64)',
  verify:
    'SHA-256 этого файла и его подпись Ed25519 хранятся в пуле. Проверка: отправьте файл на /api/reports/verify или выполните: hashwatt report verify FILE',
};

export const REPORT_WORDS: Readonly<Record<ReportLanguage, ReportWords>> = { en: EN, fa: FA, ru: RU };

const LOCALES: Readonly<Record<ReportLanguage, string>> = {
  en: 'en-GB',
  // Persian digits and the Solar Hijri calendar, asked for rather than left to ICU's defaults.
  fa: 'fa-IR-u-ca-persian-nu-arabext',
  ru: 'ru-RU',
};

export interface ReportFormats {
  readonly direction: 'ltr' | 'rtl';
  number(value: number, fractionDigits: number): string;
  date(ms: number): string;
  dateTime(ms: number): string;
}

export function reportFormats(language: ReportLanguage): ReportFormats {
  const locale = LOCALES[language];
  const numbers = new Map<number, Intl.NumberFormat>();
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' });
  const dateTimes = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  });
  return {
    direction: language === 'fa' ? 'rtl' : 'ltr',
    number(value, fractionDigits) {
      let format = numbers.get(fractionDigits);
      if (!format) {
        format = new Intl.NumberFormat(locale, {
          minimumFractionDigits: fractionDigits,
          maximumFractionDigits: fractionDigits,
        });
        numbers.set(fractionDigits, format);
      }
      return format.format(value);
    },
    date: (ms) => dates.format(ms),
    dateTime: (ms) => dateTimes.format(ms),
  };
}

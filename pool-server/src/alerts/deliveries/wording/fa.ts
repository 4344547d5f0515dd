/** The alerts' words in Persian; the Writer gives Persian digits and Solar Hijri dates. */
import type { Wording } from './parts.ts';

export const PERSIAN: Wording = {
  opened: 'هشدار',
  resolved: 'برطرف شد',
  labels: { rule: 'قاعده', subject: 'درباره', opened: 'آغاز', resolved: 'برطرف‌شدن' },
  names: {
    'device-silent': 'دستگاه خاموش',
    'worker-silent': 'کارگر بی‌سهم',
    'temperature-high': 'دمای بالا',
    'temperature-low': 'دمای پایین',
    'fan-high': 'فن تند',
    'fan-low': 'فن کند',
    'hashrate-gap': 'اختلاف نرخ هش',
    'window-starting': 'آغاز بازه محدودیت',
    'curtailment-issued': 'دستور کاهش مصرف',
    'curtailment-violated': 'نقض دستور کاهش مصرف',
    'block-found': 'یافتن بلاک',
    'payout-sent': 'پرداخت',
    'timescale-job-failing': 'خطای کار TimescaleDB',
    'ledger-lag': 'سهم‌های در انتظار پایگاه داده',
  },
  sentences: {
    'device-silent': (p, w) => `${p.device} ${w.count(p.minutes)} دقیقه است که گزارشی نداده است`,
    'worker-silent': (p) => `کارگر ${p.worker} (${p.device}) سهمی نمی‌فرستد`,
    'temperature-high': (p, w) =>
      `دمای تراشه‌های ${p.device} ${w.decimal(p.chipTempC)} درجه است، بیش از ${w.decimal(p.maxChipTempC)} درجه`,
    'temperature-low': (p, w) =>
      `دمای تراشه‌های ${p.device} ${w.decimal(p.chipTempC)} درجه است، کمتر از ${w.decimal(p.minChipTempC)} درجه`,
    'fan-low': (p, w) =>
      p.fanRpm === 0
        ? `یک فن ${p.device} از کار افتاده است`
        : `یک فن ${p.device} با ${w.count(p.fanRpm)} دور در دقیقه می‌چرخد، کمتر از ${w.count(p.minFanRpm)}`,
    'fan-high': (p, w) =>
      p.unit === 'percent'
        ? `یک فن ${p.device} با ${w.decimal(p.speed)} درصد توان کامل می‌چرخد، حد ${w.decimal(p.limit)} درصد`
        : `یک فن ${p.device} با ${w.count(p.speed)} دور در دقیقه می‌چرخد، بیش از ${w.count(p.limit)}`,
    'hashrate-gap': (p, w) =>
      `${p.device} نرخ هش را ${w.decimal(Math.abs(p.gapPercent))} درصد ${p.gapPercent > 0 ? 'بیشتر' : 'کمتر'} از اندازه‌گیری استخر گزارش می‌کند`,
    'window-starting': (p) => `بازه محدودیت ${p.from} تا ${p.to} به وقت مزرعه در ${p.date} آغاز می‌شود`,
    'curtailment-issued': (p, w) =>
      `دستور کاهش مصرف: ${w.decimal(p.reductionKw)} کیلووات از ${w.time(p.startsAtMs)} تا ${w.time(p.endsAtMs)}`,
    'curtailment-violated': (p, w) => {
      const reasons = p.findings?.map((finding) => w.finding(finding)) ?? p.reasons;
      return `دستور کاهش مصرف رعایت نشد${reasons.length > 0 ? `: ${reasons.join('؛ ')}` : ''}`;
    },
    'block-found': (p, w) =>
      `بلاک ${w.ordinal(p.height)} را ${p.finder} یافت (${w.btc(p.rewardSats)} بیت‌کوین)`,
    'payout-sent': (p, w) =>
      `پرداخت ${w.btc(p.totalSats)} بیت‌کوین به ${w.count(p.recipients)} ماینر در تراکنش ${p.txid} فرستاده شد`,
    'ledger-lag': (p, w) =>
      `سهم‌های پذیرفته‌شده گره استراتوم ${w.ordinal(p.nodeId)} ${w.count(p.minutes)} دقیقه است که در انتظار پایگاه داده‌اند`,
    'timescale-job-failing': (p, w) =>
      `کار ${p.name} در TimescaleDB${p.hypertable === null ? '' : ` روی ${p.hypertable}`} با خطا روبه‌روست (${w.count(p.failures)} بار ناموفق${p.lastError === null ? '' : `: ${p.lastError}`})`,
  },
};

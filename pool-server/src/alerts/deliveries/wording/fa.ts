/** The alerts' words in Persian, with Persian digits and Solar Hijri dates (parts.ts). */
import { all, atFarm, finderOf, silentMinutes, whenOpened, type Wording } from './parts.ts';

export const PERSIAN: Wording = {
  opened: 'هشدار',
  resolved: 'برطرف شد',
  labels: { rule: 'قاعده', subject: 'درباره', opened: 'آغاز', resolved: 'برطرف‌شدن' },
  rules: {
    'device-silent': {
      name: 'دستگاه خاموش',
      sentence: (f, w) => {
        const parts = all<string | number>(f.text('device'), silentMinutes(f, whenOpened(f)));
        return atFarm(
          f,
          parts && `${String(parts[0])} ${w.count(Number(parts[1]))} دقیقه است که گزارشی نداده است`,
        );
      },
    },
    'worker-silent': {
      name: 'کارگر بی‌سهم',
      sentence: (f) => {
        const parts = all(f.text('worker'), f.text('device'));
        return atFarm(f, parts && `کارگر ${parts[0] ?? ''} (${parts[1] ?? ''}) سهمی نمی‌فرستد`);
      },
    },
    'temperature-high': {
      name: 'دمای بالا',
      sentence: (f, w) => {
        const parts = all<string | number>(f.text('device'), f.number('chipTempC'), f.number('maxChipTempC'));
        return atFarm(
          f,
          parts &&
            `دمای تراشه‌های ${String(parts[0])} ${w.decimal(Number(parts[1]))} درجه است، بیش از ${w.decimal(Number(parts[2]))} درجه`,
        );
      },
    },
    'fan-low': {
      name: 'فن کند',
      sentence: (f, w) => {
        const parts = all<string | number>(f.text('device'), f.number('fanRpm'), f.number('minFanRpm'));
        return atFarm(
          f,
          parts &&
            `یک فن ${String(parts[0])} با ${w.count(Number(parts[1]))} دور در دقیقه می‌چرخد، کمتر از ${w.count(Number(parts[2]))}`,
        );
      },
    },
    'hashrate-gap': {
      name: 'اختلاف نرخ هش',
      sentence: (f, w) => {
        const parts = all<string | number>(f.text('device'), f.number('gapPercent'));
        const gap = Number(parts?.[1]);
        return atFarm(
          f,
          parts &&
            `${String(parts[0])} نرخ هش را ${w.decimal(Math.abs(gap))} درصد ${gap > 0 ? 'بیشتر' : 'کمتر'} از اندازه‌گیری استخر گزارش می‌کند`,
        );
      },
    },
    'window-starting': {
      name: 'آغاز بازه محدودیت',
      sentence: (f) => {
        const parts = all(f.text('from'), f.text('to'), f.text('date'));
        return atFarm(
          f,
          parts &&
            `بازه محدودیت ${parts[0] ?? ''} تا ${parts[1] ?? ''} به وقت مزرعه در ${parts[2] ?? ''} آغاز می‌شود`,
        );
      },
    },
    'curtailment-issued': {
      name: 'دستور کاهش مصرف',
      sentence: (f, w) => {
        const parts = all<string | number>(
          f.number('reductionKw'),
          w.time(f.text('startsAt') ?? ''),
          w.time(f.text('endsAt') ?? ''),
        );
        return atFarm(
          f,
          parts &&
            `دستور کاهش مصرف: ${w.decimal(Number(parts[0]))} کیلووات از ${String(parts[1])} تا ${String(parts[2])}`,
        );
      },
    },
    'curtailment-violated': {
      name: 'نقض دستور کاهش مصرف',
      sentence: (f) => {
        const reasons = f.texts('reasons');
        return atFarm(f, `دستور کاهش مصرف رعایت نشد${reasons.length > 0 ? `: ${reasons.join('؛ ')}` : ''}`);
      },
    },
    'block-found': {
      name: 'یافتن بلاک',
      sentence: (f, w) => {
        const parts = all<string | number>(f.number('height'), finderOf(f), f.number('reward'));
        return (
          parts &&
          `بلاک ${w.ordinal(Number(parts[0]))} را ${String(parts[1])} یافت (${w.btc(Number(parts[2]))} بیت‌کوین)`
        );
      },
    },
    'payout-sent': {
      name: 'پرداخت',
      sentence: (f, w) => {
        const parts = all<string | number>(f.number('total'), f.number('recipients'), f.text('txid'));
        return (
          parts &&
          `پرداخت ${w.btc(Number(parts[0]))} بیت‌کوین به ${w.count(Number(parts[1]))} ماینر در تراکنش ${String(parts[2])} فرستاده شد`
        );
      },
    },
    'timescale-job-failing': { name: 'خطای کار TimescaleDB', sentence: () => undefined },
    'ledger-lag': {
      name: 'سهم‌های در انتظار پایگاه داده',
      sentence: (f, w) => {
        const parts = all(f.number('nodeId'), f.number('waitedMinutes'));
        return (
          parts &&
          `سهم‌های پذیرفته‌شده گره استراتوم ${w.ordinal(parts[0] ?? 0)} ${w.count(parts[1] ?? 0)} دقیقه است که در انتظار پایگاه داده‌اند`
        );
      },
    },
  },
};

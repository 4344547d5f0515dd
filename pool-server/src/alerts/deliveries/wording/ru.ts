/** The alerts' words in Russian. */
import { all, atFarm, finderOf, silentMinutes, whenOpened, type Wording } from './parts.ts';

/** Russian counts take the noun's form from the number (1 минута, 3 минуты, 5 минут). */
function russianPlural(count: number, one: string, few: string, many: string): string {
  const category = new Intl.PluralRules('ru').select(count);
  return category === 'one' ? one : category === 'few' ? few : many;
}

export const RUSSIAN: Wording = {
  opened: 'Оповещение',
  resolved: 'Устранено',
  labels: { rule: 'Правило', subject: 'Объект', opened: 'Открыто', resolved: 'Устранено' },
  rules: {
    'device-silent': {
      name: 'устройство молчит',
      sentence: (f, w) => {
        const parts = all<string | number>(f.text('device'), silentMinutes(f, whenOpened(f)));
        const minutes = Number(parts?.[1]);
        return atFarm(
          f,
          parts &&
            `${String(parts[0])} не отвечает ${w.count(minutes)} ${russianPlural(minutes, 'минуту', 'минуты', 'минут')}`,
        );
      },
    },
    'worker-silent': {
      name: 'воркер без шаров',
      sentence: (f) => {
        const parts = all(f.text('worker'), f.text('device'));
        return atFarm(f, parts && `воркер ${parts[0] ?? ''} (${parts[1] ?? ''}) не присылает шары`);
      },
    },
    'temperature-high': {
      name: 'высокая температура',
      sentence: (f, w) => {
        const parts = all<string | number>(f.text('device'), f.number('chipTempC'), f.number('maxChipTempC'));
        return atFarm(
          f,
          parts &&
            `чипы ${String(parts[0])} нагреты до ${w.decimal(Number(parts[1]))} °C, выше ${w.decimal(Number(parts[2]))} °C`,
        );
      },
    },
    'fan-low': {
      name: 'медленный вентилятор',
      sentence: (f, w) => {
        const parts = all<string | number>(f.text('device'), f.number('fanRpm'), f.number('minFanRpm'));
        return atFarm(
          f,
          parts &&
            `вентилятор ${String(parts[0])} вращается на ${w.count(Number(parts[1]))} об/мин, ниже ${w.count(Number(parts[2]))} об/мин`,
        );
      },
    },
    'hashrate-gap': {
      name: 'расхождение хешрейта',
      sentence: (f, w) => {
        const parts = all<string | number>(f.text('device'), f.number('gapPercent'));
        const gap = Number(parts?.[1]);
        return atFarm(
          f,
          parts &&
            `${String(parts[0])} сообщает хешрейт ${gap > 0 ? 'выше' : 'ниже'} измеренного пулом на ${w.decimal(Math.abs(gap))} %`,
        );
      },
    },
    'window-starting': {
      name: 'начало окна ограничений',
      sentence: (f) => {
        const parts = all(f.text('from'), f.text('to'), f.text('date'));
        return atFarm(
          f,
          parts &&
            `окно ограничений ${parts[0] ?? ''}–${parts[1] ?? ''} по времени фермы начинается ${parts[2] ?? ''}`,
        );
      },
    },
    'curtailment-issued': {
      name: 'приказ об ограничении',
      sentence: (f, w) => {
        const parts = all<string | number>(
          f.number('reductionKw'),
          w.time(f.text('startsAt') ?? ''),
          w.time(f.text('endsAt') ?? ''),
        );
        return atFarm(
          f,
          parts &&
            `приказ об ограничении: снизить на ${w.decimal(Number(parts[0]))} кВт с ${String(parts[1])} до ${String(parts[2])}`,
        );
      },
    },
    'curtailment-violated': {
      name: 'приказ об ограничении нарушен',
      sentence: (f) => {
        const reasons = f.texts('reasons');
        return atFarm(
          f,
          `приказ об ограничении нарушен${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}`,
        );
      },
    },
    'block-found': {
      name: 'найден блок',
      sentence: (f, w) => {
        const parts = all<string | number>(f.number('height'), finderOf(f), f.number('reward'));
        return (
          parts &&
          `блок ${w.ordinal(Number(parts[0]))} найден ${String(parts[1])} (${w.btc(Number(parts[2]))} BTC)`
        );
      },
    },
    'payout-sent': {
      name: 'выплата отправлена',
      sentence: (f, w) => {
        const parts = all<string | number>(f.number('total'), f.number('recipients'), f.text('txid'));
        const miners = Number(parts?.[1]);
        return (
          parts &&
          `выплата ${w.btc(Number(parts[0]))} BTC ${w.count(miners)} ${russianPlural(miners, 'майнеру', 'майнерам', 'майнерам')} отправлена в ${String(parts[2])}`
        );
      },
    },
    'timescale-job-failing': { name: 'сбой задания TimescaleDB', sentence: () => undefined },
    'ledger-lag': {
      name: 'шары ждут базу данных',
      sentence: (f, w) => {
        const parts = all(f.number('nodeId'), f.number('waitedMinutes'));
        const minutes = parts?.[1] ?? 0;
        return (
          parts &&
          `шары, принятые узлом Stratum ${w.ordinal(parts[0] ?? 0)}, ждут базу данных ${w.count(minutes)} ${russianPlural(minutes, 'минуту', 'минуты', 'минут')}`
        );
      },
    },
  },
};

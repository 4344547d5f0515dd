/** The alerts' words in Russian, each counted noun in the form its number asks for. */
import type { Wording } from './parts.ts';

const MINUTES = { one: 'минуту', few: 'минуты', many: 'минут', other: 'минуты' };

export const RUSSIAN: Wording = {
  opened: 'Оповещение',
  resolved: 'Устранено',
  labels: { rule: 'Правило', subject: 'Объект', opened: 'Открыто', resolved: 'Устранено' },
  names: {
    'device-silent': 'устройство молчит',
    'worker-silent': 'воркер без шаров',
    'temperature-high': 'высокая температура',
    'temperature-low': 'низкая температура',
    'fan-high': 'быстрый вентилятор',
    'fan-low': 'медленный вентилятор',
    'hashrate-gap': 'расхождение хешрейта',
    'window-starting': 'начало окна ограничений',
    'curtailment-issued': 'приказ об ограничении',
    'curtailment-violated': 'приказ об ограничении нарушен',
    'block-found': 'найден блок',
    'payout-sent': 'выплата отправлена',
    'timescale-job-failing': 'сбой задания TimescaleDB',
    'ledger-lag': 'шары ждут базу данных',
  },
  sentences: {
    'device-silent': (p, w) =>
      `${p.device} не отвечает ${w.count(p.minutes)} ${w.plural(p.minutes, MINUTES)}`,
    'worker-silent': (p) => `воркер ${p.worker} (${p.device}) не присылает шары`,
    'temperature-high': (p, w) =>
      `чипы ${p.device} нагреты до ${w.decimal(p.chipTempC)} °C, выше ${w.decimal(p.maxChipTempC)} °C`,
    'temperature-low': (p, w) =>
      `чипы ${p.device} остыли до ${w.decimal(p.chipTempC)} °C, ниже ${w.decimal(p.minChipTempC)} °C`,
    'fan-low': (p, w) =>
      p.fanRpm === 0
        ? `вентилятор ${p.device} остановился`
        : `вентилятор ${p.device} вращается на ${w.count(p.fanRpm)} об/мин, ниже ${w.count(p.minFanRpm)} об/мин`,
    'fan-high': (p, w) =>
      p.unit === 'percent'
        ? `вентилятор ${p.device} работает на ${w.decimal(p.speed)} % полной скорости, предел ${w.decimal(p.limit)} %`
        : `вентилятор ${p.device} вращается на ${w.count(p.speed)} об/мин, выше ${w.count(p.limit)} об/мин`,
    'hashrate-gap': (p, w) =>
      `${p.device} сообщает хешрейт ${p.gapPercent > 0 ? 'выше' : 'ниже'} измеренного пулом на ${w.decimal(Math.abs(p.gapPercent))} %`,
    'window-starting': (p) => `окно ограничений ${p.from}–${p.to} по времени фермы начинается ${p.date}`,
    'curtailment-issued': (p, w) =>
      `приказ об ограничении: снизить на ${w.decimal(p.reductionKw)} кВт с ${w.time(p.startsAtMs)} до ${w.time(p.endsAtMs)}`,
    'curtailment-violated': (p, w) => {
      const reasons = p.findings?.map((finding) => w.finding(finding)) ?? p.reasons;
      return `приказ об ограничении нарушен${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}`;
    },
    'block-found': (p, w) => `блок ${w.ordinal(p.height)} найден ${p.finder} (${w.btc(p.rewardSats)} BTC)`,
    'payout-sent': (p, w) =>
      `выплата ${w.btc(p.totalSats)} BTC ${w.count(p.recipients)} ${w.plural(p.recipients, { one: 'майнеру', other: 'майнерам' })} отправлена в ${p.txid}`,
    'ledger-lag': (p, w) =>
      `шары, принятые узлом Stratum ${w.ordinal(p.nodeId)}, ждут базу данных ${w.count(p.minutes)} ${w.plural(p.minutes, MINUTES)}`,
    'timescale-job-failing': (p, w) =>
      `задание TimescaleDB ${p.name}${p.hypertable === null ? '' : ` для ${p.hypertable}`} завершается с ошибкой (${w.count(p.failures)} ${w.plural(p.failures, { one: 'сбой', few: 'сбоя', many: 'сбоев', other: 'сбоя' })}${p.lastError === null ? '' : `: ${p.lastError}`})`,
  },
};

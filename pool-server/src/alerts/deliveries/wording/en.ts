/** The alerts' words in English. */
import { all, atFarm, finderOf, silentMinutes, whenOpened, type Wording } from './parts.ts';

export const ENGLISH: Wording = {
  opened: 'Alert',
  resolved: 'Resolved',
  labels: { rule: 'Rule', subject: 'About', opened: 'Opened', resolved: 'Resolved' },
  rules: {
    'device-silent': {
      name: 'device silent',
      sentence: (f, w) => {
        const parts = all<string | number>(f.text('device'), silentMinutes(f, whenOpened(f)));
        return atFarm(
          f,
          parts && `${String(parts[0])} has not reported for ${w.count(Number(parts[1]))} minutes`,
        );
      },
    },
    'worker-silent': {
      name: 'worker silent',
      sentence: (f) => {
        const parts = all(f.text('worker'), f.text('device'));
        return atFarm(f, parts && `worker ${parts[0] ?? ''} (${parts[1] ?? ''}) sends no shares`);
      },
    },
    'temperature-high': {
      name: 'temperature high',
      sentence: (f, w) => {
        const parts = all<string | number>(f.text('device'), f.number('chipTempC'), f.number('maxChipTempC'));
        return atFarm(
          f,
          parts &&
            `${String(parts[0])} chips at ${w.decimal(Number(parts[1]))} °C, above ${w.decimal(Number(parts[2]))} °C`,
        );
      },
    },
    'fan-low': {
      name: 'fan slow',
      sentence: (f, w) => {
        const parts = all<string | number>(f.text('device'), f.number('fanRpm'), f.number('minFanRpm'));
        return atFarm(
          f,
          parts &&
            `${String(parts[0])} has a fan at ${w.count(Number(parts[1]))} rpm, below ${w.count(Number(parts[2]))} rpm`,
        );
      },
    },
    'hashrate-gap': {
      name: 'hashrate gap',
      sentence: (f, w) => {
        const parts = all<string | number>(f.text('device'), f.number('gapPercent'));
        const gap = Number(parts?.[1]);
        return atFarm(
          f,
          parts &&
            `${String(parts[0])} reports ${gap > 0 ? 'more' : 'less'} hashrate than the pool measured, by ${w.decimal(Math.abs(gap))} %`,
        );
      },
    },
    'window-starting': {
      name: 'restricted window starting',
      sentence: (f) => {
        const parts = all(f.text('from'), f.text('to'), f.text('date'));
        return atFarm(
          f,
          parts &&
            `a restricted window ${parts[0] ?? ''}–${parts[1] ?? ''} farm time starts on ${parts[2] ?? ''}`,
        );
      },
    },
    'curtailment-issued': {
      name: 'curtailment order',
      sentence: (f, w) => {
        const parts = all<string | number>(
          f.number('reductionKw'),
          w.time(f.text('startsAt') ?? ''),
          w.time(f.text('endsAt') ?? ''),
        );
        return atFarm(
          f,
          parts &&
            `curtailment order: cut ${w.decimal(Number(parts[0]))} kW from ${String(parts[1])} to ${String(parts[2])}`,
        );
      },
    },
    'curtailment-violated': {
      name: 'curtailment order violated',
      sentence: (f) => {
        const reasons = f.texts('reasons');
        return atFarm(
          f,
          `a curtailment order was violated${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}`,
        );
      },
    },
    'block-found': {
      name: 'block found',
      sentence: (f, w) => {
        const parts = all<string | number>(f.number('height'), finderOf(f), f.number('reward'));
        return (
          parts &&
          `block ${w.ordinal(Number(parts[0]))} found by ${String(parts[1])} (${w.btc(Number(parts[2]))} BTC)`
        );
      },
    },
    'payout-sent': {
      name: 'payout sent',
      sentence: (f, w) => {
        const parts = all<string | number>(f.number('total'), f.number('recipients'), f.text('txid'));
        return (
          parts &&
          `payout of ${w.btc(Number(parts[0]))} BTC to ${w.count(Number(parts[1]))} miners sent in ${String(parts[2])}`
        );
      },
    },
    'timescale-job-failing': { name: 'TimescaleDB job failing', sentence: () => undefined },
    'ledger-lag': {
      name: 'shares waiting for the database',
      sentence: (f, w) => {
        const parts = all(f.number('nodeId'), f.number('waitedMinutes'));
        return (
          parts &&
          `shares accepted by Stratum node ${w.ordinal(parts[0] ?? 0)} have waited ${w.count(parts[1] ?? 0)} minutes for the database`
        );
      },
    },
  },
};

/** The alerts' words in English. */
import type { Wording } from './parts.ts';

export const ENGLISH: Wording = {
  opened: 'Alert',
  resolved: 'Resolved',
  labels: { rule: 'Rule', subject: 'About', opened: 'Opened', resolved: 'Resolved' },
  names: {
    'device-silent': 'device silent',
    'worker-silent': 'worker silent',
    'temperature-high': 'temperature high',
    'temperature-low': 'temperature low',
    'fan-high': 'fan fast',
    'fan-low': 'fan slow',
    'hashrate-gap': 'hashrate gap',
    'window-starting': 'restricted window starting',
    'curtailment-issued': 'curtailment order',
    'curtailment-violated': 'curtailment order violated',
    'block-found': 'block found',
    'payout-sent': 'payout sent',
    'timescale-job-failing': 'TimescaleDB job failing',
    'ledger-lag': 'shares waiting for the database',
  },
  sentences: {
    'device-silent': (p, w) => `${p.device} has not reported for ${w.count(p.minutes)} minutes`,
    'worker-silent': (p) => `worker ${p.worker} (${p.device}) sends no shares`,
    'temperature-high': (p, w) =>
      `${p.device} chips at ${w.decimal(p.chipTempC)} °C, above ${w.decimal(p.maxChipTempC)} °C`,
    'temperature-low': (p, w) =>
      `${p.device} chips at ${w.decimal(p.chipTempC)} °C, below ${w.decimal(p.minChipTempC)} °C`,
    'fan-low': (p, w) =>
      p.fanRpm === 0
        ? `${p.device} has a fan stopped`
        : `${p.device} has a fan at ${w.count(p.fanRpm)} rpm, below ${w.count(p.minFanRpm)} rpm`,
    'fan-high': (p, w) =>
      p.unit === 'percent'
        ? `${p.device} has a fan at ${w.decimal(p.speed)} % of full speed, the limit ${w.decimal(p.limit)} %`
        : `${p.device} has a fan at ${w.count(p.speed)} rpm, above ${w.count(p.limit)} rpm`,
    'hashrate-gap': (p, w) =>
      `${p.device} reports ${p.gapPercent > 0 ? 'more' : 'less'} hashrate than the pool measured, by ${w.decimal(Math.abs(p.gapPercent))} %`,
    'window-starting': (p) => `a restricted window ${p.from}–${p.to} farm time starts on ${p.date}`,
    'curtailment-issued': (p, w) =>
      `curtailment order: cut ${w.decimal(p.reductionKw)} kW from ${w.time(p.startsAtMs)} to ${w.time(p.endsAtMs)}`,
    'curtailment-violated': (p, w) => {
      const reasons = p.findings?.map((finding) => w.finding(finding)) ?? p.reasons;
      return `a curtailment order was violated${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}`;
    },
    'block-found': (p, w) => `block ${w.ordinal(p.height)} found by ${p.finder} (${w.btc(p.rewardSats)} BTC)`,
    'payout-sent': (p, w) =>
      `payout of ${w.btc(p.totalSats)} BTC to ${w.count(p.recipients)} miners sent in ${p.txid}`,
    'ledger-lag': (p, w) =>
      `shares accepted by Stratum node ${w.ordinal(p.nodeId)} have waited ${w.count(p.minutes)} minutes for the database`,
    'timescale-job-failing': (p, w) =>
      `TimescaleDB job ${p.name}${p.hypertable === null ? '' : ` on ${p.hypertable}`} is failing (${w.count(p.failures)} failures${p.lastError === null ? '' : `: ${p.lastError}`})`,
  },
};

import { PowerReport, type PowerReportFarm } from '@hashwatt/schemas';
import { btcAmount } from '../production.ts';
import type { ReportMeta } from './document.ts';
import type { FarmFacts, ReportFacts } from './facts.ts';
import { monthName } from './periods.ts';

/**
 * A report as machine-readable JSON (schemas/src/power-report.ts): the facts the PDF
 * and CSV print, without their words, so a regulator's system can read a filing.
 */

const iso = (ms: number): string => new Date(ms).toISOString();

function farmJson(facts: FarmFacts): PowerReportFarm {
  const { farm, hashrate } = facts;
  return {
    id: farm.id,
    name: farm.name,
    operator: facts.organisation,
    country: farm.country,
    region: farm.region,
    timezone: farm.timezone,
    licence: farm.licence,
    energy: facts.energy,
    meters: facts.meters.map((meter) => ({
      name: meter.name,
      serial: meter.serial,
      first: meter.first === null ? null : { at: iso(meter.first.atMs), kwh: meter.first.kwh },
      last: meter.last === null ? null : { at: iso(meter.last.atMs), kwh: meter.last.kwh },
    })),
    devices: facts.devices.map((device) => ({ ...device })),
    hashrate: {
      deviceAverage: hashrate.reportedAverage,
      devicePeak: hashrate.reportedPeak,
      poolAverage: hashrate.poolAverage,
    },
    production: {
      coin: 'BTC',
      mined: facts.minedSats === null ? null : btcAmount(facts.minedSats),
      credits: facts.credits.map((month) => ({
        month: month.month,
        from: iso(month.fromMs),
        to: iso(month.toMs),
        accounts: month.accounts.map((credit) => ({
          account: credit.account,
          address: credit.address,
          amount: btcAmount(credit.sats),
        })),
      })),
      payouts: facts.payouts.map((payout) => ({
        sentAt: iso(payout.sentAtMs),
        account: payout.account,
        address: payout.address,
        amount: btcAmount(payout.sats),
        txid: payout.txid,
      })),
    },
    curtailments: [...facts.orders],
  };
}

export function reportJson(facts: ReportFacts, meta: ReportMeta): Buffer {
  const { period } = facts;
  const report: PowerReport = {
    schema: 'hashwatt.power-report/1',
    id: meta.id,
    issuedAt: iso(meta.issuedAtMs),
    language: meta.language,
    scope:
      meta.scope.kind === 'farm'
        ? { kind: 'farm', farmId: meta.scope.farmId }
        : { kind: 'jurisdiction', country: meta.scope.country, regions: [...meta.scope.regions] },
    period: {
      from: iso(period.fromMs),
      to: iso(period.toMs),
      timezone: period.timezone,
      calendar: period.calendar,
      month: period.month,
      monthName: period.month === null ? null : monthName(period.month, period.calendar, meta.language),
      fnsDueDate: period.dueDate,
    },
    signingKey: { algorithm: 'Ed25519', ...meta.signingKey },
    farms: facts.farms.map(farmJson),
  };
  return Buffer.from(`${JSON.stringify(report, null, 2)}\n`);
}

/** The JSON Schema a regulator's system checks a JSON report against, as `schemas/power-report-1.schema.json`. */
export function powerReportJsonSchema(): string {
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'hashwatt.power-report/1',
    title: 'hashwatt regulator report: power use and production of mining farms over a period',
    ...PowerReport,
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

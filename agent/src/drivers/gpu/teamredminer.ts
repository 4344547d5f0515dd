import { readPools, readSummary, rpcDriver } from '../cgminer.ts';
import { count, defined, first, num, rateField, records, str } from '../fields.ts';
import { rigReading } from './gpu-sample.ts';

const META = { name: 'teamredminer', port: 4028, firmware: 'teamredminer', make: 'TeamRedMiner' } as const;

/** TeamRedMiner (AMD) speaks cgminer's API: `devs` has one entry per GPU, KHS/MHS by window. */
export const teamredminer = rpcDriver(META, ['summary', 'devs', 'pools'], (bodies) => {
  const gpus = records(bodies.get('devs')?.DEVS).map((gpu, position) => ({
    index: count(gpu.GPU) ?? position,
    ...defined({
      hashrate: rateField(gpu, ['30s', '5s', '1m', 'av'])?.hashrate,
      tempC: num(gpu.Temperature),
      fanPercent: num(gpu['Fan Percent']),
      accepted: count(gpu.Accepted),
      rejected: count(gpu.Rejected),
    }),
  }));
  const summary = readSummary(bodies.get('summary') ?? {});
  const sum = (field: 'hashrate' | 'accepted' | 'rejected'): number =>
    gpus.reduce((total, gpu) => total + (gpu[field] ?? 0), 0);
  const description = [...bodies.values()].map((body) => str(first(body.STATUS)?.Description)).find(Boolean);
  return rigReading(META, {
    version: description?.replace(/^TeamRedMiner\s*/i, ''),
    algorithm: str(first(bodies.get('pools')?.POOLS)?.Algorithm),
    hashrate: {
      value: summary.rate?.hashrate ?? sum('hashrate'),
      unit: 'H/s',
      field: summary.rate?.raw.field ?? 'DEVS[].KHS 30s',
      scale: 1,
    },
    gpus,
    pools: readPools(bodies.get('pools') ?? {}),
    accepted: summary.shares?.accepted ?? sum('accepted'),
    rejected: summary.shares?.rejected ?? sum('rejected'),
    uptimeSeconds: summary.uptimeSeconds,
  });
});

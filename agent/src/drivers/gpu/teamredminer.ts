import type { Gpu } from '@hashwatt/schemas';
import { readPools, readSummary, runCommands } from '../cgminer.ts';
import { assemble, type MinerDriver } from '../driver.ts';
import { count, first, num, rateField, records, str } from '../fields.ts';
import { rigIdentity, rigParts } from './gpu-sample.ts';

/** TeamRedMiner (AMD) speaks cgminer's API: `devs` has one entry per GPU, KHS/MHS by window. */
export const teamredminer: MinerDriver = {
  name: 'teamredminer',
  firmware: 'teamredminer',
  make: 'TeamRedMiner',
  async read(device, context) {
    const startedMs = context.now().getTime();
    const { bodies, sources, warnings } = await runCommands(
      device,
      ['summary', 'devs', 'pools'],
      context.limits,
    );
    const devs = bodies.get('devs') ?? {};
    const gpus = records(devs.DEVS).map((gpu, position): Gpu => {
      const rate = rateField(gpu, ['30s', '5s', '1m', 'av']);
      const temp = num(gpu.Temperature);
      const fan = num(gpu['Fan Percent']);
      const accepted = count(gpu.Accepted);
      const rejected = count(gpu.Rejected);
      return {
        index: count(gpu.GPU) ?? position,
        ...(rate && { hashrate: rate.hashrate }),
        ...(temp !== undefined && { tempC: temp }),
        ...(fan !== undefined && { fanPercent: fan }),
        ...(accepted !== undefined && { accepted }),
        ...(rejected !== undefined && { rejected }),
      };
    });
    const summary = readSummary(bodies.get('summary') ?? {});
    const total = summary.rate?.hashrate ?? gpus.reduce((sum, gpu) => sum + (gpu.hashrate ?? 0), 0);
    const pools = readPools(bodies.get('pools') ?? {});
    const description = [...bodies.values()]
      .map((body) => str(first(body.STATUS)?.Description))
      .find(Boolean);
    const version = description?.replace(/^TeamRedMiner\s*/i, '');
    const algorithm = str(first(bodies.get('pools')?.POOLS)?.Algorithm) ?? 'unknown';
    const accepted = summary.shares?.accepted ?? gpus.reduce((sum, gpu) => sum + (gpu.accepted ?? 0), 0);
    const rejected = summary.shares?.rejected ?? gpus.reduce((sum, gpu) => sum + (gpu.rejected ?? 0), 0);
    const rig = {
      software: 'TeamRedMiner',
      firmware: 'teamredminer' as const,
      algorithm,
      gpus,
      pools,
      hashrate: { value: total, unit: 'H/s', field: summary.rate?.raw.field ?? 'DEVS[].KHS 30s', scale: 1 },
      accepted,
      rejected,
      ...(version !== undefined && { version }),
      ...(summary.uptimeSeconds !== undefined && { uptimeSeconds: summary.uptimeSeconds }),
    };
    return assemble(device, rigIdentity(rig), rigParts(rig), { startedMs, sources, warnings }, context);
  },
};

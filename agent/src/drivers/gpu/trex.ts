import type { Gpu } from '@hashwatt/schemas';
import { assemble, type MinerDriver } from '../driver.ts';
import { count, num, record, records, str } from '../fields.ts';
import { getPaths } from '../http.ts';
import { rigIdentity, rigParts } from './gpu-sample.ts';

/** T-Rex (NVIDIA): `GET /summary`, hashrates in H/s, per GPU power, temperature and fan %. */
export const trex: MinerDriver = {
  name: 'trex',
  firmware: 'trex',
  make: 'T-Rex',
  async read(device, context) {
    const startedMs = context.now().getTime();
    const { bodies, sources, warnings } = await getPaths(device, ['/summary'], context);
    const summary = record(bodies.get('/summary')) ?? {};
    const gpus = records(summary.gpus).map((gpu, position): Gpu => {
      const hashrate = num(gpu.hashrate);
      const power = num(gpu.power);
      const temp = num(gpu.temperature);
      const fan = num(gpu.fan_speed);
      const name = str(gpu.name);
      return {
        index: count(gpu.gpu_id) ?? count(gpu.device_id) ?? position,
        ...(name !== undefined && { name }),
        ...(hashrate !== undefined && { hashrate }),
        ...(power !== undefined && { powerW: power }),
        ...(temp !== undefined && { tempC: temp }),
        ...(fan !== undefined && { fanPercent: fan }),
      };
    });
    const pool = record(summary.active_pool);
    const total = num(summary.hashrate);
    const version = str(summary.version) ?? str(summary.api);
    const accepted = count(summary.accepted_count);
    const rejected = count(summary.rejected_count);
    const uptime = count(summary.uptime);
    const rig = {
      software: 'T-Rex',
      firmware: 'trex' as const,
      algorithm: str(summary.algorithm) ?? 'unknown',
      gpus,
      pools: pool
        ? [{ index: 0, url: str(pool.url) ?? '', user: str(pool.user) ?? '', active: true, alive: true }]
        : [],
      ...(version !== undefined && { version }),
      ...(total !== undefined && { hashrate: { value: total, unit: 'H/s', field: 'hashrate', scale: 1 } }),
      ...(accepted !== undefined && { accepted }),
      ...(rejected !== undefined && { rejected }),
      ...(uptime !== undefined && { uptimeSeconds: uptime }),
    };
    return assemble(device, rigIdentity(rig), rigParts(rig), { startedMs, sources, warnings }, context);
  },
};

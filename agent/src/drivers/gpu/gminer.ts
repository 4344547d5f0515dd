import type { Gpu } from '@hashwatt/schemas';
import { assemble, type MinerDriver } from '../driver.ts';
import { count, num, record, records, str, unitScale } from '../fields.ts';
import { getPaths } from '../http.ts';
import { rigIdentity, rigParts } from './gpu-sample.ts';

/** GMiner `GET /stat`: per device speed in `speedUnit` (H/s, or Sol/s for Equihash), power, temperature. */
export const gminer: MinerDriver = {
  name: 'gminer',
  firmware: 'gminer',
  make: 'GMiner',
  async read(device, context) {
    const startedMs = context.now().getTime();
    const { bodies, sources, warnings } = await getPaths(device, ['/stat'], context);
    const stat = record(bodies.get('/stat')) ?? {};
    const unit = str(stat.speedUnit) ?? 'H/s';
    // Equihash counts solutions, not hashes: kept as they are, the unit says which.
    const scale = unitScale(unit) ?? 1;
    const gpus = records(stat.devices).map((gpu, position): Gpu => {
      const speed = num(gpu.speed);
      const power = num(gpu.power_usage);
      const temp = num(gpu.temperature);
      const fan = num(gpu.fan);
      const name = str(gpu.name);
      const busId = str(gpu.bus_id);
      const accepted = count(gpu.accepted_shares);
      const rejected = count(gpu.rejected_shares);
      return {
        index: count(gpu.gpu_id) ?? position,
        ...(name !== undefined && { name }),
        ...(busId !== undefined && { busId }),
        ...(speed !== undefined && { hashrate: speed * scale }),
        ...(power !== undefined && { powerW: power }),
        ...(temp !== undefined && { tempC: temp }),
        ...(fan !== undefined && { fanPercent: fan }),
        ...(accepted !== undefined && { accepted }),
        ...(rejected !== undefined && { rejected }),
      };
    });
    const total = gpus.reduce((sum, gpu) => sum + (gpu.hashrate ?? 0), 0) / scale;
    const url = str(stat.server);
    const version = str(stat.miner)?.replace(/^GMiner\s*/i, '');
    const accepted = count(stat.total_accepted_shares);
    const rejected = count(stat.total_rejected_shares);
    const uptime = count(stat.uptime);
    const rig = {
      software: 'GMiner',
      firmware: 'gminer' as const,
      algorithm: str(stat.algorithm)?.split(' ')[0] ?? 'unknown',
      gpus,
      pools:
        url === undefined ? [] : [{ index: 0, url, user: str(stat.user) ?? '', active: true, alive: true }],
      hashrate: { value: total, unit, field: 'devices[].speed', scale },
      ...(version !== undefined && { version }),
      ...(accepted !== undefined && { accepted }),
      ...(rejected !== undefined && { rejected }),
      ...(uptime !== undefined && { uptimeSeconds: uptime }),
    };
    return assemble(device, rigIdentity(rig), rigParts(rig), { startedMs, sources, warnings }, context);
  },
};

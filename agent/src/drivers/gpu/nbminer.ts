import type { Gpu } from '@hashwatt/schemas';
import { assemble, type MinerDriver } from '../driver.ts';
import { count, num, record, records, str } from '../fields.ts';
import { getPaths } from '../http.ts';
import { rigIdentity, rigParts } from './gpu-sample.ts';

/** NBMiner `GET /api/v1/status`: `*_raw` hashrates in H/s, per device power, temperature, fan %. */
export const nbminer: MinerDriver = {
  name: 'nbminer',
  firmware: 'nbminer',
  make: 'NBMiner',
  async read(device, context) {
    const startedMs = context.now().getTime();
    const { bodies, sources, warnings } = await getPaths(device, ['/api/v1/status'], context);
    const status = record(bodies.get('/api/v1/status')) ?? {};
    const miner = record(status.miner) ?? {};
    const stratum = record(status.stratum);
    const gpus = records(miner.devices).map((gpu, position): Gpu => {
      // `hashrate` is a display string ("48.3 M") on some versions, raw H/s on others.
      const hashrate = num(gpu.hashrate_raw) ?? (typeof gpu.hashrate === 'number' ? gpu.hashrate : undefined);
      const power = num(gpu.power);
      const temp = num(gpu.temperature);
      const fan = num(gpu.fan);
      const name = str(gpu.info);
      const busId = str(gpu.pci_bus_id);
      return {
        index: count(gpu.id) ?? position,
        ...(name !== undefined && { name }),
        ...(busId !== undefined && { busId }),
        ...(hashrate !== undefined && { hashrate }),
        ...(power !== undefined && { powerW: power }),
        ...(temp !== undefined && { tempC: temp }),
        ...(fan !== undefined && { fanPercent: fan }),
      };
    });
    const total = num(miner.total_hashrate_raw);
    const power = num(miner.total_power_consume);
    const url = str(stratum?.url);
    const version = str(status.version);
    const accepted = count(stratum?.accepted_shares);
    const rejected = count(stratum?.rejected_shares);
    const started = num(status.start_time);
    const uptime =
      started === undefined ? undefined : Math.max(0, Math.round(context.now().getTime() / 1000 - started));
    const rig = {
      software: 'NBMiner',
      firmware: 'nbminer' as const,
      algorithm: str(stratum?.algorithm) ?? 'unknown',
      gpus,
      pools:
        url === undefined
          ? []
          : [{ index: 0, url, user: str(stratum?.user) ?? '', active: true, alive: true }],
      ...(version !== undefined && { version }),
      ...(total !== undefined && {
        hashrate: { value: total, unit: 'H/s', field: 'miner.total_hashrate_raw', scale: 1 },
      }),
      ...(power !== undefined && { powerW: power }),
      ...(accepted !== undefined && { accepted }),
      ...(rejected !== undefined && { rejected }),
      ...(uptime !== undefined && { uptimeSeconds: uptime }),
    };
    return assemble(device, rigIdentity(rig), rigParts(rig), { startedMs, sources, warnings }, context);
  },
};

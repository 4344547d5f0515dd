import { count, defined, num, record, records, str } from '../fields.ts';
import { httpDriver } from '../http.ts';
import { activePool, rigReading } from './gpu-sample.ts';

const META = { name: 'nbminer', port: 22333, firmware: 'nbminer', make: 'NBMiner' } as const;

/** NBMiner `GET /api/v1/status`: `*_raw` hashrates in H/s, per device power, temperature, fan %. */
export const nbminer = httpDriver(META, ['/api/v1/status'], (bodies, context) => {
  const status = record(bodies.get('/api/v1/status')) ?? {};
  const miner = record(status.miner) ?? {};
  const stratum = record(status.stratum);
  const total = num(miner.total_hashrate_raw);
  const started = num(status.start_time);
  return rigReading(META, {
    version: str(status.version),
    algorithm: str(stratum?.algorithm),
    hashrate:
      total === undefined
        ? undefined
        : { value: total, unit: 'H/s', field: 'miner.total_hashrate_raw', scale: 1 },
    gpus: records(miner.devices).map((gpu, position) => ({
      index: count(gpu.id) ?? position,
      ...defined({
        name: str(gpu.info),
        busId: str(gpu.pci_bus_id),
        // `hashrate` is a display string ("48.3 M") on some versions, raw H/s on others.
        hashrate: num(gpu.hashrate_raw) ?? (typeof gpu.hashrate === 'number' ? gpu.hashrate : undefined),
        powerW: num(gpu.power),
        tempC: num(gpu.temperature),
        fanPercent: num(gpu.fan),
      }),
    })),
    pools: activePool(str(stratum?.url), str(stratum?.user)),
    powerW: num(miner.total_power_consume),
    accepted: count(stratum?.accepted_shares),
    rejected: count(stratum?.rejected_shares),
    uptimeSeconds:
      started === undefined ? undefined : Math.max(0, Math.round(context.now().getTime() / 1000 - started)),
  });
});

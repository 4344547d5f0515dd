import { count, defined, num, record, records, str } from '../fields.ts';
import { httpDriver } from '../http.ts';
import { activePool, rigReading } from './gpu-sample.ts';

const META = { name: 'trex', port: 4067, firmware: 'trex', make: 'T-Rex' } as const;

/** T-Rex (NVIDIA): `GET /summary`, hashrates in H/s, per GPU power, temperature and fan %. */
export const trex = httpDriver(META, ['/summary'], (bodies) => {
  const summary = record(bodies.get('/summary')) ?? {};
  const pool = record(summary.active_pool);
  const total = num(summary.hashrate);
  return rigReading(META, {
    version: str(summary.version) ?? str(summary.api),
    algorithm: str(summary.algorithm),
    hashrate: total === undefined ? undefined : { value: total, unit: 'H/s', field: 'hashrate', scale: 1 },
    gpus: records(summary.gpus).map((gpu, position) => ({
      index: count(gpu.gpu_id) ?? count(gpu.device_id) ?? position,
      ...defined({
        name: str(gpu.name),
        hashrate: num(gpu.hashrate),
        powerW: num(gpu.power),
        tempC: num(gpu.temperature),
        fanPercent: num(gpu.fan_speed),
      }),
    })),
    pools: activePool(str(pool?.url), str(pool?.user)),
    accepted: count(summary.accepted_count),
    rejected: count(summary.rejected_count),
    uptimeSeconds: count(summary.uptime),
  });
});

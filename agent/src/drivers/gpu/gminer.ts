import { count, defined, num, record, records, scaled, str, unitScale } from '../fields.ts';
import { httpDriver } from '../http.ts';
import { activePool, rigReading } from './gpu-sample.ts';

const META = { name: 'gminer', port: 10555, firmware: 'gminer', make: 'GMiner' } as const;

/** GMiner `GET /stat`: per device speed in `speedUnit` (H/s, or Sol/s for Equihash), power, temperature. */
export const gminer = httpDriver(META, ['/stat'], (bodies) => {
  const stat = record(bodies.get('/stat')) ?? {};
  const unit = str(stat.speedUnit) ?? 'H/s';
  // Equihash counts solutions, not hashes: kept as they are, the unit says which.
  const scale = unitScale(unit) ?? 1;
  const gpus = records(stat.devices).map((gpu, position) => ({
    index: count(gpu.gpu_id) ?? position,
    ...defined({
      name: str(gpu.name),
      busId: str(gpu.bus_id),
      hashrate: scaled(num(gpu.speed), scale),
      powerW: num(gpu.power_usage),
      tempC: num(gpu.temperature),
      fanPercent: num(gpu.fan),
      accepted: count(gpu.accepted_shares),
      rejected: count(gpu.rejected_shares),
    }),
  }));
  const total = gpus.reduce((sum, gpu) => sum + (gpu.hashrate ?? 0), 0) / scale;
  return rigReading(META, {
    version: str(stat.miner)?.replace(/^GMiner\s*/i, ''),
    algorithm: str(stat.algorithm)?.split(' ')[0],
    hashrate: { value: total, unit, field: 'devices[].speed', scale },
    gpus,
    pools: activePool(str(stat.server), str(stat.user)),
    accepted: count(stat.total_accepted_shares),
    rejected: count(stat.total_rejected_shares),
    uptimeSeconds: count(stat.uptime),
  });
});

import type { Gpu } from '@hashwatt/schemas';
import { count, defined, num, record, records, str } from '../fields.ts';
import { unsupported, type DriverName } from '../driver.ts';
import { httpAct, httpDriver } from '../http.ts';
import { activePool, rigReading } from './gpu-sample.ts';

const META: DriverName & { readonly firmware: 'xmrig' } = {
  name: 'xmrig',
  port: 8080,
  firmware: 'xmrig',
  make: 'XMRig',
  // XMRig's JSON-RPC pauses and resumes its workers (xmrig/xmrig doc/API.md).
  act: async (device, order, context) =>
    order.action === 'sleep' || order.action === 'resume'
      ? httpAct(device, '/json_rpc', context, {
          method: order.action === 'sleep' ? 'pause' : 'resume',
          id: 1,
          jsonrpc: '2.0',
        })
      : unsupported('XMRig', order.action),
};
const WINDOWS = ['10s', '60s', '15m'];

/**
 * XMRig `GET /2/summary` and `/2/backends`: hashrate windows [10s, 60s, 15m] in H/s
 * (null until measured), GPU health per CUDA/OpenCL thread; `paused` is sleeping.
 */
export const xmrig = httpDriver(META, ['/2/summary', '/2/backends'], (bodies) => {
  const summary = record(bodies.get('/2/summary')) ?? {};
  const totals = record(summary.hashrate)?.total;
  const windows = Array.isArray(totals) ? (totals as unknown[]) : [];
  const at = windows.findIndex((value) => num(value) !== undefined);
  const total = at === -1 ? undefined : num(windows[at]);
  const connection = record(summary.connection);
  return rigReading(META, {
    version: str(summary.version),
    algorithm: str(summary.algo),
    hashrate:
      total === undefined
        ? undefined
        : { value: total, unit: 'H/s', field: `hashrate.total[${WINDOWS[at] ?? String(at)}]`, scale: 1 },
    gpus: gpusOf(bodies.get('/2/backends')),
    pools: activePool(str(connection?.pool), str(summary.worker_id)),
    accepted: count(connection?.accepted) ?? count(record(summary.results)?.shares_good),
    rejected: count(connection?.rejected),
    uptimeSeconds: count(summary.uptime),
    paused: summary.paused === true,
  });
});

function gpusOf(backends: unknown): Gpu[] {
  return records(backends)
    .filter((backend) => backend.type === 'cuda' || backend.type === 'opencl')
    .flatMap((backend) => records(backend.threads))
    .map((thread, position) => {
      const health = record(thread.health);
      const rates = Array.isArray(thread.hashrate) ? (thread.hashrate as unknown[]) : [];
      const fans = Array.isArray(health?.fan_speed) ? (health.fan_speed as unknown[]) : [];
      return {
        index: count(thread.index) ?? position,
        ...defined({
          name: str(thread.name),
          busId: str(thread.bus_id),
          hashrate: num(rates[0]),
          powerW: num(health?.power),
          tempC: num(health?.temperature),
          fanPercent: num(fans[0]),
        }),
      };
    });
}

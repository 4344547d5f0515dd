import type { Gpu } from '@hashwatt/schemas';
import { assemble, type MinerDriver } from '../driver.ts';
import { count, num, record, records, str } from '../fields.ts';
import { getPaths } from '../http.ts';
import { rigIdentity, rigParts } from './gpu-sample.ts';

/**
 * XMRig `GET /2/summary` and `/2/backends`: hashrate windows [10s, 60s, 15m] in H/s
 * (null until measured), GPU health per CUDA/OpenCL thread; `paused` is sleeping.
 */
export const xmrig: MinerDriver = {
  name: 'xmrig',
  firmware: 'xmrig',
  make: 'XMRig',
  async read(device, context) {
    const startedMs = context.now().getTime();
    const { bodies, sources, warnings } = await getPaths(device, ['/2/summary', '/2/backends'], context);
    const summary = record(bodies.get('/2/summary')) ?? {};
    const windows = Array.isArray(record(summary.hashrate)?.total)
      ? (record(summary.hashrate)?.total as unknown[])
      : [];
    const windowNames = ['10s', '60s', '15m'];
    const at = windows.findIndex((value) => num(value) !== undefined);
    const total = at === -1 ? undefined : num(windows[at]);
    const connection = record(summary.connection);
    const results = record(summary.results);
    const url = str(connection?.pool);
    const version = str(summary.version);
    const accepted = count(connection?.accepted) ?? count(results?.shares_good);
    const rejected = count(connection?.rejected);
    const uptime = count(summary.uptime);
    const rig = {
      software: 'XMRig',
      firmware: 'xmrig' as const,
      algorithm: str(summary.algo) ?? 'unknown',
      gpus: gpusOf(bodies.get('/2/backends')),
      pools:
        url === undefined
          ? []
          : [{ index: 0, url, user: str(summary.worker_id) ?? '', active: true, alive: true }],
      ...(version !== undefined && { version }),
      ...(total !== undefined && {
        hashrate: {
          value: total,
          unit: 'H/s',
          field: `hashrate.total[${windowNames[at] ?? String(at)}]`,
          scale: 1,
        },
      }),
      ...(accepted !== undefined && { accepted }),
      ...(rejected !== undefined && { rejected }),
      ...(uptime !== undefined && { uptimeSeconds: uptime }),
    };
    return assemble(
      device,
      rigIdentity(rig),
      { ...rigParts(rig), ...(summary.paused === true && { state: 'sleeping' as const }) },
      { startedMs, sources, warnings },
      context,
    );
  },
};

function gpusOf(backends: unknown): Gpu[] {
  return records(backends)
    .filter((backend) => backend.type === 'cuda' || backend.type === 'opencl')
    .flatMap((backend) => records(backend.threads))
    .map((thread, position): Gpu => {
      const health = record(thread.health);
      const rate = Array.isArray(thread.hashrate) ? num((thread.hashrate as unknown[])[0]) : undefined;
      const power = num(health?.power);
      const temp = num(health?.temperature);
      const fan = Array.isArray(health?.fan_speed) ? num((health.fan_speed as unknown[])[0]) : undefined;
      const name = str(thread.name);
      const busId = str(thread.bus_id);
      return {
        index: count(thread.index) ?? position,
        ...(name !== undefined && { name }),
        ...(busId !== undefined && { busId }),
        ...(rate !== undefined && { hashrate: rate }),
        ...(power !== undefined && { powerW: power }),
        ...(temp !== undefined && { tempC: temp }),
        ...(fan !== undefined && { fanPercent: fan }),
      };
    });
}

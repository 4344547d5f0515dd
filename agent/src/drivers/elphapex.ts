import { parseDeviceJson } from '../protocol/repair.ts';
import { readAntminerStats } from './cgminer.ts';
import { antminerWebAct, asLogins } from './antminer-web.ts';
import { defineDriver, unsupported, type Replies } from './driver.ts';
import { algorithmName } from './models.ts';
import { count, defined, first, num, record, records, str, unitScale, type Record_ } from './fields.ts';

/**
 * Elphapex (DG1, DG1+, DG Home): Bitmain's web CGI family on port 80 with HTTP Digest
 * (root/root by default; realm "Daoge"): `summary.cgi` (`rate_5s` in `rate_unit`),
 * `stats.cgi` (`chain[]` as Antminer's new API, chip temperatures in milli-°C), `pools.cgi`
 * in lower case, `get_system_info.cgi` (model, MAC, firmware). Reboot and a pool switch
 * go through the same CGI as a stock Antminer's; its work modes (`fc-work-mode`) are
 * not documented, so it is not put to sleep.
 */

const CGIS = ['summary.cgi', 'stats.cgi', 'pools.cgi', 'get_system_info.cgi'] as const;

export const elphapex = defineDriver(
  {
    name: 'elphapex',
    port: 80,
    firmware: 'elphapex',
    make: 'Elphapex',
    act: (device, order, context) =>
      order.action === 'reboot' || order.action === 'switch-pool'
        ? antminerWebAct(device, order, { ...context, webPort: device.port }, 'elphapex')
        : Promise.resolve(unsupported('Elphapex', order.action)),
  },
  async (device, context): Promise<Replies<ReadonlyMap<string, Record_>>> => {
    const result = await asLogins(
      device,
      { ...context, webPort: device.port },
      async (call) => {
        const answers = await Promise.allSettled(CGIS.map((path) => call(path)));
        const refused = answers.some(
          (answer) => answer.status === 'fulfilled' && answer.value.status === 401,
        );
        return { status: refused ? 401 : 200, value: answers };
      },
      'elphapex',
    );
    if ('failure' in result) {
      throw new Error(result.failure);
    }
    const bodies = new Map<string, Record_>();
    const sources: string[] = [];
    const warnings: string[] = [];
    result.value.forEach((answer, i) => {
      const path = CGIS[i] ?? '';
      if (answer.status === 'rejected') {
        warnings.push(
          `web:${path}: ${answer.reason instanceof Error ? answer.reason.message : String(answer.reason)}`,
        );
        return;
      }
      try {
        const parsed = parseDeviceJson(answer.value.text);
        const body = record(parsed.value);
        if (answer.value.status === 200 && body) {
          bodies.set(path, body);
          sources.push(`web:${path}`);
          warnings.push(...parsed.repairs.map((repair) => `web:${path}: ${repair}`));
        } else {
          warnings.push(`web:${path}: HTTP ${String(answer.value.status)}`);
        }
      } catch (error) {
        warnings.push(`web:${path}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    if (bodies.size === 0) {
      throw new Error(warnings.join('; ') || 'no CGI answered');
    }
    return { bodies, sources, warnings };
  },
  (bodies) => {
    const summary = first(bodies.get('summary.cgi')?.SUMMARY) ?? {};
    const info = bodies.get('get_system_info.cgi') ?? {};
    const header = record(bodies.get('summary.cgi')?.INFO) ?? record(bodies.get('stats.cgi')?.INFO) ?? {};
    const unit = str(summary.rate_unit) ?? 'MH/s';
    const scale = unitScale(unit) ?? 1e6;
    const rate = num(summary.rate_5s) ?? num(summary.rate_avg);
    const ideal = num(summary.rate_ideal);
    const stats = readAntminerStats(bodies.get('stats.cgi') ?? {}, unit.replace('/s', ''));
    return {
      identity: {
        make: 'Elphapex',
        firmware: 'elphapex',
        algorithm: algorithmName(str(info.Algorithm)),
        ...defined({
          model: str(info.minertype) ?? str(header.type),
          firmwareVersion: str(info.system_filesystem_version) ?? str(header.miner_version),
          serial: str(header.dev_sn),
          mac: str(info.macaddr),
          hostname: str(info.hostname),
        }),
      },
      parts: {
        ...defined({
          hashrate: rate === undefined ? undefined : rate * scale,
          rawHashrate:
            rate === undefined
              ? undefined
              : { value: rate, unit, field: num(summary.rate_5s) === undefined ? 'rate_avg' : 'rate_5s' },
          expectedHashrate: ideal === undefined || ideal <= 0 ? undefined : ideal * scale,
          uptimeSeconds: count(summary.elapsed),
        }),
        boards: stats.boards,
        fans: stats.fans,
        pools: firstAliveActive(
          records(bodies.get('pools.cgi')?.POOLS).map((pool, position) => {
            const accepted = count(pool.accepted);
            const rejected = count(pool.rejected);
            const stale = count(pool.stale);
            return {
              index: count(pool.index) ?? position,
              url: str(pool.url) ?? '',
              user: str(pool.user) ?? '',
              active: false,
              alive: str(pool.status)?.toLowerCase() === 'alive',
              ...defined({ accepted, rejected, stale }),
            };
          }),
        ),
        messages: records(summary.status)
          .filter((entry) => str(entry.status) !== undefined && str(entry.status) !== 's')
          .map((entry) => ({
            severity: 'error' as const,
            message: `${str(entry.type) ?? 'status'}: ${str(entry.msg) ?? str(entry.status) ?? ''}`.trim(),
            ...defined({ code: str(entry.code) }),
          })),
      },
    };
  },
);

/** The CGI does not say which pool works: the first alive by priority does. */
function firstAliveActive<T extends { alive: boolean; active: boolean }>(pools: T[]): T[] {
  const working = pools.findIndex((pool) => pool.alive);
  return pools.map((pool, i) => (i === working ? { ...pool, active: true } : pool));
}

import type { Firmware } from '@hashwatt/schemas';
import { algorithmOf } from './algorithm.ts';
import { readAntminerStats, readPools, readSummary, readVersion, rpcDriver } from './cgminer.ts';
import { antminerWebAct } from './antminer-web.ts';
import { defined, first, str } from './fields.ts';

/**
 * Antminers on their RPC port: stock bmminer/cgminer, and the firmwares that keep its
 * API (Hiveon, VNish, asicseer, MSKMiner). Stock RPC is read-only; it knows no power.
 */
export const antminer = rpcDriver(
  {
    name: 'antminer',
    firmware: 'stock',
    make: 'Antminer',
    // Stock RPC grants no writes; control goes through the digest-protected web CGI.
    act: antminerWebAct,
  },
  ['version', 'summary', 'stats', 'pools'],
  (bodies) => {
    const version = readVersion(bodies.get('version') ?? {});
    const summary = readSummary(bodies.get('summary') ?? {});
    const statsType = str(first(bodies.get('stats')?.STATS)?.Type);
    const model = (version.type ?? statsType)?.replace(/\s*\(.*\)\s*$/, '').replace(/^Antminer\s+/i, '');
    const algorithm = algorithmOf(model);
    // bmminer on scrypt Antminers (L3+) labels MH/s as GHS (bitmaintech/bmminer#11).
    const mislabelled = algorithm === 'scrypt';
    const stats = readAntminerStats(bodies.get('stats') ?? {}, mislabelled ? 'MH' : 'GH');
    const reported = summary.rate ?? stats.rate;
    const rate =
      reported && mislabelled && reported.raw.unit === 'GH/s'
        ? { hashrate: reported.hashrate / 1000, raw: { ...reported.raw, unit: 'MH/s' } }
        : reported;
    return {
      identity: {
        make: 'Antminer',
        firmware: antminerFirmware(`${version.banner} ${statsType?.toUpperCase() ?? ''}`),
        algorithm,
        ...defined({ model, firmwareVersion: version.firmwareVersion }),
      },
      parts: {
        ...defined({
          hashrate: rate?.hashrate,
          rawHashrate: rate?.raw,
          expectedHashrate: stats.expectedHashrate,
          powerW: stats.powerW,
          powerSource: stats.powerW === undefined ? undefined : ('miner' as const),
          shares: summary.shares,
          uptimeSeconds: summary.uptimeSeconds,
        }),
        boards: stats.boards,
        fans: stats.fans,
        pools: readPools(bodies.get('pools') ?? {}),
      },
    };
  },
);

export function antminerFirmware(banner: string): Firmware {
  if (banner.includes('HIVEON')) {
    return 'hiveon';
  }
  if (banner.includes('VNISH')) {
    return 'vnish';
  }
  return 'stock';
}

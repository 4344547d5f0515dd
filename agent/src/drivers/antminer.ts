import type { Firmware, MinerIdentity } from '@hashwatt/schemas';
import { algorithmOf } from './algorithm.ts';
import { readAntminerStats, readPools, readSummary, readVersion, runCommands } from './cgminer.ts';
import { assemble, type MinerDriver } from './driver.ts';
import { first, str } from './fields.ts';

/**
 * Antminers on their RPC port: stock bmminer/cgminer, and the firmwares that keep its
 * API (Hiveon, VNish, asicseer, MSKMiner). Stock RPC is read-only; it knows no power.
 */
export const antminer: MinerDriver = {
  name: 'antminer',
  firmware: 'stock',
  make: 'Antminer',
  async read(device, context) {
    const startedMs = context.now().getTime();
    const { bodies, sources, warnings } = await runCommands(
      device,
      ['version', 'summary', 'stats', 'pools'],
      context.limits,
    );
    const version = readVersion(bodies.get('version') ?? {});
    const summary = readSummary(bodies.get('summary') ?? {});
    const statsType = str(first(bodies.get('stats')?.STATS)?.Type);
    const model = (version.type ?? statsType)?.replace(/\s*\(.*\)\s*$/, '').replace(/^Antminer\s+/i, '');
    const algorithm = algorithmOf(model);
    // bmminer on scrypt Antminers (L3+) labels MH/s as GHS (bitmaintech/bmminer#11).
    const mislabelled = algorithm === 'scrypt';
    const stats = readAntminerStats(bodies.get('stats') ?? {}, mislabelled ? 'MH' : 'GH');
    const banner = `${version.banner} ${statsType?.toUpperCase() ?? ''}`;
    const identity: MinerIdentity = {
      make: 'Antminer',
      firmware: antminerFirmware(banner),
      algorithm,
      ...(model !== undefined && { model }),
      ...(version.firmwareVersion !== undefined && { firmwareVersion: version.firmwareVersion }),
    };
    const reported = summary.rate ?? stats.rate;
    const rate =
      reported && mislabelled && reported.raw.unit === 'GH/s'
        ? { hashrate: reported.hashrate / 1000, raw: { ...reported.raw, unit: 'MH/s' } }
        : reported;
    return assemble(
      device,
      identity,
      {
        ...(rate && { hashrate: rate.hashrate, rawHashrate: rate.raw }),
        ...(stats.expectedHashrate !== undefined && { expectedHashrate: stats.expectedHashrate }),
        ...(stats.powerW !== undefined && { powerW: stats.powerW, powerSource: 'miner' as const }),
        boards: stats.boards,
        fans: stats.fans,
        pools: readPools(bodies.get('pools') ?? {}),
        ...(summary.shares && { shares: summary.shares }),
        ...(summary.uptimeSeconds !== undefined && { uptimeSeconds: summary.uptimeSeconds }),
      },
      { startedMs, sources, warnings },
      context,
    );
  },
};

export function antminerFirmware(banner: string): Firmware {
  if (banner.includes('HIVEON')) {
    return 'hiveon';
  }
  if (banner.includes('VNISH')) {
    return 'vnish';
  }
  return 'stock';
}

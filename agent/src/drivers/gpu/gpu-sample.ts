import type { Gpu, MinerIdentity, MinerPool } from '@hashwatt/schemas';
import type { Firmware } from '@hashwatt/schemas';

/** What a GPU rig's mining software reports, read into the sample's shapes. */
export interface GpuRig {
  readonly software: string;
  readonly firmware: Firmware;
  readonly version?: string;
  readonly algorithm: string;
  readonly hashrate?: {
    readonly value: number;
    readonly unit: string;
    readonly field: string;
    readonly scale: number;
  };
  readonly gpus: Gpu[];
  readonly pools: MinerPool[];
  readonly powerW?: number;
  readonly accepted?: number;
  readonly rejected?: number;
  readonly uptimeSeconds?: number;
}

/** A rig is named by its cards: "8× GTX 1070 Ti", or the cards listed when they differ. */
export function rigIdentity(rig: GpuRig): MinerIdentity {
  const names = [
    ...new Set(rig.gpus.map((gpu) => gpu.name).filter((name): name is string => name !== undefined)),
  ];
  const model = names.length === 1 ? `${String(rig.gpus.length)}× ${names[0] ?? ''}` : names.join(', ');
  return {
    make: rig.software,
    firmware: rig.firmware,
    algorithm: rig.algorithm.toLowerCase(),
    ...(model !== '' && { model }),
    ...(rig.version !== undefined && { firmwareVersion: rig.version }),
  };
}

export function rigParts(rig: GpuRig): {
  hashrate?: number;
  rawHashrate?: { value: number; unit: string; field: string };
  powerW?: number;
  powerSource?: 'miner';
  gpus: Gpu[];
  pools: MinerPool[];
  shares?: { accepted: number; rejected: number };
  uptimeSeconds?: number;
} {
  const power =
    rig.powerW ??
    (rig.gpus.some((gpu) => gpu.powerW !== undefined)
      ? rig.gpus.reduce((sum, gpu) => sum + (gpu.powerW ?? 0), 0)
      : undefined);
  return {
    ...(rig.hashrate && {
      hashrate: rig.hashrate.value * rig.hashrate.scale,
      rawHashrate: { value: rig.hashrate.value, unit: rig.hashrate.unit, field: rig.hashrate.field },
    }),
    ...(power !== undefined && { powerW: power, powerSource: 'miner' as const }),
    gpus: rig.gpus,
    pools: rig.pools,
    ...(rig.accepted !== undefined &&
      rig.rejected !== undefined && { shares: { accepted: rig.accepted, rejected: rig.rejected } }),
    ...(rig.uptimeSeconds !== undefined && { uptimeSeconds: rig.uptimeSeconds }),
  };
}

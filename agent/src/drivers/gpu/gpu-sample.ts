import type { Firmware, Gpu, MinerPool } from '@hashwatt/schemas';
import type { DriverName, Reading } from '../driver.ts';
import { defined } from '../fields.ts';

/** What a GPU rig's mining software reports, read into the sample's shapes. */
export interface GpuRig {
  readonly version: string | undefined;
  readonly algorithm: string | undefined;
  readonly hashrate:
    | { readonly value: number; readonly unit: string; readonly field: string; readonly scale: number }
    | undefined;
  readonly gpus: Gpu[];
  readonly pools: MinerPool[];
  /** The rig's own total; else the cards' sum. */
  readonly powerW?: number | undefined;
  readonly accepted: number | undefined;
  readonly rejected: number | undefined;
  readonly uptimeSeconds: number | undefined;
  readonly paused?: boolean;
}

/** The one pool a GPU miner works for, when it names one. */
export function activePool(url: string | undefined, user: string | undefined): MinerPool[] {
  return url === undefined ? [] : [{ index: 0, url, user: user ?? '', active: true, alive: true }];
}

/**
 * A card's 0 W is a sensor the miner cannot read (AMD cards under some drivers, risers
 * without telemetry), not a card that draws nothing: it is left out, and said so.
 */
function withoutZeroPower(rig: GpuRig): { gpus: Gpu[]; rigPowerW: number | undefined; warnings: string[] } {
  const warnings: string[] = [];
  const gpus = rig.gpus.map((gpu) => {
    if (gpu.powerW !== 0) {
      return gpu;
    }
    warnings.push(`GPU ${String(gpu.index)} reports 0 W: its power is not read`);
    return Object.fromEntries(Object.entries(gpu).filter(([key]) => key !== 'powerW')) as Gpu;
  });
  if (rig.powerW === 0) {
    warnings.push('the rig reports 0 W in all: its power is not read');
  }
  return { gpus, rigPowerW: rig.powerW === 0 ? undefined : rig.powerW, warnings };
}

/** A rig is named by its cards: "8× GTX 1070 Ti", or the cards listed when they differ. */
export function rigReading(meta: DriverName & { readonly firmware: Firmware }, read: GpuRig): Reading {
  const { gpus, rigPowerW, warnings } = withoutZeroPower(read);
  const rig = { ...read, gpus, powerW: rigPowerW };
  const names = [
    ...new Set(rig.gpus.map((gpu) => gpu.name).filter((name): name is string => name !== undefined)),
  ];
  const model = names.length === 1 ? `${String(rig.gpus.length)}× ${names[0] ?? ''}` : names.join(', ');
  const power =
    rig.powerW ??
    (rig.gpus.some((gpu) => gpu.powerW !== undefined)
      ? rig.gpus.reduce((sum, gpu) => sum + (gpu.powerW ?? 0), 0)
      : undefined);
  return {
    identity: {
      make: meta.make,
      firmware: meta.firmware,
      algorithm: (rig.algorithm ?? 'unknown').toLowerCase(),
      ...defined({ model: model === '' ? undefined : model, firmwareVersion: rig.version }),
    },
    parts: {
      ...defined({
        hashrate: rig.hashrate === undefined ? undefined : rig.hashrate.value * rig.hashrate.scale,
        rawHashrate:
          rig.hashrate === undefined
            ? undefined
            : { value: rig.hashrate.value, unit: rig.hashrate.unit, field: rig.hashrate.field },
        powerW: power,
        powerSource: power === undefined ? undefined : ('miner' as const),
        shares:
          rig.accepted !== undefined && rig.rejected !== undefined
            ? { accepted: rig.accepted, rejected: rig.rejected }
            : undefined,
        uptimeSeconds: rig.uptimeSeconds,
        state: rig.paused === true ? ('sleeping' as const) : undefined,
      }),
      gpus: rig.gpus,
      pools: rig.pools,
    },
    ...(warnings.length > 0 && { warnings }),
  };
}

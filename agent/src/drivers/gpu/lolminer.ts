import type { Gpu } from '@hashwatt/schemas';
import { assemble, type MinerDriver } from '../driver.ts';
import { count, first, num, record, records, str, unitScale } from '../fields.ts';
import { getPaths } from '../http.ts';
import { rigIdentity, rigParts, type GpuRig } from './gpu-sample.ts';

/**
 * lolMiner `GET /summary`, both shapes: up to 1.2x `Session` + `GPUs[]`, from 1.3x
 * `Algorithms[]` + `Workers[]`; the unit is named in `Performance_Unit` ("mh/s").
 */
export const lolminer: MinerDriver = {
  name: 'lolminer',
  firmware: 'lolminer',
  make: 'lolMiner',
  async read(device, context) {
    const startedMs = context.now().getTime();
    const { bodies, sources, warnings } = await getPaths(device, ['/summary'], context);
    const summary = record(bodies.get('/summary')) ?? {};
    const rig = Array.isArray(summary.Algorithms) ? modern(summary) : legacy(summary);
    return assemble(device, rigIdentity(rig), rigParts(rig), { startedMs, sources, warnings }, context);
  },
};

function legacy(summary: Readonly<Record<string, unknown>>): GpuRig {
  const session = record(summary.Session) ?? {};
  const unit = str(session.Performance_Unit) ?? 'mh/s';
  const scale = unitScale(unit) ?? 1;
  const gpus = records(summary.GPUs).map((gpu, position): Gpu => {
    const performance = num(gpu.Performance);
    const power = num(gpu['Consumption (W)']);
    const temp = num(gpu['Temp (deg C)']);
    const memoryTemp = num(gpu['Mem Temp (deg C)']);
    const fan = num(gpu['Fan Speed (%)']);
    const name = str(gpu.Name);
    const busId = str(gpu.PCIE_Address);
    const accepted = count(gpu.Session_Accepted);
    return {
      index: count(gpu.Index) ?? position,
      ...(name !== undefined && { name }),
      ...(busId !== undefined && { busId }),
      ...(performance !== undefined && { hashrate: performance * scale }),
      ...(power !== undefined && { powerW: power }),
      ...(temp !== undefined && { tempC: temp }),
      ...(memoryTemp !== undefined && { memoryTempC: memoryTemp }),
      ...(fan !== undefined && { fanPercent: fan }),
      ...(accepted !== undefined && { accepted }),
    };
  });
  return commonRig(summary, {
    gpus,
    total: num(session.Performance_Summary),
    field: 'Session.Performance_Summary',
    unit,
    scale,
    power: num(session.TotalPower),
    accepted: count(session.Accepted),
    rejected: subtract(count(session.Submitted), count(session.Accepted)),
    uptime: count(session.Uptime),
  });
}

function modern(summary: Readonly<Record<string, unknown>>): GpuRig {
  const algorithm = first(summary.Algorithms) ?? {};
  const unit = str(algorithm.Performance_Unit) ?? 'mh/s';
  const scale = unitScale(unit) ?? 1;
  const speeds = Array.isArray(algorithm.Worker_Performance)
    ? (algorithm.Worker_Performance as unknown[])
    : [];
  const gpus = records(summary.Workers).map((worker, position): Gpu => {
    const speed = num(speeds[position]);
    const power = num(worker.Power);
    const temp = num(worker.Core_Temp);
    const memoryTemp = num(worker.Mem_Temp);
    const fan = num(worker.Fan_Speed);
    const name = str(worker.Name);
    const busId = str(worker.PCIE_Address);
    return {
      index: count(worker.Index) ?? position,
      ...(name !== undefined && { name }),
      ...(busId !== undefined && { busId }),
      ...(speed !== undefined && { hashrate: speed * scale }),
      ...(power !== undefined && { powerW: power }),
      ...(temp !== undefined && { tempC: temp }),
      ...(memoryTemp !== undefined && { memoryTempC: memoryTemp }),
      ...(fan !== undefined && { fanPercent: fan }),
    };
  });
  const session = record(summary.Session) ?? {};
  return commonRig(summary, {
    gpus,
    total: num(algorithm.Total_Performance),
    field: 'Algorithms[0].Total_Performance',
    unit,
    scale,
    power: undefined,
    accepted: count(algorithm.Total_Accepted),
    rejected: count(algorithm.Total_Rejected),
    uptime: count(session.Uptime),
    algorithm: str(algorithm.Algorithm),
  });
}

function commonRig(
  summary: Readonly<Record<string, unknown>>,
  read: {
    gpus: Gpu[];
    total: number | undefined;
    field: string;
    unit: string;
    scale: number;
    power: number | undefined;
    accepted: number | undefined;
    rejected: number | undefined;
    uptime: number | undefined;
    algorithm?: string | undefined;
  },
): GpuRig {
  const stratum = record(summary.Stratum);
  const url = str(stratum?.Current_Pool);
  const version = str(summary.Software)?.replace(/^lolMiner\s*/i, '');
  return {
    software: 'lolMiner',
    firmware: 'lolminer',
    algorithm: read.algorithm ?? str(record(summary.Mining)?.Algorithm) ?? 'unknown',
    gpus: read.gpus,
    pools:
      url === undefined
        ? []
        : [{ index: 0, url, user: str(stratum?.Current_User) ?? '', active: true, alive: true }],
    ...(version !== undefined && { version }),
    ...(read.total !== undefined && {
      hashrate: { value: read.total, unit: read.unit, field: read.field, scale: read.scale },
    }),
    ...(read.power !== undefined && { powerW: read.power }),
    ...(read.accepted !== undefined && { accepted: read.accepted }),
    ...(read.rejected !== undefined && { rejected: read.rejected }),
    ...(read.uptime !== undefined && { uptimeSeconds: read.uptime }),
  };
}

function subtract(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : Math.max(0, a - b);
}

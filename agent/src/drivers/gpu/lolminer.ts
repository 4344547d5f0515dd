import type { Gpu } from '@hashwatt/schemas';
import {
  count,
  defined,
  first,
  num,
  record,
  records,
  scaled,
  str,
  unitScale,
  type Record_,
} from '../fields.ts';
import { httpDriver } from '../http.ts';
import { activePool, rigReading, type GpuRig } from './gpu-sample.ts';

const META = { name: 'lolminer', port: 8080, firmware: 'lolminer', make: 'lolMiner' } as const;

/**
 * lolMiner `GET /summary`, both shapes: up to 1.2x `Session` + `GPUs[]`, from 1.3x
 * `Algorithms[]` + `Workers[]`; the unit is named in `Performance_Unit` ("mh/s").
 */
export const lolminer = httpDriver(META, ['/summary'], (bodies) => {
  const summary = record(bodies.get('/summary')) ?? {};
  const stratum = record(summary.Stratum);
  const common = {
    version: str(summary.Software)?.replace(/^lolMiner\s*/i, ''),
    pools: activePool(str(stratum?.Current_Pool), str(stratum?.Current_User)),
    uptimeSeconds: count(record(summary.Session)?.Uptime),
  };
  return rigReading(META, {
    ...common,
    ...(Array.isArray(summary.Algorithms) ? modern(summary) : legacy(summary)),
  });
});

type Shape = Omit<GpuRig, 'version' | 'pools' | 'uptimeSeconds'>;

function legacy(summary: Record_): Shape {
  const session = record(summary.Session) ?? {};
  const unit = str(session.Performance_Unit) ?? 'mh/s';
  const scale = unitScale(unit) ?? 1;
  const total = num(session.Performance_Summary);
  const accepted = count(session.Accepted);
  const submitted = count(session.Submitted);
  return {
    algorithm: str(record(summary.Mining)?.Algorithm),
    hashrate:
      total === undefined ? undefined : { value: total, unit, field: 'Session.Performance_Summary', scale },
    gpus: records(summary.GPUs).map((gpu, position): Gpu => ({
      index: count(gpu.Index) ?? position,
      ...defined({
        name: str(gpu.Name),
        busId: str(gpu.PCIE_Address),
        hashrate: scaled(num(gpu.Performance), scale),
        powerW: num(gpu['Consumption (W)']),
        tempC: num(gpu['Temp (deg C)']),
        memoryTempC: num(gpu['Mem Temp (deg C)']),
        fanPercent: num(gpu['Fan Speed (%)']),
        accepted: count(gpu.Session_Accepted),
      }),
    })),
    powerW: num(session.TotalPower),
    accepted,
    rejected:
      accepted === undefined || submitted === undefined ? undefined : Math.max(0, submitted - accepted),
  };
}

function modern(summary: Record_): Shape {
  const algorithm = first(summary.Algorithms) ?? {};
  const unit = str(algorithm.Performance_Unit) ?? 'mh/s';
  const scale = unitScale(unit) ?? 1;
  const speeds = Array.isArray(algorithm.Worker_Performance)
    ? (algorithm.Worker_Performance as unknown[])
    : [];
  const total = num(algorithm.Total_Performance);
  return {
    algorithm: str(algorithm.Algorithm),
    hashrate:
      total === undefined
        ? undefined
        : { value: total, unit, field: 'Algorithms[0].Total_Performance', scale },
    gpus: records(summary.Workers).map((worker, position): Gpu => ({
      index: count(worker.Index) ?? position,
      ...defined({
        name: str(worker.Name),
        busId: str(worker.PCIE_Address),
        hashrate: scaled(num(speeds[position]), scale),
        powerW: num(worker.Power),
        tempC: num(worker.Core_Temp),
        memoryTempC: num(worker.Mem_Temp),
        fanPercent: num(worker.Fan_Speed),
      }),
    })),
    accepted: count(algorithm.Total_Accepted),
    rejected: count(algorithm.Total_Rejected),
  };
}

import type { Fan, HashBoard } from '@hashwatt/schemas';
import { maxOf, readDevs, readPools, readSummary, rpcDriver } from './cgminer.ts';
import { count, defined, first, num, records, str, type Record_ } from './fields.ts';
import { identifyBitcoinModel, nominalOf } from './models.ts';

/**
 * Auradine (FluxOS, GCMiner) on the cgminer-style port: cgminer's summary, devs and
 * pools, plus its own `fan` (RPM), `temperature` (board and chip sensors per hash
 * board), `psu` (input power as "58.94W") and `mode` (the power target and sleep).
 */
export const auradine = rpcDriver(
  { name: 'auradine', port: 4028, firmware: 'auradine', make: 'Auradine' },
  ['summary', 'devs', 'pools', 'fan', 'temperature', 'psu', 'mode', 'ipreport'],
  (bodies) => {
    const summary = readSummary(bodies.get('summary') ?? {});
    const description = [...bodies.values()]
      .map((body) => str(first(body.STATUS)?.Description))
      .find(Boolean);
    const power = num(first(bodies.get('psu')?.PSU)?.PowerIn);
    const mode = first(bodies.get('mode')?.Mode);
    const sleeping = str(mode?.Sleep)?.toLowerCase() === 'on';
    // `ipreport` names the model (AT1500, AH3880) the table rates, and the chassis' serial.
    const report = first(bodies.get('ipreport')?.IPReport);
    const model = str(report?.model);
    const facts = identifyBitcoinModel(model, 'Auradine');
    return {
      identity: {
        make: 'Auradine',
        firmware: 'auradine',
        algorithm: facts.algorithm,
        ...nominalOf(facts),
        ...defined({
          model,
          firmwareVersion: description,
          serial: str(report?.SerialNo),
          mac: str(report?.mac),
          hostname: str(report?.hostname),
        }),
      },
      parts: {
        ...defined({
          hashrate: summary.rate?.hashrate,
          rawHashrate: summary.rate?.raw,
          powerW: power,
          powerSource: power === undefined ? undefined : ('miner' as const),
          powerLimitW: num(mode?.Power),
          state: sleeping ? ('sleeping' as const) : undefined,
          stateEvidence:
            str(mode?.Sleep) === undefined ? undefined : `rpc:mode Sleep=${str(mode?.Sleep) ?? ''}`,
          shares: summary.shares,
          uptimeSeconds: summary.uptimeSeconds,
        }),
        boards: withTemperatures(readDevs(bodies.get('devs') ?? {}), bodies.get('temperature') ?? {}),
        fans: records(bodies.get('fan')?.Fan).map((fan, position): Fan => ({
          id: (count(fan.ID) ?? position + 1) - 1,
          ...defined({ rpm: num(fan.Speed) }),
        })),
        pools: readPools(bodies.get('pools') ?? {}),
      },
    };
  },
);

/** `temperature` lists the control board and "Hash Board N" (N from 1), each with its sensors. */
function withTemperatures(boards: HashBoard[], temperature: Record_): HashBoard[] {
  const bySlot = new Map<number, { board?: number; chip?: number }>();
  for (const entry of records(temperature.Temperature)) {
    const n = /^Hash Board (\d+)$/.exec(str(entry.Name) ?? '')?.[1];
    if (n !== undefined) {
      const readings = (value: unknown): unknown[] => records(value).map((sensor) => sensor.Temperature);
      bySlot.set(Number(n) - 1, {
        ...defined({ board: maxOf(readings(entry.BoardTemp)), chip: maxOf(readings(entry.ChipTemp)) }),
      });
    }
  }
  return boards.map((board) => {
    const found = bySlot.get(board.slot);
    return { ...board, ...defined({ boardTempC: found?.board ?? board.boardTempC, chipTempC: found?.chip }) };
  });
}

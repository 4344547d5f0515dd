import type { HashBoard } from '@hashwatt/schemas';
import { readDevs, readFans, readPools, readSummary, rpcAct, rpcDriver } from './cgminer.ts';
import { unsupported } from './driver.ts';
import { identifyBitcoinModel, nominalOf } from './models.ts';
import { count, defined, first, num, positive, records, str, type Record_ } from './fields.ts';

/**
 * Braiins OS on bosminer's cgminer-compatible port: `devdetails` names the model,
 * `tunerstatus` is where port 4028 tells the power, `temps` and `fans` the rest.
 */
export const braiinsRpc = rpcDriver(
  {
    name: 'braiins-rpc',
    port: 4028,
    firmware: 'braiins',
    make: 'Antminer',
    // bosminer's pause and resume stop and restart hashing; the rest needs its gRPC or REST API.
    act: async (device, order, context) =>
      order.action === 'sleep' || order.action === 'resume'
        ? rpcAct(device, order.action === 'sleep' ? 'pause' : 'resume', '', context.limits)
        : order.action === 'switch-pool'
          ? // Its addpool and switchpool neither activate the pool nor outlive a restart (the bosminer client's README on PyPI, 0.1.0).
            {
              status: 'unsupported',
              message:
                "Braiins OS's port 4028 pool commands neither activate a pool nor survive a restart: read it with braiins-rest (25.07 on) to switch pools",
            }
          : unsupported('Braiins OS (port 4028)', order.action),
  },
  ['devdetails', 'summary', 'devs', 'pools', 'temps', 'fans', 'tunerstatus'],
  (bodies) => {
    const summary = readSummary(bodies.get('summary') ?? {});
    const description = [...bodies.values()]
      .map((body) => str(first(body.STATUS)?.Description))
      .find(Boolean);
    const model = str(first(bodies.get('devdetails')?.DEVDETAILS)?.Model)?.replace(/^Antminer\s+/i, '');
    const facts = identifyBitcoinModel(model, 'Antminer');
    const tuner = first(bodies.get('tunerstatus')?.TUNERSTATUS);
    const power = positive(num(tuner?.ApproximateMinerPowerConsumption));
    const boards = withTemps(readDevs(bodies.get('devs') ?? {}), bodies.get('temps') ?? {});
    const expected = boards.reduce((sum, board) => sum + (board.expectedHashrate ?? 0), 0);
    return {
      identity: {
        make: 'Antminer',
        firmware: 'braiins',
        algorithm: facts.algorithm,
        ...nominalOf(facts),
        ...defined({ model, firmwareVersion: description?.split(' ').at(-1) }),
      },
      parts: {
        ...defined({
          hashrate: summary.rate?.hashrate,
          rawHashrate: summary.rate?.raw,
          expectedHashrate: positive(expected),
          powerW: power,
          powerSource: power === undefined ? undefined : ('miner' as const),
          powerLimitW: positive(num(tuner?.PowerLimit)),
          shares: summary.shares,
          uptimeSeconds: summary.uptimeSeconds,
        }),
        boards,
        fans: readFans(bodies.get('fans') ?? {}),
        pools: readPools(bodies.get('pools') ?? {}),
      },
    };
  },
);

/** bosminer `temps`: one entry per board in board order (TEMP 0, 1, 2), Board and Chip in °C; 0 is no sensor. */
function withTemps(boards: HashBoard[], temps: Record_): HashBoard[] {
  const entries = records(temps.TEMPS);
  const bySlot = new Map(entries.map((entry, position) => [count(entry.TEMP) ?? position, entry]));
  const slots = boards.length > 0 ? boards : entries.map((_, slot): HashBoard => ({ slot }));
  return slots.map((board) => {
    const entry = bySlot.get(board.slot);
    return {
      ...board,
      ...defined({ boardTempC: positive(num(entry?.Board)), chipTempC: positive(num(entry?.Chip)) }),
    };
  });
}

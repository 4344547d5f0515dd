import type { HashBoard, MinerIdentity } from '@hashwatt/schemas';
import { algorithmOf } from './algorithm.ts';
import { readDevs, readFans, readPools, readSummary, runCommands } from './cgminer.ts';
import { assemble, type MinerDriver } from './driver.ts';
import { count, first, num, records, str, type Record_ } from './fields.ts';

/**
 * Braiins OS on bosminer's cgminer-compatible port: `devdetails` names the model,
 * `tunerstatus` is where port 4028 tells the power, `temps` and `fans` the rest.
 */
export const braiinsRpc: MinerDriver = {
  name: 'braiins-rpc',
  firmware: 'braiins',
  make: 'Antminer',
  async read(device, context) {
    const startedMs = context.now().getTime();
    const { bodies, sources, warnings } = await runCommands(
      device,
      ['devdetails', 'summary', 'devs', 'pools', 'temps', 'fans', 'tunerstatus'],
      context.limits,
    );
    const summary = readSummary(bodies.get('summary') ?? {});
    const description = [...bodies.values()]
      .map((body) => str(first(body.STATUS)?.Description))
      .find(Boolean);
    const firmwareVersion = description?.split(' ').at(-1);
    const model = str(first(bodies.get('devdetails')?.DEVDETAILS)?.Model)?.replace(/^Antminer\s+/i, '');
    const identity: MinerIdentity = {
      make: 'Antminer',
      firmware: 'braiins',
      algorithm: algorithmOf(model),
      ...(model !== undefined && { model }),
      ...(firmwareVersion !== undefined && { firmwareVersion }),
    };
    const tuner = first(bodies.get('tunerstatus')?.TUNERSTATUS);
    const power = num(tuner?.ApproximateMinerPowerConsumption);
    const powerLimit = num(tuner?.PowerLimit);
    const boards = withTemps(readDevs(bodies.get('devs') ?? {}), bodies.get('temps') ?? {});
    const expected = boards.reduce((sum, board) => sum + (board.expectedHashrate ?? 0), 0);
    return assemble(
      device,
      identity,
      {
        ...(summary.rate && { hashrate: summary.rate.hashrate, rawHashrate: summary.rate.raw }),
        ...(expected > 0 && { expectedHashrate: expected }),
        ...(power !== undefined && power > 0 && { powerW: power, powerSource: 'miner' as const }),
        ...(powerLimit !== undefined && powerLimit > 0 && { powerLimitW: powerLimit }),
        boards,
        fans: readFans(bodies.get('fans') ?? {}),
        pools: readPools(bodies.get('pools') ?? {}),
        ...(summary.shares && { shares: summary.shares }),
        ...(summary.uptimeSeconds !== undefined && { uptimeSeconds: summary.uptimeSeconds }),
      },
      { startedMs, sources, warnings },
      context,
    );
  },
};

/** bosminer `temps`: one entry per board in board order (TEMP 0, 1, 2), Board and Chip in °C; 0 is no sensor. */
function withTemps(boards: HashBoard[], temps: Record_): HashBoard[] {
  const entries = records(temps.TEMPS);
  const bySlot = new Map(entries.map((entry, position) => [count(entry.TEMP) ?? position, entry]));
  const slots = boards.length > 0 ? boards : entries.map((_, slot): HashBoard => ({ slot }));
  return slots.map((board) => {
    const entry = bySlot.get(board.slot);
    const boardTemp = num(entry?.Board);
    const chipTemp = num(entry?.Chip);
    return {
      ...board,
      ...(boardTemp !== undefined && boardTemp > 0 && { boardTempC: boardTemp }),
      ...(chipTemp !== undefined && chipTemp > 0 && { chipTempC: chipTemp }),
    };
  });
}

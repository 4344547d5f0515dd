import type { HashBoard, MinerIdentity } from '@hashwatt/schemas';
import { algorithmOf } from './algorithm.ts';
import { maxOf, readDevs, readFans, readPools, readSummary, readVersion, runCommands } from './cgminer.ts';
import { assemble, type MinerDriver } from './driver.ts';
import { count, first, num, records, type Record_ } from './fields.ts';

/**
 * LuxOS (Luxor) on its cgminer-compatible port. It adds what stock lacks: `power`
 * (watts), `temps` (four sensors per board) and `fans` with speeds. Requests end with
 * a newline, as LuxOS expects.
 */
export const luxos: MinerDriver = {
  name: 'luxos',
  firmware: 'luxos',
  make: 'Antminer',
  async read(device, context) {
    const startedMs = context.now().getTime();
    const { bodies, sources, warnings } = await runCommands(
      device,
      ['version', 'summary', 'devs', 'pools', 'power', 'temps', 'fans'],
      context.limits,
      { newline: true },
    );
    const version = readVersion(bodies.get('version') ?? {});
    const summary = readSummary(bodies.get('summary') ?? {});
    const model = version.type?.replace(/^Antminer\s+/i, '');
    const identity: MinerIdentity = {
      make: version.type?.split(' ')[0] ?? 'Antminer',
      firmware: 'luxos',
      algorithm: algorithmOf(model),
      ...(model !== undefined && { model }),
      ...(version.firmwareVersion !== undefined && { firmwareVersion: version.firmwareVersion }),
    };
    const power = num(first(bodies.get('power')?.POWER)?.Watts);
    const devs = readDevs(bodies.get('devs') ?? {});
    const expected = devs.reduce((sum, board) => sum + (board.expectedHashrate ?? 0), 0);
    return assemble(
      device,
      identity,
      {
        ...(summary.rate && { hashrate: summary.rate.hashrate, rawHashrate: summary.rate.raw }),
        ...(expected > 0 && { expectedHashrate: expected }),
        ...(power !== undefined && { powerW: power, powerSource: 'miner' as const }),
        boards: withBoardTemps(devs, bodies.get('temps') ?? {}),
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

/** LuxOS `temps`: TopLeft/TopRight/BottomLeft/BottomRight per board; the board's temperature is the hottest. */
function withBoardTemps(boards: HashBoard[], temps: Record_): HashBoard[] {
  const byBoard = new Map<number, number>();
  for (const entry of records(temps.TEMPS)) {
    const hottest = maxOf([entry.TopLeft, entry.TopRight, entry.BottomLeft, entry.BottomRight]);
    const id = count(entry.ID);
    if (hottest !== undefined && id !== undefined) {
      byBoard.set(id, hottest);
    }
  }
  return boards.map((board) => {
    const hottest = byBoard.get(board.slot);
    return hottest === undefined ? board : { ...board, boardTempC: hottest };
  });
}

import type { HashBoard } from '@hashwatt/schemas';
import {
  maxOf,
  readDevs,
  readFans,
  readPools,
  readSummary,
  readVersion,
  rpcAct,
  rpcDriver,
} from './cgminer.ts';
import { command } from '../protocol/cgminer-rpc.ts';
import { identifyBitcoinModel, nominalOf } from './models.ts';
import {
  unsupported,
  type ActionResult,
  type DeviceAddress,
  type DeviceOrder,
  type ReadContext,
} from './driver.ts';
import { count, defined, first, num, records, str, type Record_ } from './fields.ts';

/**
 * LuxOS (Luxor) on its cgminer-compatible port. It adds what stock lacks: `power`
 * (watts), `temps` (four sensors per board) and `fans` with speeds. Requests end with
 * a newline, as LuxOS expects.
 */
export const luxos = rpcDriver(
  {
    name: 'luxos',
    port: 4028,
    firmware: 'luxos',
    make: 'Antminer',
    act: luxosAct,
  },
  ['version', 'summary', 'devs', 'pools', 'power', 'temps', 'fans', 'config'],
  (bodies) => {
    const version = readVersion(bodies.get('version') ?? {});
    const summary = readSummary(bodies.get('summary') ?? {});
    const model = version.type?.replace(/^Antminer\s+/i, '');
    const facts = identifyBitcoinModel(model, 'Antminer');
    const power = num(first(bodies.get('power')?.POWER)?.Watts);
    const devs = readDevs(bodies.get('devs') ?? {});
    const expected = devs.reduce((sum, board) => sum + (board.expectedHashrate ?? 0), 0);
    return {
      identity: {
        make: version.type?.split(' ')[0] ?? 'Antminer',
        firmware: 'luxos',
        algorithm: facts.algorithm,
        ...nominalOf(facts),
        ...defined({ model, firmwareVersion: version.firmwareVersion }),
      },
      parts: {
        ...defined({
          hashrate: summary.rate?.hashrate,
          rawHashrate: summary.rate?.raw,
          expectedHashrate: expected > 0 ? expected : undefined,
          powerW: power,
          powerSource: power === undefined ? undefined : ('miner' as const),
          shares: summary.shares,
          uptimeSeconds: summary.uptimeSeconds,
        }),
        boards: withBoardTemps(devs, bodies.get('temps') ?? {}),
        fans: readFans(bodies.get('fans') ?? {}),
        pools: readPools(bodies.get('pools') ?? {}),
        ...curtailed(first(bodies.get('config')?.CONFIG)),
      },
    };
  },
  { newline: true },
);

/**
 * LuxOS says it is curtailed in `config`: `CurtailMode` other than "None" ("Sleep"
 * after `curtail sleep`), or `IsPowerSupplyOn` false (boards and PSU off).
 */
export function curtailed(config: Record_ | undefined): { state?: 'sleeping'; stateEvidence?: string } {
  const mode = str(config?.CurtailMode);
  if (mode !== undefined && mode.toLowerCase() !== 'none') {
    return { state: 'sleeping', stateEvidence: `rpc:config CurtailMode=${mode}` };
  }
  if (config?.IsPowerSupplyOn === false) {
    return { state: 'sleeping', stateEvidence: 'rpc:config IsPowerSupplyOn=false' };
  }
  return mode === undefined ? {} : { stateEvidence: `rpc:config CurtailMode=${mode}` };
}

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

/**
 * LuxOS writes need a session: `logon` gives its id, which leads every write's
 * parameter; `curtail` sleeps (boards and PSU off, kept across reboots) or wakes.
 */
async function luxosAct(
  device: DeviceAddress,
  order: DeviceOrder,
  context: ReadContext,
): Promise<ActionResult> {
  const write = { sleep: ['curtail', 'sleep'], resume: ['curtail', 'wakeup'], reboot: ['rebootdevice', ''] }[
    order.action as 'sleep' | 'resume' | 'reboot'
  ] as [string, string] | undefined;
  if (!write) {
    return unsupported('LuxOS', order.action);
  }
  let session: string | undefined;
  try {
    const { body } = await command(device, 'logon', { newline: true }, context.limits);
    session = str(first(body.SESSION)?.SessionID);
  } catch (error) {
    return { status: 'failed', message: `logon: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (session === undefined) {
    return { status: 'failed', message: 'logon: LuxOS gave no session id' };
  }
  const [name, argument] = write;
  const result = await rpcAct(
    device,
    name,
    argument === '' ? session : `${session},${argument}`,
    context.limits,
    {
      newline: true,
    },
  );
  await command(device, 'logoff', { parameter: session, newline: true }, context.limits).catch(
    () => undefined,
  );
  return result;
}

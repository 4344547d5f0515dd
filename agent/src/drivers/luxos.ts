import type { HashBoard, MinerState } from '@hashwatt/schemas';
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
import { type ActionResult, type DeviceAddress, type DeviceOrder, type ReadContext } from './driver.ts';
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
 * LuxOS says it is curtailed in `config`: `CurtailMode` "Idle" (boards stopped, power
 * supply on: `curtail` idle, which earlier LuxOS offered beside sleep; docs.luxor.tech
 * curtail: "wakes up the miner from either idle or sleep mode") is idle; any other mode
 * but "None" ("Sleep" after `curtail sleep`), or `IsPowerSupplyOn` false (boards and PSU
 * off), is sleeping.
 */
export function curtailed(config: Record_ | undefined): { state?: MinerState; stateEvidence?: string } {
  const mode = str(config?.CurtailMode);
  if (mode?.toLowerCase() === 'idle') {
    return { state: 'idle', stateEvidence: `rpc:config CurtailMode=${mode}` };
  }
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
 * parameter [miner-apis.md B5]. `curtail` sleeps (boards and PSU off, kept across
 * reboots) or wakes; a power target is the profile (`profiles`, each with its `Watts`)
 * that draws the most without passing it, set with `profileset`; a pool switch adds the
 * pool (`addpool`) and switches to it (`switchpool`) by the id `pools` gives it.
 */
async function luxosAct(
  device: DeviceAddress,
  order: DeviceOrder,
  context: ReadContext,
): Promise<ActionResult> {
  let writes: (session: string) => Promise<ActionResult>;
  const write = (name: string, argument: string) => (session: string) =>
    rpcAct(device, name, argument === '' ? session : `${session},${argument}`, context.limits, {
      newline: true,
    });
  switch (order.action) {
    case 'sleep':
      writes = write('curtail', 'sleep');
      break;
    case 'resume':
      writes = write('curtail', 'wakeup');
      break;
    case 'reboot':
      writes = write('rebootdevice', '');
      break;
    case 'set-power-target': {
      const chosen = await profileFor(device, order.params.powerTargetW, context);
      if ('failed' in chosen) {
        return { status: 'failed', message: chosen.failed };
      }
      writes = async (session) => {
        const result = await write('profileset', chosen.name)(session);
        return result.status === 'done'
          ? { ...result, message: `profile ${chosen.name} (${String(chosen.watts)} W): ${result.message}` }
          : result;
      };
      break;
    }
    case 'set-fan': {
      // fanset speed: 0–100 fixed, or -1 for luxminer's own control [docs.luxor.tech fanset].
      const { fanMode, fanPercent } = order.params;
      if (fanMode === undefined || (fanMode === 'manual' && fanPercent === undefined)) {
        return { status: 'failed', message: 'set-fan needs fanMode, and fanPercent when manual' };
      }
      writes = write('fanset', `speed=${fanMode === 'auto' ? '-1' : String(fanPercent)}`);
      break;
    }
    case 'switch-pool': {
      const { poolUrl, poolUser, poolPassword } = order.params;
      if (poolUrl === undefined || poolUser === undefined) {
        return { status: 'failed', message: 'switch-pool needs poolUrl and poolUser' };
      }
      writes = async (session) => {
        const added = await write('addpool', [poolUrl, poolUser, poolPassword ?? 'x'].join(','))(session);
        if (added.status !== 'done') {
          return { ...added, message: `addpool: ${added.message}` };
        }
        const { body } = await command(device, 'pools', { newline: true }, context.limits);
        const id = records(body.POOLS).find(
          (pool) => str(pool.URL) === poolUrl && str(pool.User) === poolUser,
        )?.POOL;
        if (count(id) === undefined) {
          return { status: 'failed', message: `addpool accepted ${poolUrl}, but pools does not list it` };
        }
        return write('switchpool', String(count(id)))(session);
      };
      break;
    }
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
  try {
    return await writes(session);
  } catch (error) {
    return { status: 'failed', message: error instanceof Error ? error.message : String(error) };
  } finally {
    await command(device, 'logoff', { parameter: session, newline: true }, context.limits).catch(
      () => undefined,
    );
  }
}

/** The profile that draws the most without passing `watts`, from the miner's own list. */
async function profileFor(
  device: DeviceAddress,
  watts: number | undefined,
  context: ReadContext,
): Promise<{ name: string; watts: number } | { failed: string }> {
  if (watts === undefined) {
    return { failed: 'set-power-target needs powerTargetW' };
  }
  let profiles: { name: string; watts: number }[];
  try {
    const { body } = await command(device, 'profiles', { newline: true }, context.limits);
    profiles = records(body.PROFILES)
      .map((profile) => ({ name: str(profile['Profile Name']), watts: num(profile.Watts) }))
      .filter(
        (profile): profile is { name: string; watts: number } =>
          profile.name !== undefined && profile.watts !== undefined,
      );
  } catch (error) {
    return { failed: `profiles: ${error instanceof Error ? error.message : String(error)}` };
  }
  const fitting = profiles.filter((profile) => profile.watts <= watts).sort((a, b) => b.watts - a.watts)[0];
  if (fitting) {
    return fitting;
  }
  const lowest = [...profiles].sort((a, b) => a.watts - b.watts)[0];
  return {
    failed:
      lowest === undefined
        ? 'LuxOS lists no profile with its power'
        : `no LuxOS profile draws ${String(watts)} W or less: the lowest, ${lowest.name}, draws ${String(lowest.watts)} W`,
  };
}

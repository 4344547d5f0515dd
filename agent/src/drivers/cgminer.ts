import type { Fan, HashBoard, MinerPool } from '@hashwatt/schemas';
import { command } from '../protocol/cgminer-rpc.ts';
import { type RpcLimits, type RpcTarget } from '../protocol/rpc-error.ts';
import {
  defineDriver,
  type ActionResult,
  type DriverName,
  type MinerDriver,
  type ReadContext,
  type Reading,
} from './driver.ts';
import {
  count,
  first,
  num,
  positive,
  rateField,
  records,
  str,
  unitScale,
  type RateField,
  type Record_,
} from './fields.ts';

/**
 * The parts of a cgminer-style reply every firmware on port 4028 shares (Antminer
 * bmminer and cgminer, Braiins bosminer, LuxOS, VNish, Hiveon, Avalon, Auradine,
 * Whatsminer v2, TeamRedMiner), read into the sample's shapes.
 */

export interface SummaryParts {
  readonly rate?: RateField;
  readonly shares?: { accepted: number; rejected: number; stale?: number; hardwareErrors?: number };
  readonly uptimeSeconds?: number;
}

export function readSummary(body: Record_): SummaryParts {
  const summary = first(body.SUMMARY);
  if (!summary) {
    return {};
  }
  const rate = rateField(summary);
  const accepted = count(summary.Accepted);
  const rejected = count(summary.Rejected);
  const stale = count(summary.Stale);
  const hardwareErrors = count(summary['Hardware Errors']);
  const uptimeSeconds = count(summary.Elapsed);
  return {
    ...(rate && { rate }),
    ...(accepted !== undefined &&
      rejected !== undefined && {
        shares: {
          accepted,
          rejected,
          ...(stale !== undefined && { stale }),
          ...(hardwareErrors !== undefined && { hardwareErrors }),
        },
      }),
    ...(uptimeSeconds !== undefined && { uptimeSeconds }),
  };
}

export function readPools(body: Record_): MinerPool[] {
  return records(body.POOLS).map((pool, position): MinerPool => {
    const accepted = count(pool.Accepted);
    const rejected = count(pool.Rejected);
    const stale = count(pool.Stale);
    return {
      // Firmware numbers pools from 0 or from 1 (Whatsminer); the sample counts from 0.
      index: position,
      url: str(pool.URL) ?? '',
      user: str(pool.User) ?? '',
      // Stratum Active names the pool the miner works for; without it, the first alive by priority.
      active: pool['Stratum Active'] === true || pool['Stratum Active'] === 'true',
      alive: str(pool.Status)?.toLowerCase() === 'alive',
      ...(accepted !== undefined && { accepted }),
      ...(rejected !== undefined && { rejected }),
      ...(stale !== undefined && { stale }),
    };
  });
}

export interface VersionParts {
  /** The model as the firmware names it, `Antminer S19 Pro`. */
  readonly type?: string;
  readonly firmwareVersion?: string;
  /** Every value of the VERSION entry and the STATUS description, upper-cased: what identification searches. */
  readonly banner: string;
}

export function readVersion(body: Record_): VersionParts {
  const version = first(body.VERSION) ?? {};
  const status = first(body.STATUS);
  const banner = [...Object.entries(version).flat(), status?.Description]
    .filter((part) => typeof part === 'string')
    .join(' ')
    .toUpperCase();
  const type = str(version.Type)?.replace(/\s*\(.*\)\s*$/, '');
  const firmwareVersion =
    str(version.Miner) ??
    str(version.LUXminer) ??
    str(version.BOSminer) ??
    str(version.CGMiner) ??
    str(version.BMMiner);
  return {
    banner,
    ...(type !== undefined && { type }),
    ...(firmwareVersion !== undefined && { firmwareVersion }),
  };
}

export interface StatsParts {
  readonly boards: HashBoard[];
  readonly fans: Fan[];
  readonly expectedHashrate?: number;
  readonly powerW?: number;
  readonly rate?: RateField;
}

const MAX_INDEX = 16;

/**
 * Antminer-style `stats`: STATS[0] names the miner, STATS[1] holds `chain_*{i}`,
 * `temp*{i}` and `fan{i}` keyed from an offset that differs by model (S9 chains are
 * 6–8, S19 1–3; old fans start at fan3). The `new_api` layout, `chain[]` and `fan[]`,
 * is read too.
 */
export function readAntminerStats(body: Record_, defaultUnit = 'GH'): StatsParts {
  const blocks = records(body.STATS);
  const data = blocks.find(
    (block) => 'chain' in block || Object.keys(block).some((key) => key.startsWith('chain_')),
  );
  if (!data) {
    return { boards: [], fans: [] };
  }
  const scale = unitScale(str(data.rate_unit) ?? defaultUnit) ?? 1e9;
  const parts = Array.isArray(data.chain) ? newApiBoards(data, scale) : legacyBoards(data, scale);
  const expected = num(data.total_rateideal) ?? num(data.rate_ideal);
  const rate = rateField(data);
  const power = num(data.chain_power) ?? num(data.power) ?? num(data.watt);
  return {
    boards: parts.boards,
    fans: parts.fans,
    ...(expected !== undefined && expected > 0 && { expectedHashrate: expected * scale }),
    ...(power !== undefined && power > 0 && { powerW: power }),
    ...(rate && { rate }),
  };
}

function legacyBoards(data: Record_, scale: number): { boards: HashBoard[]; fans: Fan[] } {
  const present: number[] = [];
  for (let i = 1; i <= MAX_INDEX; i += 1) {
    if ((count(data[`chain_acn${String(i)}`]) ?? 0) > 0 || (num(data[`chain_rate${String(i)}`]) ?? 0) > 0) {
      present.push(i);
    }
  }
  const boards: HashBoard[] = [];
  const low = present[0];
  const high = present.at(-1);
  if (low !== undefined && high !== undefined) {
    for (let i = low; i <= high; i += 1) {
      const at = (key: string): unknown => data[`${key}${String(i)}`];
      // A chain between two working ones is a board, dead or not, only if the firmware
      // lists it: the E3 numbers its nine chains 1–3 and 8–13, with nothing at 4–7.
      if (at('chain_acn') === undefined && at('chain_rate') === undefined) {
        continue;
      }
      const hashrate = num(at('chain_rate'));
      const expected = num(at('chain_rateideal'));
      const chips = count(at('chain_acn'));
      const boardTemp = maxOf(at('temp_pcb')) ?? positive(num(at('temp')));
      const chipTemp = maxOf(at('temp_chip')) ?? positive(num(at('temp2_')));
      const frequency = positive(num(at('freq')));
      boards.push({
        slot: boards.length,
        ...(hashrate !== undefined && { hashrate: hashrate * scale }),
        ...(expected !== undefined && { expectedHashrate: expected * scale }),
        ...(chips !== undefined && { chips }),
        ...(boardTemp !== undefined && { boardTempC: boardTemp }),
        ...(chipTemp !== undefined && { chipTempC: chipTemp }),
        ...(frequency !== undefined && { frequencyMhz: frequency }),
      });
    }
  }
  return { boards, fans: legacyFans(data) };
}

function legacyFans(data: Record_): Fan[] {
  const speeds: { index: number; rpm: number }[] = [];
  for (let i = 1; i <= MAX_INDEX; i += 1) {
    const rpm = num(data[`fan${String(i)}`]);
    if (rpm !== undefined) {
      speeds.push({ index: i, rpm });
    }
  }
  const declared = count(data.fan_num) ?? speeds.filter((fan) => fan.rpm > 0).length;
  // The fans fan_num counts start at the first that spins (fan3 on old Antminers).
  const start = Math.max(
    0,
    speeds.findIndex((fan) => fan.rpm > 0),
  );
  return speeds.slice(start, start + declared).map((fan, id) => ({ id, rpm: fan.rpm }));
}

function newApiBoards(data: Record_, scale: number): { boards: HashBoard[]; fans: Fan[] } {
  const chains = records(data.chain);
  const boards = chains.map((chain, position): HashBoard => {
    const hashrate = num(chain.rate_real);
    const expected = num(chain.rate_ideal);
    const chips = count(chain.asic_num);
    const boardTemp = maxOf(chain.temp_pcb);
    const chipTemp = chipCelsius(maxOf(chain.temp_chip));
    const frequency = positive(num(chain.freq_avg));
    const serial = str(chain.sn);
    return {
      slot: count(chain.index) ?? position,
      ...(hashrate !== undefined && { hashrate: hashrate * scale }),
      ...(expected !== undefined && { expectedHashrate: expected * scale }),
      ...(chips !== undefined && { chips }),
      ...(boardTemp !== undefined && { boardTempC: boardTemp }),
      ...(chipTemp !== undefined && { chipTempC: chipTemp }),
      ...(frequency !== undefined && { frequencyMhz: frequency > 10_000 ? frequency / 1000 : frequency }),
      ...(serial !== undefined && { serial }),
    };
  });
  const fans = (Array.isArray(data.fan) ? (data.fan as unknown[]) : [])
    .map((rpm, id) => ({ id, rpm: num(rpm) }))
    .filter((fan): fan is Fan & { rpm: number } => fan.rpm !== undefined);
  return { boards, fans };
}

/** Some firmware (Elphapex's UI family) writes chip temperatures in milli-°C. */
function chipCelsius(value: number | undefined): number | undefined {
  return value !== undefined && value > 1000 ? value / 1000 : value;
}

/** The highest reading of "55-66-78-91", [47, 46, 67] or ["25687", ""]: sensors that read 0 are absent. */
export function maxOf(value: unknown): number | undefined {
  const parts = Array.isArray(value) ? value : typeof value === 'string' ? value.split('-') : [value];
  const readings = parts.map(num).filter((n): n is number => n !== undefined && n > 0);
  return readings.length > 0 ? Math.max(...readings) : undefined;
}

/**
 * `DEVS[]`, one entry per hash board (bosminer, LuxOS, Whatsminer), in ASC order
 * whatever order the firmware lists them: rates by cgminer's unit-and-window keys,
 * nominal rate, temperatures, chips, serial.
 */
export function readDevs(body: Record_): HashBoard[] {
  const devices = records(body.DEVS).sort((a, b) => (count(a.ASC) ?? 0) - (count(b.ASC) ?? 0));
  return devices.map((device, slot): HashBoard => {
    const rate = rateField(device);
    const nominal = num(device['Nominal MHS']) ?? (num(device['Factory GHS']) ?? Number.NaN) * 1e3;
    const chips = count(device['Effective Chips']);
    const boardTemp = positive(num(device.Temperature));
    const chipTemp = positive(num(device['Chip Temp Max']));
    const frequency = positive(num(device['Chip Frequency']) ?? num(device.Frequency));
    const serial = str(device.SerialNumber) ?? str(device['PCB SN']);
    return {
      slot,
      ...(rate && { hashrate: rate.hashrate }),
      ...(Number.isFinite(nominal) && { expectedHashrate: nominal * 1e6 }),
      ...(chips !== undefined && { chips }),
      ...(boardTemp !== undefined && { boardTempC: boardTemp }),
      ...(chipTemp !== undefined && { chipTempC: chipTemp }),
      ...(frequency !== undefined && { frequencyMhz: frequency }),
      ...(serial !== undefined && { serial }),
    };
  });
}

/** `FANS[]` of bosminer and LuxOS: RPM and speed in percent. */
export function readFans(body: Record_): Fan[] {
  return records(body.FANS).map((fan, position) => {
    const rpm = num(fan.RPM);
    const percent = num(fan.Speed);
    return {
      id: count(fan.ID) ?? position,
      ...(rpm !== undefined && { rpm }),
      ...(percent !== undefined && percent >= 0 && percent <= 100 && { percent }),
    };
  });
}

export interface CommandResults {
  readonly bodies: ReadonlyMap<string, Record_>;
  readonly sources: string[];
  readonly warnings: string[];
}

/**
 * Runs each command on its own connection, all at once: many firmwares refuse
 * `summary+stats` (the S19 among them). A command that fails becomes a warning; when
 * every one fails the device is unreachable and the first failure is thrown.
 */
export async function runCommands(
  device: RpcTarget,
  names: readonly string[],
  limits: RpcLimits,
  options: { readonly newline?: boolean } = {},
): Promise<CommandResults> {
  const settled = await Promise.allSettled(names.map((name) => command(device, name, options, limits)));
  const bodies = new Map<string, Record_>();
  const sources: string[] = [];
  const warnings: string[] = [];
  settled.forEach((result, i) => {
    const name = names[i] ?? '';
    if (result.status === 'fulfilled') {
      bodies.set(name, result.value.body);
      sources.push(`rpc:${name}`);
      warnings.push(...result.value.repairs.map((repair) => `rpc:${name}: ${repair}`));
    } else {
      warnings.push(`rpc:${name}: ${(result.reason as Error).message}`);
    }
  });
  if (bodies.size === 0) {
    const failure = settled.find((result) => result.status === 'rejected');
    throw failure?.reason instanceof Error ? failure.reason : new Error('no reply');
  }
  return { bodies, sources, warnings };
}

/** A driver for a firmware on the cgminer-style port: its commands, and how to read their replies. */
export function rpcDriver(
  meta: DriverName,
  commands: readonly string[],
  build: (bodies: ReadonlyMap<string, Record_>, context: ReadContext) => Reading,
  options: { readonly newline?: boolean } = {},
): MinerDriver {
  return defineDriver(
    meta,
    (device, context) => runCommands(device, commands, context.limits, options),
    build,
  );
}

/** A write command on the cgminer-style port: done with the firmware's own words, or failed with why. */
export async function rpcAct(
  device: RpcTarget,
  name: string,
  parameter: string,
  limits: RpcLimits,
  options: { readonly newline?: boolean } = {},
): Promise<ActionResult> {
  try {
    const { body } = await command(device, name, { parameter, ...options }, limits);
    return { status: 'done', message: str(first(body.STATUS)?.Msg) ?? `${name} accepted` };
  } catch (error) {
    return { status: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
}

import type { Fan, HashBoard, MinerState } from '@hashwatt/schemas';
import { readPools, readSummary, readVersion, rpcAct, rpcDriver } from './cgminer.ts';
import { unsupported } from './driver.ts';
import { identifyBitcoinModel, nominalOf } from './models.ts';
import { defined, first, num, positive, records, scaled, str, type Record_ } from './fields.ts';

/**
 * Canaan Avalon on cgminer (A7 chains to A15, Avalon Q, Nano 3): `stats` (or `estats`)
 * packs each module's state into one string of `Key[value]` pairs (`"MM ID0"`, or
 * `"MM ID0:Summary"` on newer firmware): power, GHS, per-board MGHS and temperatures,
 * fans, SoftOFF. Every module is read and the miner is their sum.
 */
export const avalon = rpcDriver(
  {
    name: 'avalon',
    port: 4028,
    firmware: 'avalon',
    make: 'Avalon',
    // cgminer's ascset on Canaan firmware: softoff/softon take effect at the time given.
    act: async (device, order, context) => {
      const at = Math.floor(context.now().getTime() / 1000);
      const parameter = {
        sleep: `0,softoff,1:${String(at)}`,
        resume: `0,softon,1:${String(at)}`,
        reboot: '0,reboot,0',
      }[order.action as 'sleep' | 'resume' | 'reboot'] as string | undefined;
      return parameter === undefined
        ? unsupported('Avalon', order.action)
        : rpcAct(device, 'ascset', parameter, context.limits);
    },
  },
  ['version', 'summary', 'stats', 'estats', 'pools'],
  (bodies) => {
    const version = first(bodies.get('version')?.VERSION) ?? {};
    const summary = readSummary(bodies.get('summary') ?? {});
    const fromStats = avalonModules(bodies.get('stats') ?? {});
    const modules = fromStats.length > 0 ? fromStats : avalonModules(bodies.get('estats') ?? {});
    const model = str(version.PROD)?.replace(/^Avalon(?:Miner)?\s*/i, '') ?? str(version.MODEL);
    const facts = identifyBitcoinModel(model, 'Avalon');
    const speeds = modules.map((module) => num(module.GHSspd) ?? num(module.GHSavg));
    const speed = total(speeds);
    const power = total(modules.map(modulePowerW));
    const states = modules.map(moduleState);
    const said = states[0]?.state;
    const agreed = said !== undefined && states.every((state) => state.state === said) ? said : undefined;
    const stateEvidence = states
      .map((state) => state.evidence)
      .filter((evidence) => evidence !== '')
      .filter((evidence, i, all) => all.indexOf(evidence) === i);
    return {
      identity: {
        make: 'Avalon',
        firmware: 'avalon',
        algorithm: facts.algorithm,
        ...nominalOf(facts),
        ...defined({
          model: model === '' ? undefined : model,
          firmwareVersion: str(version.LVERSION) ?? readVersion(bodies.get('version') ?? {}).firmwareVersion,
          mac: str(version.MAC),
        }),
      },
      parts: {
        ...(speed !== undefined
          ? {
              hashrate: speed * 1e9,
              rawHashrate: {
                value: speed,
                unit: 'GH/s',
                field: modules.length > 1 ? `GHSspd of ${String(modules.length)} modules` : 'GHSspd',
              },
            }
          : defined({ hashrate: summary.rate?.hashrate, rawHashrate: summary.rate?.raw })),
        ...defined({
          expectedHashrate: scaled(total(modules.map((module) => positive(num(module.GHSmm)))), 1e9),
          powerW: power,
          powerSource: power === undefined ? undefined : ('miner' as const),
          state: agreed,
          stateEvidence: stateEvidence.length > 0 ? `rpc:stats ${stateEvidence.join('; ')}` : undefined,
          shares: summary.shares,
          uptimeSeconds: summary.uptimeSeconds,
        }),
        boards: renumber(modules.flatMap(boards)),
        fans: renumber(modules.flatMap(fans)).map(({ slot, ...fan }) => ({ id: slot, ...fan })),
        pools: readPools(bodies.get('pools') ?? {}),
      },
    };
  },
);

type Module = Readonly<Record<string, string>>;

/**
 * Every module's `Key[value]` pairs: each STATS block is one controller (AUC), each
 * `MM ID{n}` (`MM ID{n}:Summary` on newer firmware) in it one module, so an Avalon 7
 * chain of ten modules on two controllers is ten, and an A1566 one.
 */
export function avalonModules(stats: Record_): Module[] {
  return records(stats.STATS).flatMap((block) =>
    Object.keys(block)
      .map((key) => ({ key, n: /^MM ID(\d+)(?::Summary)?$/.exec(key)?.[1] }))
      .filter((entry): entry is { key: string; n: string } => entry.n !== undefined)
      .sort((a, b) => Number(a.n) - Number(b.n))
      .map(({ key }) => pairsOf(str(block[key]) ?? ''))
      .filter((module) => Object.keys(module).length > 0),
  );
}

function pairsOf(text: string): Module {
  const pairs: Record<string, string> = {};
  for (const match of text.matchAll(/([A-Za-z][\w]*)\[([^\]]*)\]/g)) {
    const [, name, value] = match;
    if (name !== undefined && value !== undefined && !(name in pairs)) {
      pairs[name] = value.trim();
    }
  }
  return pairs;
}

/**
 * A module's power in W. `WALLPOWER` where the firmware writes it (A14/A15); else the
 * power-supply status `PS[err Vin Vout Iout Pout Vset Pwall]`: seven figures (A11xx on,
 * Avalon Q, Nano) end with the wall power — equal to WALLPOWER where both are sent —
 * and the six of A10xx firmware end before it, so their output power `Pout` is all there
 * is. A module whose PSU reads 0 (PS[0 0 0 0 0 0] on a 1047 starting up) has none.
 */
export function modulePowerW(module: Module): number | undefined {
  const ps = list(module.PS);
  return positive(num(module.WALLPOWER)) ?? positive(ps.length >= 7 ? ps[6] : undefined) ?? positive(ps[4]);
}

/**
 * A module's state in Canaan's words: SYSTEMSTATU `Work: In Work` hashes, `In Idle`
 * (after ascset softoff, SoftOFF set) sleeps, `In Init` is starting up, `In Fault` is a
 * fault (the four work states public Avalon integrations read). `In Work`, or a word not
 * known, leaves the state to the hashrate.
 */
function moduleState(module: Module): { state?: MinerState; evidence: string } {
  const work = /Work:\s*([^,\]]+)/i.exec(module.SYSTEMSTATU ?? '')?.[1]?.trim();
  const softOff = module.SoftOFF;
  const word = work?.toLowerCase();
  const state: MinerState | undefined =
    num(softOff) === 1 || word === 'in idle'
      ? 'sleeping'
      : word === 'in init'
        ? 'starting'
        : word === 'in fault'
          ? 'error'
          : undefined;
  return {
    ...(state && { state }),
    evidence: [
      work === undefined ? undefined : `SYSTEMSTATU Work: ${work}`,
      softOff === undefined ? undefined : `SoftOFF=${softOff}`,
    ]
      .filter(Boolean)
      .join(', '),
  };
}

/** The sum of the figures read; undefined when none was. */
function total(values: readonly (number | undefined)[]): number | undefined {
  const read = values.filter((value): value is number => value !== undefined);
  return read.length > 0 ? read.reduce((sum, value) => sum + value, 0) : undefined;
}

function renumber<T extends { slot: number }>(items: readonly T[]): T[] {
  return items.map((item, slot) => ({ ...item, slot }));
}

function list(value: string | undefined): number[] {
  return (value ?? '')
    .split(/\s+/)
    .map((part) => num(part))
    .filter((n): n is number => n !== undefined);
}

/** One board per `MGHS` figure; a module that gives none (Avalon 7) is one board. */
function boards(module: Module): HashBoard[] {
  const rates = list(module.MGHS);
  const chipMax = list(module.MTmax);
  if (rates.length === 0) {
    return [
      {
        slot: 0,
        ...defined({
          expectedHashrate: scaled(positive(num(module.GHSmm)), 1e9),
          chipTempC: positive(num(module.TMax)),
        }),
      },
    ];
  }
  return rates.map((rate, slot) => {
    const chipTemp = chipMax[slot];
    return {
      slot,
      hashrate: rate * 1e9,
      ...(chipTemp !== undefined && chipTemp > 0 && { chipTempC: chipTemp }),
    };
  });
}

/** `Fan1`…`FanN`, or one `Fan` on the Avalon 7; `FanR` is their common duty. */
function fans(module: Module): (Omit<Fan, 'id'> & { slot: number })[] {
  const percent = num(module.FanR);
  const keys = module.Fan !== undefined ? ['Fan'] : [];
  for (let i = 1; module[`Fan${String(i)}`] !== undefined; i += 1) {
    keys.push(`Fan${String(i)}`);
  }
  return keys.map((key, slot) => {
    const rpm = num(module[key]);
    return {
      slot,
      ...(rpm !== undefined && { rpm }),
      ...(percent !== undefined && percent <= 100 && { percent }),
    };
  });
}

import type { Fan, HashBoard } from '@hashwatt/schemas';
import { readPools, readSummary, readVersion, rpcAct, rpcDriver } from './cgminer.ts';
import { unsupported } from './driver.ts';
import { defined, first, num, positive, records, scaled, str, type Record_ } from './fields.ts';

/**
 * Canaan Avalon on cgminer: `stats` packs each module's state into one string of
 * `Key[value]` pairs (`"MM ID0"`, or `"MM ID0:Summary"` on newer firmware): wall
 * power, GHS, per-board MGHS and temperatures, fans, SoftOFF.
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
  ['version', 'summary', 'stats', 'pools'],
  (bodies) => {
    const version = first(bodies.get('version')?.VERSION) ?? {};
    const summary = readSummary(bodies.get('summary') ?? {});
    const module = moduleState(bodies.get('stats') ?? {});
    const model = str(version.PROD)?.replace(/^Avalon(?:Miner)?\s*/i, '') ?? str(version.MODEL);
    const speed = num(module.GHSspd) ?? num(module.GHSavg);
    const power = positive(num(module.WALLPOWER));
    // Soft-off (ascset softoff) idles the boards: SoftOFF set, SYSTEMSTATU "Work: In Idle".
    const work = /Work:\s*([^,\]]+)/i.exec(module.SYSTEMSTATU ?? '')?.[1]?.trim();
    const softOff = module.SoftOFF;
    const sleeping = num(softOff) === 1 || /In Idle/i.test(work ?? '');
    const stateEvidence = [
      work === undefined ? undefined : `SYSTEMSTATU Work: ${work}`,
      softOff === undefined ? undefined : `SoftOFF=${softOff}`,
    ].filter(Boolean);
    return {
      identity: {
        make: 'Avalon',
        firmware: 'avalon',
        algorithm: 'sha256d',
        ...defined({
          model: model === '' ? undefined : model,
          firmwareVersion: str(version.LVERSION) ?? readVersion(bodies.get('version') ?? {}).firmwareVersion,
          mac: str(version.MAC),
        }),
      },
      parts: {
        ...(speed !== undefined
          ? { hashrate: speed * 1e9, rawHashrate: { value: speed, unit: 'GH/s', field: 'GHSspd' } }
          : defined({ hashrate: summary.rate?.hashrate, rawHashrate: summary.rate?.raw })),
        ...defined({
          expectedHashrate: scaled(positive(num(module.GHSmm)), 1e9),
          powerW: power,
          powerSource: power === undefined ? undefined : ('miner' as const),
          state: sleeping ? ('sleeping' as const) : undefined,
          stateEvidence: stateEvidence.length > 0 ? `rpc:stats ${stateEvidence.join(', ')}` : undefined,
          shares: summary.shares,
          uptimeSeconds: summary.uptimeSeconds,
        }),
        boards: boards(module),
        fans: fans(module),
        pools: readPools(bodies.get('pools') ?? {}),
      },
    };
  },
);

/** The `Key[value]` pairs of the first module's state string. */
export function moduleState(stats: Record_): Readonly<Record<string, string>> {
  for (const block of records(stats.STATS)) {
    const key = Object.keys(block).find((name) => /^MM ID\d+(?::Summary)?$/.test(name));
    const text = key === undefined ? undefined : str(block[key]);
    if (text !== undefined) {
      const pairs: Record<string, string> = {};
      for (const match of text.matchAll(/([A-Za-z][\w]*)\[([^\]]*)\]/g)) {
        const [, name, value] = match;
        if (name !== undefined && value !== undefined && !(name in pairs)) {
          pairs[name] = value.trim();
        }
      }
      return pairs;
    }
  }
  return {};
}

function list(value: string | undefined): number[] {
  return (value ?? '')
    .split(/\s+/)
    .map((part) => num(part))
    .filter((n): n is number => n !== undefined);
}

function boards(module: Readonly<Record<string, string>>): HashBoard[] {
  const rates = list(module.MGHS);
  const chipMax = list(module.MTmax);
  return rates.map((rate, slot) => {
    const chipTemp = chipMax[slot];
    return {
      slot,
      hashrate: rate * 1e9,
      ...(chipTemp !== undefined && chipTemp > 0 && { chipTempC: chipTemp }),
    };
  });
}

function fans(module: Readonly<Record<string, string>>): Fan[] {
  const result: Fan[] = [];
  for (let i = 1; module[`Fan${String(i)}`] !== undefined; i += 1) {
    const rpm = num(module[`Fan${String(i)}`]);
    const percent = num(module.FanR);
    result.push({
      id: i - 1,
      ...(rpm !== undefined && { rpm }),
      ...(percent !== undefined && percent <= 100 && { percent }),
    });
  }
  return result;
}

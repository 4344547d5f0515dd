// The fixture sweep: every captured reply of a firmware the agent reads, grouped by the
// device it came from, served by the emulators on real sockets (cgminer API or HTTP)
// and read by that firmware's driver; each sample is then checked against what the
// captures themselves say (sweep-expected.ts). Used by the sweep test and by
// `pnpm --filter @hashwatt/agent sweep`, which prints the table kept in agent/README.md.
import Value from 'typebox/value';
import { MinerSample } from '@hashwatt/schemas';
import type { MinerDriver } from '../src/drivers/driver.ts';
import { DRIVERS } from '../src/drivers/registry.ts';
import { startCgminerEmulator } from '../src/emulators/cgminer-emulator.ts';
import { startHttpEmulator } from '../src/emulators/http-emulator.ts';
import { DEFAULT_RPC_LIMITS } from '../src/protocol/rpc-error.ts';
import { fixture, fixtureNames } from './fixtures.ts';
import { EXPECTED, type Expected, type Observed } from './sweep-expected.ts';

interface FamilySpec {
  /** The drivers that may read it, first registered wins (a dedicated driver before the generic one). */
  readonly drivers: readonly string[];
  readonly http?: Readonly<Record<string, string>>;
}

/** family (the capture's first word) -> the driver that reads it, and how its captures are reached. */
export const FAMILIES: Readonly<Record<string, FamilySpec>> = {
  antminer: { drivers: ['antminer'] },
  mskminer: { drivers: ['antminer'] },
  strongu: { drivers: ['cgminer'] },
  innosilicon: { drivers: ['innosilicon', 'cgminer'] },
  auradine: { drivers: ['auradine'] },
  avalon: { drivers: ['avalon'] },
  braiins: { drivers: ['braiins-rpc'] },
  luxor: { drivers: ['luxos'] },
  whatsminer: { drivers: ['whatsminer'] },
  teamredminer: { drivers: ['teamredminer'] },
  bitaxe: { drivers: ['axeos'], http: { system_info: '/api/system/info' } },
  trex: { drivers: ['trex'], http: { summary: '/summary' } },
  lolminer: { drivers: ['lolminer'], http: { summary: '/summary' } },
  gminer: { drivers: ['gminer'], http: { stat: '/stat' } },
  nbminer: { drivers: ['nbminer'], http: { api_v1_status: '/api/v1/status' } },
  xmrig: { drivers: ['xmrig'], http: { '2_summary': '/2/summary', '2_backends': '/2/backends' } },
  goldshell: {
    drivers: ['goldshell'],
    http: {
      mcb_cgminer_devs: '/mcb/cgminer?cgminercmd=devs',
      mcb_pools: '/mcb/pools',
      mcb_setting: '/mcb/setting',
    },
  },
  epic: { drivers: ['epic'], http: { summary: '/summary', capabilities: '/capabilities' } },
  elphapex: {
    drivers: ['elphapex'],
    http: {
      summary: '/cgi-bin/summary.cgi',
      stats: '/cgi-bin/stats.cgi',
      pools: '/cgi-bin/pools.cgi',
      get_system_info: '/cgi-bin/get_system_info.cgi',
    },
  },
};

/** Families whose driver reads the web interface: their `web` captures are theirs to read. */
const WEB_FAMILIES = new Set(['elphapex']);

export function driverOf(family: string): MinerDriver | undefined {
  const name = FAMILIES[family]?.drivers.find((candidate) => DRIVERS[candidate] !== undefined);
  return name === undefined ? undefined : DRIVERS[name];
}

interface Capture {
  readonly name: string;
  readonly command: string;
}

/** "antminer__stock_cgminer1.0.0_s19pro_2020__rpc4028_pools" -> variant and command "pools". */
function parse(name: string): { family: string; variant: string; command: string } | undefined {
  const parts = name.split('__').filter((part) => !/^(invalid_json|trailing_garbage)/.test(part));
  const family = parts[0] ?? '';
  if (
    parts.length < 3 ||
    !(family in FAMILIES) ||
    (name.includes('web') && !WEB_FAMILIES.has(family)) ||
    /graphql|rest_api|tcp4433|with_errors|api1\.3|http_1_|http_api_overview/.test(name)
  ) {
    return undefined;
  }
  // family__variant__command, then perhaps a note on what the capture shows ("__12gpu").
  const command = (parts[2] ?? '').replace(/^(rpc4028_|rpc_|http_|telnet_|web_)+/, '');
  return { family, variant: `${family}__${parts[1] ?? ''}`.replace(/_?rpc4028$/, ''), command };
}

export interface Variant {
  readonly family: string;
  readonly captures: readonly Capture[];
}

/** Every device the captures come from, by variant name. */
export function variants(): Map<string, Variant> {
  const found = new Map<string, { family: string; captures: Capture[] }>();
  for (const name of fixtureNames()) {
    const parsed = parse(name);
    // A family whose driver is not written yet is not swept.
    if (parsed && driverOf(parsed.family) !== undefined) {
      const entry = found.get(parsed.variant) ?? { family: parsed.family, captures: [] };
      entry.captures.push({ name, command: parsed.command });
      found.set(parsed.variant, entry);
    }
  }
  return found;
}

const context = { now: () => new Date('2026-11-25T12:00:00Z'), limits: DEFAULT_RPC_LIMITS };

/** One variant's captures served on a real socket, read by its family's driver. */
export async function readVariant(variant: Variant): Promise<MinerSample> {
  const spec = FAMILIES[variant.family];
  const driver = driverOf(variant.family);
  if (!spec || !driver) {
    throw new Error(`no driver for ${variant.family}`);
  }
  // Two captures of one command (a clean reply and a broken one): the first, the clean one, is served.
  const byCommand = new Map<string, string>();
  for (const capture of variant.captures) {
    if (!byCommand.has(capture.command)) {
      byCommand.set(capture.command, fixture(capture.name).raw);
    }
  }
  const emulator = spec.http
    ? await startHttpEmulator((request) => {
        const command = Object.entries(spec.http ?? {}).find(([, path]) => path === request.url)?.[0];
        const body = command === undefined ? undefined : byCommand.get(command);
        return body === undefined ? undefined : { body };
      })
    : await startCgminerEmulator((request) => byCommand.get(request.command));
  try {
    return await driver.read({ host: emulator.host, port: emulator.port }, context);
  } finally {
    await emulator.close();
  }
}

/** What a sample says, in the terms the expectations are written in. */
export function observed(sample: MinerSample): Observed {
  return {
    make: sample.identity.make,
    ...(sample.identity.model !== undefined && { model: sample.identity.model }),
    algorithm: sample.identity.algorithm ?? 'unknown',
    state: sample.state,
    ...(sample.hashrate !== undefined && { hashrate: sample.hashrate }),
    ...(sample.powerW !== undefined && { powerW: sample.powerW }),
    boards: sample.boards.length,
    fans: sample.fans.length,
    pools: sample.pools.length,
    ...(sample.gpus !== undefined && { gpus: sample.gpus.length }),
  };
}

/**
 * The fields the expectation names that the sample reads otherwise (null: must be
 * absent); hashrate and power within 0.1 %. Fields it does not name are not checked.
 */
export function wrongFields(want: Expected, got: Observed): string[] {
  return (Object.keys(want) as (keyof Expected)[]).filter((key) => {
    const a = want[key] ?? undefined;
    const b = got[key];
    if (typeof a === 'number' && typeof b === 'number' && (key === 'hashrate' || key === 'powerW')) {
      return Math.abs(a - b) > Math.abs(a) * 1e-3;
    }
    return a !== b;
  });
}

export interface SweepRow {
  readonly variant: string;
  readonly family: string;
  /** Fields read wrong, `schema` when the server would refuse the sample, `no expectation` when none is written. */
  readonly wrong: readonly string[];
  readonly got?: Observed;
  readonly error?: string;
}

export async function sweep(): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  for (const [name, variant] of variants()) {
    try {
      const sample = await readVariant(variant);
      const got = observed(sample);
      const want = EXPECTED[name];
      const schema = [...Value.Errors(MinerSample, sample)].length > 0 ? ['schema'] : [];
      rows.push({
        variant: name,
        family: variant.family,
        got,
        wrong: want === undefined ? ['no expectation', ...schema] : [...wrongFields(want, got), ...schema],
      });
    } catch (error) {
      rows.push({
        variant: name,
        family: variant.family,
        wrong: ['read failed'],
        error: (error as Error).message,
      });
    }
  }
  return rows;
}

/** Per family: captures read with every field right, of those read. */
export function byFamily(rows: readonly SweepRow[]): { family: string; right: number; total: number }[] {
  const families = new Map<string, { right: number; total: number }>();
  for (const row of rows) {
    const entry = families.get(row.family) ?? { right: 0, total: 0 };
    entry.total += 1;
    entry.right += row.wrong.length === 0 ? 1 : 0;
    families.set(row.family, entry);
  }
  return [...families.entries()]
    .map(([family, counts]) => ({ family, ...counts }))
    .sort((a, b) => a.family.localeCompare(b.family));
}

import type { Firmware } from '@hashwatt/schemas';
import { command } from '../protocol/cgminer-rpc.ts';
import {
  readAntminerStats,
  readPools,
  readSummary,
  readVersion,
  runCommands,
  type CommandResults,
} from './cgminer.ts';
import { defineDriver, type DeviceAddress, type ReadContext, type Reading } from './driver.ts';
import { antminerWebAct, readAntminerConf } from './antminer-web.ts';
import { vnishAct, vnishMinerState, vnishState, vnishUnlock } from './vnish-web.ts';
import { defined, first, records, str, type RateField, type Record_ } from './fields.ts';
import { algorithmName, identifyModel, inBaseUnit, unitLabel, type Make, type Prefix } from './models.ts';

/**
 * Antminers on their RPC port: stock bmminer/cgminer, and the firmwares that keep its
 * API (Hiveon, VNish, asicseer, MSKMiner). Stock RPC is read-only; it knows no power.
 */
export const antminer = defineDriver(
  {
    name: 'antminer',
    port: 4028,
    firmware: 'stock',
    make: 'Antminer',
    // Stock RPC grants no writes: control goes through the web, VNish's API where it answers, else the stock CGI.
    act: async (device, order, context) => {
      const web = { host: device.host, port: context.webPort ?? 80 };
      const vnish = await vnishUnlock(web, context);
      if (vnish === undefined) {
        return antminerWebAct(device, order, context);
      }
      return 'token' in vnish
        ? vnishAct(web, vnish.token, order, context)
        : { status: 'failed', message: vnish.refused };
    },
  },
  (device, context) => fetchWithWorkMode(device, context),
  (bodies) => readAntminer(bodies, 'Antminer'),
);

/**
 * A cgminer-style miner read the Antminer way: its model looked up in the table (what
 * it hashes, the unit its `GHS` fields really hold, its nameplate), its maker the one
 * given, else the one its model or banner names.
 */
export function readAntminer(bodies: ReadonlyMap<string, Record_>, knownMake: Make | undefined): Reading {
  const version = readVersion(bodies.get('version') ?? {});
  const summary = readSummary(bodies.get('summary') ?? {});
  const statsType = str(first(bodies.get('stats')?.STATS)?.Type);
  const named = version.type ?? statsType;
  const model = named?.replace(/\s*\(.*\)\s*$/, '').replace(/^Antminer\s+/i, '');
  // Without a model name, the banners: Innosilicon's cgminer names itself `innominer a9-1.1.0`.
  const banners = [
    version.banner,
    ...[...bodies.values()].map((body) => str(first(body.STATUS)?.Description)),
  ];
  const facts = identifyModel(named ?? banners.filter(Boolean).join(' '), knownMake);
  const coin = str(first(bodies.get('coin')?.COIN)?.['Hash Method']);
  // Where the table does not know the model, the firmware's own word on what it hashes.
  const algorithm =
    facts.algorithm === 'unknown' && coin !== undefined ? algorithmName(coin) : facts.algorithm;
  const stats = readAntminerStats(bodies.get('stats') ?? {}, `${facts.cgminerUnit ?? 'G'}H`);
  const rate = inUnit(summary.rate ?? stats.rate, facts.cgminerUnit, algorithm);
  const mode = workMode(bodies.get(WEB_CONF));
  const vnishSaid = str(bodies.get(VNISH_STATUS)?.miner_state);
  return {
    identity: {
      make: facts.make ?? 'unknown',
      firmware: firmwareOf(bodies),
      algorithm,
      ...defined({
        model: model ?? facts.row?.model,
        firmwareVersion: version.firmwareVersion,
        nominalHashrate: facts.nominalHashrate,
        nominalPowerW: facts.nominalPowerW,
      }),
    },
    parts: {
      ...defined({
        hashrate: rate?.hashrate,
        rawHashrate: rate?.raw,
        expectedHashrate: stats.expectedHashrate,
        powerW: stats.powerW,
        powerSource: stats.powerW === undefined ? undefined : ('miner' as const),
        shares: summary.shares,
        uptimeSeconds: summary.uptimeSeconds,
      }),
      boards: stats.boards,
      fans: stats.fans,
      pools: readPools(bodies.get('pools') ?? {}),
      ...(mode && { stateEvidence: `web:get_miner_conf.cgi ${mode.field}=${mode.value}` }),
      ...(mode?.value === SLEEP_MODE && { state: 'sleeping' as const }),
      ...(vnishSaid !== undefined && {
        stateEvidence: `web:/api/v1/status miner_state=${vnishSaid}`,
        ...defined({ state: vnishState(vnishSaid) }),
      }),
    },
    ...(algorithm === 'unknown' && {
      warnings: [
        `model ${named === undefined ? 'not given' : `"${named}" not known`}: algorithm unknown, its hashrate is not counted as Bitcoin's`,
      ],
    }),
  };
}

/**
 * A cgminer rate in the unit the model's firmware really writes there, whatever the
 * key says: MH/s in `GHS 5s` on an L3+, D3 or E3, kSol/s on a Z11, Sol/s in `MHS 5s`
 * on an Innosilicon A9. A model the table gives no unit for is taken at its word.
 */
function inUnit(
  rate: RateField | undefined,
  unit: Prefix | undefined,
  algorithm: string,
): RateField | undefined {
  if (rate === undefined || unit === undefined) {
    return rate;
  }
  return {
    hashrate: inBaseUnit(rate.raw.value, unit),
    raw: { ...rate.raw, unit: unitLabel(unit, algorithm) },
  };
}

/** The firmware the version banner or the stats `Type` names ("… (vnish 3.8.6)"). */
function firmwareOf(bodies: ReadonlyMap<string, Record_>): Firmware {
  const statsType = str(first(bodies.get('stats')?.STATS)?.Type);
  return antminerFirmware(
    `${readVersion(bodies.get('version') ?? {}).banner} ${statsType?.toUpperCase() ?? ''}`,
  );
}

export function antminerFirmware(banner: string): Firmware {
  if (banner.includes('HIVEON')) {
    return 'hiveon';
  }
  if (banner.includes('VNISH')) {
    return 'vnish';
  }
  return 'stock';
}

const ANTMINER_COMMANDS = ['version', 'summary', 'stats', 'pools'];

/** Where the web interface's configuration is kept among the replies. */
const WEB_CONF = 'web:get_miner_conf';
/** Where VNish's `GET /api/v1/status` is kept among the replies. */
const VNISH_STATUS = 'web:/api/v1/status';
/** `bitmain-work-mode` of a miner put to sleep (miner-mode 1) [miner-apis.md B2]. */
const SLEEP_MODE = '1';

/**
 * The work mode get_miner_conf.cgi reports: `bitmain-work-mode`, or `miner-mode` where
 * the firmware echoes the key it was set with; a string on older firmware, a number on
 * newer (pyasic reads either). Empty (a factory configuration) is no mode.
 */
export function workMode(conf: Record_ | undefined): { field: string; value: string } | undefined {
  for (const field of ['bitmain-work-mode', 'miner-mode']) {
    const value = str(conf?.[field]);
    if (value !== undefined && /^\d+$/.test(value)) {
      return { field, value: String(Number(value)) };
    }
  }
  return undefined;
}

/**
 * A stock Antminer that does not hash may be asleep, which only its web interface says
 * (`bitmain-work-mode`); it is asked then, so that a miner put to sleep reads as
 * sleeping, not as a fault. A web interface that does not answer is a warning.
 */
export async function fetchWithWorkMode(
  device: DeviceAddress,
  context: ReadContext,
  commands: readonly string[] = ANTMINER_COMMANDS,
): Promise<CommandResults> {
  const results = await fetchWithNewApi(device, context, commands);
  if ((readSummary(results.bodies.get('summary') ?? {}).rate?.hashrate ?? 0) > 0) {
    return results;
  }
  // VNish keeps its own API on the web port and says there whether it was stopped.
  const vnish = firmwareOf(results.bodies) === 'vnish';
  const source = vnish ? VNISH_STATUS : 'web:get_miner_conf.cgi';
  try {
    const web = { host: device.host, port: context.webPort ?? 80 };
    const said = vnish
      ? await vnishMinerState(web, context).then((state) =>
          state === undefined ? undefined : { miner_state: state },
        )
      : await readAntminerConf(device, context);
    if (said === undefined) {
      return { ...results, warnings: [...results.warnings, `${source}: no VNish API answers`] };
    }
    const bodies = new Map(results.bodies);
    bodies.set(vnish ? VNISH_STATUS : WEB_CONF, said);
    return { ...results, bodies, sources: [...results.sources, source] };
  } catch (error) {
    return { ...results, warnings: [...results.warnings, `${source}: ${(error as Error).message}`] };
  }
}

/**
 * Newer Antminer firmware keeps its boards for `{"command":"stats","new_api":true}`
 * (`STATS[0].chain[]`); when plain `stats` holds no chain, that is asked too.
 */
async function fetchWithNewApi(
  device: DeviceAddress,
  context: ReadContext,
  commands: readonly string[],
): Promise<CommandResults> {
  const results = await runCommands(device, commands, context.limits);
  if (hasChains(results.bodies.get('stats'))) {
    return results;
  }
  try {
    const { body, repairs } = await command(device, 'stats', { extra: { new_api: true } }, context.limits);
    const bodies = new Map(results.bodies);
    bodies.set('stats', body);
    return {
      bodies,
      sources: [...results.sources.filter((source) => source !== 'rpc:stats'), 'rpc:stats new_api'],
      warnings: [...results.warnings, ...repairs.map((repair) => `rpc:stats new_api: ${repair}`)],
    };
  } catch (error) {
    return { ...results, warnings: [...results.warnings, `rpc:stats new_api: ${(error as Error).message}`] };
  }
}

function hasChains(stats: Record_ | undefined): boolean {
  return records(stats?.STATS).some(
    (block) => Array.isArray(block.chain) || Object.keys(block).some((key) => key.startsWith('chain_')),
  );
}

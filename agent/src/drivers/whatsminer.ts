import type { DeviceMessage, Fan, HashBoard } from '@hashwatt/schemas';
import { readDevs, readPools, readSummary, rpcDriver } from './cgminer.ts';
import { whatsminerAct } from './whatsminer-writes.ts';
import { identifyBitcoinModel, nominalOf } from './models.ts';
import {
  count,
  defined,
  first,
  num,
  positive,
  record,
  records,
  scaled,
  str,
  type Record_,
} from './fields.ts';

/**
 * Whatsminer (MicroBT btminer) API v2 on port 4028: cgminer-style `summary`, `devs`
 * and `pools` in MH/s, plus `get_*` commands in a flat envelope. Reads need no token;
 * writes are signed with one (whatsminer-writes.ts).
 */
export const whatsminer = rpcDriver(
  { name: 'whatsminer', port: 4028, firmware: 'whatsminer', make: 'Whatsminer', act: whatsminerAct },
  [
    'summary',
    'devs',
    'edevs',
    'stats',
    'pools',
    'devdetails',
    'get_version',
    'get_miner_info',
    'get_error_code',
    'status',
  ],
  (bodies) => {
    const summaryBody = bodies.get('summary') ?? {};
    const entry = first(summaryBody.SUMMARY) ?? {};
    const summary = readSummary(summaryBody);
    const realtime = num(entry['HS RT']);
    const info = record(bodies.get('get_miner_info')?.Msg);
    const expected = num(entry['Factory GHS']);
    const off = minerOff(bodies.get('status'));
    const reported = num(entry.Power_RT) ?? num(entry.Power);
    // Powered off, the summary keeps the last figures it had while hashing.
    const power = off?.off === true ? undefined : reported;
    const model = str(first(bodies.get('devdetails')?.DEVDETAILS)?.Model);
    const facts = identifyBitcoinModel(model, 'Whatsminer');
    const fans: Fan[] = [entry['Fan Speed In'], entry['Fan Speed Out']]
      .map((rpm, id) => ({ id, rpm: num(rpm) }))
      .filter((fan): fan is { id: number; rpm: number } => fan.rpm !== undefined);
    return {
      identity: {
        make: 'Whatsminer',
        firmware: 'whatsminer',
        algorithm: facts.algorithm,
        ...nominalOf(facts),
        ...defined({
          model,
          firmwareVersion:
            str(record(bodies.get('get_version')?.Msg)?.fw_ver) ??
            str(entry['Firmware Version'])?.replace(/^'|'$/g, ''),
          mac: str(entry.MAC) ?? str(info?.mac),
          hostname: str(info?.hostname),
        }),
      },
      parts: {
        ...(realtime !== undefined
          ? { hashrate: realtime * 1e6, rawHashrate: { value: realtime, unit: 'MH/s', field: 'HS RT' } }
          : defined({ hashrate: summary.rate?.hashrate, rawHashrate: summary.rate?.raw })),
        ...defined({
          expectedHashrate: scaled(expected, 1e9),
          powerW: power,
          powerSource: power === undefined ? undefined : ('miner' as const),
          powerLimitW:
            num(entry['Power Limit']) ?? positive(num(record(bodies.get('status')?.Msg)?.power_limit_set)),
          shares: summary.shares,
          uptimeSeconds: summary.uptimeSeconds,
        }),
        boards: boardsOf(bodies.get('devs'), bodies.get('edevs'), bodies.get('stats')),
        fans,
        pools: readPools(bodies.get('pools') ?? {}),
        messages: errorCodes(entry, bodies.get('get_error_code')),
        ...(off && { stateEvidence: off.evidence }),
        ...(off?.off === true && { state: 'sleeping' as const }),
      },
      ...(off?.off === true &&
        reported !== undefined && {
          warnings: [`rpc:summary: its power (${String(reported)} W) is not counted: ${off.evidence}`],
        }),
    };
  },
);

/**
 * Whether btminer is off, as `status` says: `btmineroff` (API 1.x) or `mineroff`
 * (2.0.5 on) "true" after power_off, with `mineroff_reason` where given.
 */
export function minerOff(status: Record_ | undefined): { off: boolean; evidence: string } | undefined {
  const msg = record(status?.Msg);
  const field = msg?.btmineroff === undefined ? 'mineroff' : 'btmineroff';
  const value = str(msg?.[field]);
  if (value === undefined) {
    return undefined;
  }
  const reason = str(msg?.mineroff_reason);
  return {
    off: value.toLowerCase() === 'true',
    evidence: `rpc:status ${field}=${value}${reason === undefined ? '' : ` (${reason})`}`,
  };
}

/**
 * Whatsminer's error codes: `get_error_code` lists `{code: since}` (API 2.0.4 on; some
 * firmware sends the list as one object), older summaries `Error Code {i}`.
 */
export function errorCodes(summary: Record_, getErrorCode: Record_ | undefined): DeviceMessage[] {
  const listed = records(record(getErrorCode?.Msg)?.error_code).flatMap((entry) =>
    Object.entries(entry).map(([code, since]) => ({ code, since: str(since) })),
  );
  const counted = Array.from({ length: count(summary['Error Code Count']) ?? 0 }, (_, i) => ({
    code: str(summary[`Error Code ${String(i)}`]),
    since: undefined,
  })).filter((entry): entry is { code: string; since: undefined } => entry.code !== undefined);
  const seen = new Set<string>();
  return [...listed, ...counted]
    .filter((entry) => !seen.has(entry.code) && seen.add(entry.code))
    .map((entry) => ({
      code: entry.code,
      severity: 'error' as const,
      message: `Whatsminer error ${entry.code}${entry.since === undefined ? '' : ` since ${entry.since}`}`,
    }));
}

/**
 * Boards from `devs`, else from `edevs` (firmware that refuses `devs`, or lists no
 * board there, answers `edevs` with the same entries); 2019 firmware (cgminer 4.9.2)
 * that has neither keeps one `stats` block per slot (ID "SM0"…): chips, the hottest
 * chip now, the average frequency.
 */
function boardsOf(
  devs: Record_ | undefined,
  edevs: Record_ | undefined,
  stats: Record_ | undefined,
): HashBoard[] {
  for (const body of [devs, edevs]) {
    const boards = readDevs(body ?? {});
    if (boards.length > 0) {
      return boards;
    }
  }
  return records(stats?.STATS)
    .filter((block) => /^SM\d+$/.test(str(block.ID) ?? ''))
    .map((block, position) => ({
      slot: count(block.slot) ?? position,
      ...defined({
        chips: count(block.chip_num),
        chipTempC: positive(num(block.temp_now_max)),
        frequencyMhz: positive(num(block.freqs_avg)),
      }),
    }));
}

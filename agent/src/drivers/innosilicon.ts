import type { HashBoard } from '@hashwatt/schemas';
import { deviceUrl, getJson, HttpDeviceError } from '../protocol/http-json.ts';
import { readPools, readSummary, readVersion, rpcDriver } from './cgminer.ts';
import {
  unsupported,
  type ActionResult,
  type DeviceAddress,
  type DeviceOrder,
  type ReadContext,
} from './driver.ts';
import { count, defined, num, positive, record, records, str, type Record_ } from './fields.ts';
import { identifyModel, inBaseUnit, nominalOf, unitLabel } from './models.ts';

/**
 * Innosilicon (innominer, a cgminer fork) on port 4028: `summary`, `pools`, and one
 * `stats` block per hash chain (`Chain ID`, `Num active chips`, `Temp max`, `PLL`,
 * `MHS av`). The STATUS names the model and version: "innominer a9-1.1.0". Writes go
 * through its web API on port 80: `POST /api/auth` (a form: username, password) gives a
 * JWT for `POST /api/<command>` (pyasic `pyasic/web/innosilicon.py`).
 */
export const innosilicon = rpcDriver(
  { name: 'innosilicon', port: 4028, firmware: 'innosilicon', make: 'Innosilicon', act: innosiliconAct },
  ['version', 'summary', 'stats', 'pools'],
  (bodies) => {
    const summary = readSummary(bodies.get('summary') ?? {});
    const stats = bodies.get('stats') ?? {};
    const banner = [...bodies.values()].map((body) => readVersion(body).banner).join(' ');
    const named = /INNOMINER\s+([A-Z0-9+]+)-V?([\d.]+)/.exec(banner);
    const version = readVersion(bodies.get('version') ?? {});
    const model = version.type ?? named?.[1];
    // The model table knows what it hashes and the unit its cgminer really writes
    // (Sol/s in an A9's `MHS` fields).
    const facts = identifyModel(model ?? banner, 'Innosilicon');
    const rate = summary.rate;
    const unit = facts.cgminerUnit;
    const fanDuty = records(stats.STATS)
      .map((block) => num(block['Fan duty']))
      .find((duty) => duty !== undefined);
    return {
      identity: {
        make: 'Innosilicon',
        firmware: 'innosilicon',
        algorithm: facts.algorithm,
        ...defined({
          model: facts.row?.model ?? model,
          firmwareVersion: named?.[2] ?? version.firmwareVersion,
          ...nominalOf(facts),
        }),
      },
      parts: {
        ...(rate &&
          (unit === undefined
            ? { hashrate: rate.hashrate, rawHashrate: rate.raw }
            : {
                hashrate: inBaseUnit(rate.raw.value, unit),
                rawHashrate: { ...rate.raw, unit: unitLabel(unit, facts.algorithm) },
              })),
        ...defined({ shares: summary.shares, uptimeSeconds: summary.uptimeSeconds }),
        boards: chains(stats),
        fans: fanDuty === undefined || fanDuty > 100 ? [] : [{ id: 0, percent: fanDuty }],
        pools: readPools(bodies.get('pools') ?? {}),
      },
      ...(facts.algorithm === 'unknown' && {
        warnings: [`model ${model ?? 'not given'} not in the model table: algorithm unknown`],
      }),
    };
  },
);

/**
 * One board a chain. Its `MHS av` is left out: on the A9 capture the chains' figures
 * sum to sixty times the summary's, in a unit nothing documents.
 */
function chains(stats: Record_): HashBoard[] {
  return records(stats.STATS)
    .filter((block) => block['Chain ID'] !== undefined)
    .map((block, position) => ({
      slot: count(block['Chain ID']) ?? position,
      ...defined({
        chips: count(block['Num active chips']) ?? count(block['Num chips']),
        chipTempC: positive(num(block['Temp max'])),
        boardTempC: positive(num(block.Temp)),
        frequencyMhz: positive(num(block.PLL)),
      }),
    }));
}

/** The web API's own port: 80 on real miners, the context's where the agent was told another. */
function webAddress(device: DeviceAddress, context: ReadContext): DeviceAddress {
  return { host: device.host, port: context.webPort ?? 80 };
}

async function logIn(web: DeviceAddress, context: ReadContext): Promise<string> {
  const logins = context.credentials?.innosilicon ?? [{ username: 'admin', password: 'admin' }];
  let last = 'no login to try';
  for (const login of logins) {
    try {
      const { body } = await getJson(deviceUrl(web.host, web.port, '/api/auth'), {
        timeoutMs: context.limits.totalTimeoutMs,
        maxBytes: 65_536,
        method: 'POST',
        form: { username: login.username, password: login.password },
      });
      const jwt = str(record(body)?.jwt);
      if (jwt !== undefined) {
        return jwt;
      }
      last = `login as ${login.username} refused: ${webMessage(body) ?? 'no token in the answer'}`;
    } catch (error) {
      last = `login as ${login.username}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  throw new Error(last);
}

function webMessage(body: unknown): string | undefined {
  const reply = record(body);
  return str(reply?.msg) ?? str(reply?.message);
}

/** Reboot, and the pool to switch to as the first of its three; it has no sleep nor power target. */
async function innosiliconAct(
  device: DeviceAddress,
  order: DeviceOrder,
  context: ReadContext,
): Promise<ActionResult> {
  let path: string;
  let fields: Record<string, string> = {};
  if (order.action === 'reboot') {
    path = '/api/reboot';
  } else if (order.action === 'switch-pool') {
    const { poolUrl, poolUser, poolPassword } = order.params;
    if (poolUrl === undefined || poolUser === undefined) {
      return { status: 'failed', message: 'switch-pool needs poolUrl and poolUser' };
    }
    path = '/api/updatePools';
    fields = { Pool1: poolUrl, UserName1: poolUser, Password1: poolPassword ?? 'x' };
  } else {
    return unsupported('Innosilicon', order.action);
  }
  const web = webAddress(device, context);
  try {
    const jwt = await logIn(web, context);
    const { body } = await getJson(deviceUrl(web.host, web.port, path), {
      timeoutMs: context.limits.totalTimeoutMs,
      maxBytes: 65_536,
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}` },
      body: fields,
    });
    return record(body)?.success === true
      ? { status: 'done', message: `POST ${path}: success` }
      : { status: 'failed', message: `POST ${path}: ${webMessage(body) ?? 'the miner did not say success'}` };
  } catch (error) {
    const reason =
      error instanceof HttpDeviceError
        ? error.reason
        : error instanceof Error
          ? error.message
          : String(error);
    return { status: 'failed', message: `POST ${path}: ${reason}` };
  }
}

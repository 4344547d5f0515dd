import type { Fan, HashBoard } from '@hashwatt/schemas';
import { deviceUrl, HttpDeviceError, requestText } from '../protocol/http-json.ts';
import {
  unsupported,
  type ActionResult,
  type DeviceAddress,
  type DeviceOrder,
  type ReadContext,
} from './driver.ts';
import { count, defined, num, positive, record, records, str } from './fields.ts';
import { httpDriver } from './http.ts';
import { algorithmName } from './models.ts';

/**
 * ePIC PowerPlay / umcOS: an HTTP API on port 4028 (not cgminer's socket; OpenAPI
 * `asic-rs:meta/epic/1.30.0/powerplay.json`, pyasic `pyasic/web/epic.py`). `GET
 * /summary`: `Session` (average MH/s, shares, uptime), `HBs[]` (`Hashrate[0]` MH/s,
 * `Temperature`), `Power Supply Stats` `Input Power` (W), `Fans Rpm`, `Stratum`, and
 * `Status` `Operating State`; `GET /capabilities`: the model. Writes are POSTs of
 * `{"param": …, "password": …}` (root's web password, "letmein" by default).
 */
export const epic = httpDriver(
  { name: 'epic', port: 4028, firmware: 'epic', make: 'ePIC', act: epicAct },
  ['/summary', '/capabilities'],
  (bodies) => {
    const summary = record(bodies.get('/summary')) ?? {};
    const capabilities = record(bodies.get('/capabilities')) ?? {};
    const session = record(summary.Session) ?? {};
    const boards = records(summary.HBs).map((board, position): HashBoard => ({
      slot: count(board.Index) ?? position,
      ...defined({
        hashrate: scaledMh(Array.isArray(board.Hashrate) ? (board.Hashrate as unknown[])[0] : board.Hashrate),
        boardTempC: positive(num(board.Temperature)),
        frequencyMhz: positive(num(board['Core Clock Avg'])),
      }),
    }));
    const boardRate = boards.some((board) => board.hashrate !== undefined)
      ? boards.reduce((sum, board) => sum + (board.hashrate ?? 0), 0)
      : undefined;
    const average = num(session['Average MHs']);
    const power = positive(num(record(summary['Power Supply Stats'])?.['Input Power']));
    const operating = str(record(summary.Status)?.['Operating State']);
    const stratum = record(summary.Stratum) ?? {};
    const pool = str(stratum['Current Pool']);
    const model = str(capabilities.Model);
    const algorithm = str(record(summary.Mining)?.Algorithm);
    const accepted = count(session.Accepted);
    const rejected = count(session.Rejected);
    return {
      identity: {
        // ePIC runs on other makers' hardware: "AntMiner S19 XP".
        make:
          model === undefined ? 'ePIC' : (model.split(' ')[0]?.replace(/^antminer$/i, 'Antminer') ?? 'ePIC'),
        firmware: 'epic',
        algorithm: algorithmName(algorithm),
        ...defined({
          model: model?.replace(/^\S+\s+/, ''),
          firmwareVersion: str(summary.Software),
          hostname: str(summary.Hostname),
        }),
      },
      parts: {
        ...(boardRate !== undefined
          ? {
              hashrate: boardRate,
              rawHashrate: { value: boardRate / 1e6, unit: 'MH/s', field: 'HBs[].Hashrate[0]' },
            }
          : defined({
              hashrate: scaledMh(average),
              rawHashrate:
                average === undefined
                  ? undefined
                  : { value: average, unit: 'MH/s', field: 'Session.Average MHs' },
            })),
        ...defined({
          powerW: power,
          powerSource: power === undefined ? undefined : ('miner' as const),
          shares: accepted !== undefined && rejected !== undefined ? { accepted, rejected } : undefined,
          uptimeSeconds: count(session.Uptime),
          state:
            operating !== undefined && /idl|stop|paus|off/i.test(operating)
              ? ('sleeping' as const)
              : undefined,
          stateEvidence: operating === undefined ? undefined : `http:/summary Operating State=${operating}`,
        }),
        boards,
        fans: fans(record(summary['Fans Rpm'])),
        pools:
          pool === undefined
            ? []
            : [
                {
                  index: 0,
                  url: pool,
                  user: str(stratum['Current User']) ?? '',
                  active: true,
                  alive: stratum.IsPoolConnected !== false,
                },
              ],
      },
    };
  },
);

function scaledMh(value: unknown): number | undefined {
  const mh = num(value);
  return mh === undefined ? undefined : mh * 1e6;
}

/** `"Fans Speed 1": 5971` … `"Fans Speed 12": null`: the null ones are not fitted. */
function fans(rpms: Readonly<Record<string, unknown>> | undefined): Fan[] {
  return Object.entries(rpms ?? {})
    .map(([key, value]) => ({ n: num(/(\d+)$/.exec(key)?.[1]), rpm: num(value) }))
    .filter((fan): fan is { n: number; rpm: number } => fan.n !== undefined && fan.rpm !== undefined)
    .sort((a, b) => a.n - b.n)
    .map((fan) => ({ id: fan.n - 1, rpm: fan.rpm }));
}

/** Sleep and wake (`/miner` Stop / Autostart), reboot, and a pool as the only one (`/coin`). */
async function epicAct(
  device: DeviceAddress,
  order: DeviceOrder,
  context: ReadContext,
): Promise<ActionResult> {
  const password = context.credentials?.epic?.[0]?.password ?? 'letmein';
  let path: string;
  let param: unknown;
  switch (order.action) {
    case 'sleep':
      [path, param] = ['/miner', 'Stop'];
      break;
    case 'resume':
      [path, param] = ['/miner', 'Autostart'];
      break;
    case 'reboot':
      [path, param] = ['/reboot', 0];
      break;
    case 'switch-pool': {
      const { poolUrl, poolUser, poolPassword } = order.params;
      if (poolUrl === undefined || poolUser === undefined) {
        return { status: 'failed', message: 'switch-pool needs poolUrl and poolUser' };
      }
      path = '/coin';
      param = {
        coin: 'Btc',
        stratum_configs: [{ pool: poolUrl, login: poolUser, password: poolPassword ?? 'x' }],
        unique_id: false,
      };
      break;
    }
    default:
      // Its PerpetualTune aims at a hashrate in TH/s, not a power in W.
      return unsupported('ePIC', order.action);
  }
  try {
    const reply = await requestText(deviceUrl(device.host, device.port, path), {
      method: 'POST',
      timeoutMs: context.limits.totalTimeoutMs,
      maxBytes: 65_536,
      overflow: 'truncate',
      body: { param, password },
    });
    const answer = record(safeJson(reply.text));
    if (!reply.ok || answer?.result === false) {
      return {
        status: 'failed',
        message:
          `POST ${path}: HTTP ${String(reply.status)} ${str(answer?.error) ?? reply.text.slice(0, 200)}`.trim(),
      };
    }
    return { status: 'done', message: `POST ${path}: HTTP ${String(reply.status)}` };
  } catch (error) {
    return {
      status: 'failed',
      message: `POST ${path}: ${error instanceof HttpDeviceError ? error.reason : String(error)}`,
    };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

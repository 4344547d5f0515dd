import type { IncomingMessage, ServerResponse } from 'node:http';
import { digestGuard, guardedServer } from './digest-auth.ts';
import { MODE_CODES, type DemoRig, type WorkMode } from './demo-rig.ts';
import { listen, type Listening } from './listen.ts';

/**
 * A stock Antminer's web interface for a demo rig, as the firmware answers it: every
 * CGI under HTTP Digest (realm "antMiner Configuration", root/root out of the box);
 * get_miner_conf.cgi with the mode in `bitmain-work-mode`; set_miner_conf.cgi taking
 * `miner-mode` 0 (normal), 1 (sleep) or 3 (low power) and pools, answering M000 or an
 * M001 error; reboot.cgi, after which the rig is off the network for a while.
 * [miner-apis.md B2; pyasic web/antminer.py; the set_miner_conf reply of the same UI family]
 */

export const ANTMINER_REALM = 'antMiner Configuration';

export interface ConfPool {
  readonly url: string;
  readonly user: string;
  readonly pass: string;
}

export interface AntminerWebOptions {
  readonly host?: string;
  readonly port?: number;
  /** Username → password; stock firmware ships root/root. */
  readonly logins?: Readonly<Record<string, string>>;
  readonly system: {
    readonly minertype: string;
    readonly serinum: string;
    readonly hostname: string;
    readonly macaddr: string;
  };
  readonly pools: readonly ConfPool[];
}

export interface RunningAntminerWeb extends Listening {
  /** Every request that passed the login, in order. */
  readonly requests: readonly { readonly method: string; readonly path: string; readonly body: string }[];
}

/** How long after answering reboot.cgi the rig goes down, in ms: its reply reaches the caller first. */
const REBOOT_AFTER_MS = 100;

const MODES_BY_CODE = new Map<string, WorkMode>(
  Object.entries(MODE_CODES).map(([mode, code]) => [code, mode as WorkMode]),
);

const confError = (msg: string) => ({ stats: 'error', code: 'M001', msg });

export async function startAntminerWeb(
  rig: DemoRig,
  options: AntminerWebOptions,
): Promise<RunningAntminerWeb> {
  const guard = digestGuard(ANTMINER_REALM, options.logins ?? { root: 'root' });
  const requests: { method: string; path: string; body: string }[] = [];
  let pools = [...options.pools];
  let rebooting: NodeJS.Timeout | undefined;

  const conf = () => ({
    pools,
    'api-listen': true,
    'api-network': true,
    'api-groups': 'A:stats:pools:devs:summary:version',
    'api-allow': 'A:0/0,W:*',
    'bitmain-fan-ctrl': false,
    'bitmain-fan-pwm': '100',
    'bitmain-use-vil': true,
    'bitmain-freq': '500',
    'bitmain-voltage': '1300',
    'bitmain-ccdelay': '0',
    'bitmain-pwth': '0',
    'bitmain-work-mode': MODE_CODES[rig.mode],
    'bitmain-freq-level': '100',
  });

  /** The reply of set_miner_conf.cgi, having applied what it could. */
  const setConf = (body: string): object => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return confError('Invalid config: the body is not JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return confError('Invalid config: the body is not a JSON object');
    }
    const next = parsed as Record<string, unknown>;
    const modeCode = next['miner-mode'];
    const mode =
      modeCode === undefined
        ? rig.mode
        : typeof modeCode === 'string' || typeof modeCode === 'number'
          ? MODES_BY_CODE.get(String(modeCode))
          : undefined;
    if (mode === undefined) {
      return confError(`Invalid miner-mode ${JSON.stringify(modeCode)}: 0 normal, 1 sleep, 3 low power`);
    }
    let nextPools = pools;
    if (next.pools !== undefined) {
      if (!Array.isArray(next.pools) || !next.pools.every(isPool)) {
        return confError('Invalid pool!');
      }
      nextPools = next.pools.map((pool: ConfPool) => ({ url: pool.url, user: pool.user, pass: pool.pass }));
    }
    pools = nextPools;
    rig.setMode(mode);
    return { stats: 'success', code: 'M000', msg: 'OK!' };
  };

  const answer = (request: IncomingMessage, response: ServerResponse, body: string): void => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const method = request.method ?? 'GET';
    requests.push({ method, path, body });
    const json = (value: object): void => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    if (rig.webFault === 'http-500') {
      response.writeHead(500, { 'content-type': 'text/html' }).end('<h1>500 Internal Server Error</h1>');
      return;
    }
    if (path === '/cgi-bin/get_miner_conf.cgi') {
      json(conf());
    } else if (path === '/cgi-bin/set_miner_conf.cgi' && method === 'POST') {
      json(setConf(body));
    } else if (path === '/cgi-bin/get_system_info.cgi') {
      json({ ...options.system, system_mode: 'GNU/Linux', firmware_type: 'Release' });
    } else if (path === '/cgi-bin/reboot.cgi') {
      // The firmware answers, and goes down a moment later.
      response.once('finish', () => {
        rebooting = setTimeout(() => {
          rig.reboot();
        }, REBOOT_AFTER_MS);
      });
      response.writeHead(200, { 'content-type': 'text/html' }).end();
    } else {
      response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>404 Not Found</h1>');
    }
  };

  const server = guardedServer(guard, answer);
  const listening = await listen(server, options);
  // Off the network while it reboots or while told to refuse; one change at a time.
  let reachability = Promise.resolve();
  const stop = rig.onChange(() => {
    const offline = rig.rebooting || rig.webFault === 'refuse';
    reachability = reachability.then(() => (offline ? listening.goOffline() : listening.comeOnline()));
  });
  return {
    ...listening,
    requests,
    async close() {
      clearTimeout(rebooting);
      stop();
      await reachability;
      await listening.close();
    },
  };
}

function isPool(value: unknown): value is ConfPool {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const pool = value as Record<string, unknown>;
  return typeof pool.url === 'string' && typeof pool.user === 'string' && typeof pool.pass === 'string';
}

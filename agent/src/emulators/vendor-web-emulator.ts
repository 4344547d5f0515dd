import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { digestGuard, guardedServer } from './digest-auth.ts';
import { listen, type Listening } from './listen.ts';

/**
 * The web APIs of Innosilicon, Goldshell, ePIC and Elphapex on a real port, each with
 * the login its firmware asks for, answering reads with the replies given (captures,
 * for the tests) and writes as the firmware does:
 * - Innosilicon: `POST /api/auth` (form username, password) → `{"success":true,"jwt":…}`;
 *   every other `/api/*` wants `Authorization: Bearer <jwt>`, else
 *   `{"success":false,"message":"Unauthorized"}` [pyasic web/innosilicon.py];
 * - Goldshell: `GET /user/login?username=&password=&cipher=false` → `{"JWT Token":…}`,
 *   then `/mcb/*` with the Bearer token; `requireLogin: false` is older firmware that
 *   wants none [pyasic web/goldshell.py];
 * - ePIC: GETs open, POSTs carry `{"param":…,"password":…}` and a wrong password is
 *   `{"result":false,"error":"Unauthorized"}` with HTTP 401 [asic-rs meta/epic powerplay.json];
 * - Elphapex: every CGI under HTTP Digest, realm "Daoge" [miner-apis.md B0];
 * - VNish: `POST /api/v1/unlock {"pw":…}` → `{"token":…}`, then `Authorization: Bearer`;
 *   a wrong password is HTTP 401; `POST /api/v1/settings` is taken and kept [asic-rs vnish web.rs].
 */

export type VendorWeb = 'innosilicon' | 'goldshell' | 'epic' | 'elphapex' | 'vnish';

export interface VendorWebOptions {
  readonly host?: string;
  readonly port?: number;
  /** Username → password the firmware accepts. */
  readonly logins?: Readonly<Record<string, string>>;
  /** Goldshell only: whether `/mcb/*` needs the login (firmware 2.2 on). */
  readonly requireLogin?: boolean;
  /** The body of each read, by path (query included); writes are answered as the firmware does. */
  readonly replies: Readonly<Record<string, string>>;
}

export interface RunningVendorWeb extends Listening {
  /** Every request that passed the login, in order, with its body. */
  readonly requests: readonly { readonly method: string; readonly path: string; readonly body: string }[];
}

const DEFAULT_LOGINS: Readonly<Record<VendorWeb, Readonly<Record<string, string>>>> = {
  innosilicon: { admin: 'admin' },
  goldshell: { admin: '123456789' },
  epic: { root: 'letmein' },
  elphapex: { root: 'root' },
  vnish: { admin: 'admin' },
};

/** What each firmware answers to the writes the agent makes. */
const WRITES: Readonly<Record<VendorWeb, readonly string[]>> = {
  innosilicon: ['/api/reboot', '/api/updatePools', '/api/poweroff'],
  goldshell: ['/mcb/newpool', '/mcb/delpool'],
  epic: ['/miner', '/reboot', '/coin'],
  elphapex: ['/cgi-bin/reboot.cgi', '/cgi-bin/set_miner_conf.cgi'],
  vnish: ['/api/v1/mining/stop', '/api/v1/mining/start', '/api/v1/system/reboot'],
};

export async function startVendorWeb(
  vendor: VendorWeb,
  options: VendorWebOptions,
): Promise<RunningVendorWeb> {
  const logins = options.logins ?? DEFAULT_LOGINS[vendor];
  const tokens = new Set<string>();
  const digest = digestGuard('Daoge', logins);
  const requests: { method: string; path: string; body: string }[] = [];

  const json = (response: ServerResponse, value: unknown, status = 200): void => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  };
  const issue = (): string => {
    const token = randomBytes(16).toString('hex');
    tokens.add(token);
    return token;
  };
  const bearer = (request: IncomingMessage): boolean =>
    tokens.has(/^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '');

  const answer = (request: IncomingMessage, response: ServerResponse, body: string): void => {
    const url = request.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    const method = request.method ?? 'GET';
    if (vendor === 'innosilicon' && path === '/api/auth') {
      const form = new URLSearchParams(body);
      const user = form.get('username') ?? '';
      json(
        response,
        logins[user] !== undefined && logins[user] === form.get('password')
          ? { success: true, jwt: issue() }
          : { success: false, message: 'Invalid username or password' },
      );
      return;
    }
    if (vendor === 'goldshell' && path === '/user/login') {
      const query = new URL(url, 'http://miner').searchParams;
      const user = query.get('username') ?? '';
      if (logins[user] !== undefined && logins[user] === query.get('password')) {
        json(response, { 'JWT Token': issue() });
      } else {
        json(response, { error: 'Invalid username or password' }, 401);
      }
      return;
    }
    if (vendor === 'vnish' && path === '/api/v1/unlock') {
      const password = passwordOf(body, 'pw');
      if (password !== undefined && Object.values(logins).includes(password)) {
        json(response, { token: issue() });
      } else {
        json(response, { error: 'Invalid password' }, 401);
      }
      return;
    }
    if (vendor === 'vnish' && !bearer(request)) {
      json(response, { error: 'Unauthorized' }, 401);
      return;
    }
    if (vendor === 'vnish' && path === '/api/v1/settings' && method === 'POST') {
      requests.push({ method, path, body });
      json(response, { restart_required: false, reboot_required: false });
      return;
    }
    if (vendor === 'innosilicon' && !bearer(request)) {
      json(response, { success: false, message: 'Unauthorized' }, 401);
      return;
    }
    if (vendor === 'goldshell' && options.requireLogin === true && !bearer(request)) {
      json(response, { error: 'Unauthorized' }, 401);
      return;
    }
    if (vendor === 'epic' && method === 'POST') {
      const password = passwordOf(body);
      if (password === undefined || !Object.values(logins).includes(password)) {
        json(response, { result: false, error: 'Unauthorized' }, 401);
        return;
      }
    }
    requests.push({ method, path, body });
    if (WRITES[vendor].includes(path)) {
      json(
        response,
        vendor === 'innosilicon'
          ? { success: true }
          : vendor === 'elphapex'
            ? { stats: 'success', code: 'M000', msg: 'OK!' }
            : vendor === 'epic'
              ? { result: true }
              : {},
      );
      return;
    }
    const reply = options.replies[url] ?? options.replies[path];
    if (reply === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(reply);
  };

  const server = guardedServer(vendor === 'elphapex' ? digest : undefined, answer);
  return { ...(await listen(server, options)), requests };
}

function passwordOf(body: string, field = 'password'): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const password =
      typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)[field] : undefined;
    return typeof password === 'string' ? password : undefined;
  } catch {
    return undefined;
  }
}

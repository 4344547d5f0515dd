import type { IncomingMessage, ServerResponse } from 'node:http';
import { digestGuard, guardedServer } from './digest-auth.ts';
import { bearerTokens, parseObject, sendReply } from './emulated-web.ts';
import { listen, type Listening } from './listen.ts';

/**
 * The web APIs of Innosilicon, ePIC and Elphapex on a real port, each with
 * the login its firmware asks for, answering reads with the replies given (captures,
 * for the tests) and writes as the firmware does:
 * - Innosilicon: `POST /api/auth` (form username, password) → `{"success":true,"jwt":…}`;
 *   every other `/api/*` wants `Authorization: Bearer <jwt>`, else
 *   `{"success":false,"message":"Unauthorized"}` [pyasic web/innosilicon.py];
 * - ePIC: GETs open, POSTs carry `{"param":…,"password":…}` and a wrong password is
 *   `{"result":false,"error":"Unauthorized"}` with HTTP 401 [asic-rs meta/epic powerplay.json];
 * - Elphapex: every CGI under HTTP Digest, realm "Daoge" [miner-apis.md B0].
 * Goldshell and VNish, whose writes change what they read, have emulators of their own
 * (goldshell-web-emulator.ts, vnish-web-emulator.ts).
 */

export type VendorWeb = 'innosilicon' | 'epic' | 'elphapex';

export interface VendorWebOptions {
  readonly host?: string;
  readonly port?: number;
  /** Username → password the firmware accepts. */
  readonly logins?: Readonly<Record<string, string>>;
  /** The body of each read, by path (query included); writes are answered as the firmware does. */
  readonly replies: Readonly<Record<string, string>>;
}

export interface RunningVendorWeb extends Listening {
  /** Every request that passed the login, in order, with its body. */
  readonly requests: readonly { readonly method: string; readonly path: string; readonly body: string }[];
}

const DEFAULT_LOGINS: Readonly<Record<VendorWeb, Readonly<Record<string, string>>>> = {
  innosilicon: { admin: 'admin' },
  epic: { root: 'letmein' },
  elphapex: { root: 'root' },
};

/** What each firmware answers to the writes the agent makes. */
const WRITES: Readonly<Record<VendorWeb, readonly string[]>> = {
  innosilicon: ['/api/reboot', '/api/updatePools', '/api/poweroff'],
  epic: ['/miner', '/reboot', '/coin'],
  elphapex: ['/cgi-bin/reboot.cgi', '/cgi-bin/set_miner_conf.cgi'],
};

export async function startVendorWeb(
  vendor: VendorWeb,
  options: VendorWebOptions,
): Promise<RunningVendorWeb> {
  const logins = options.logins ?? DEFAULT_LOGINS[vendor];
  const tokens = bearerTokens();
  const digest = digestGuard('Daoge', logins);
  const requests: { method: string; path: string; body: string }[] = [];

  const json = (response: ServerResponse, value: unknown, status = 200): void => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  };

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
          ? { success: true, jwt: tokens.issue() }
          : { success: false, message: 'Invalid username or password' },
      );
      return;
    }
    if (vendor === 'innosilicon' && !tokens.carried(request)) {
      json(response, { success: false, message: 'Unauthorized' }, 401);
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
            : { result: true },
      );
      return;
    }
    sendReply(response, options.replies[url] ?? options.replies[path]);
  };

  const server = guardedServer(vendor === 'elphapex' ? digest : undefined, answer);
  return { ...(await listen(server, options)), requests };
}

function passwordOf(body: string): string | undefined {
  const password = parseObject(body)?.password;
  return typeof password === 'string' ? password : undefined;
}

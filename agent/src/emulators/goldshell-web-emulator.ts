import type { IncomingMessage, ServerResponse } from 'node:http';
import { guardedServer } from './digest-auth.ts';
import { listen, type Listening } from './listen.ts';
import {
  answerFault,
  bearerTokens,
  parseObject,
  sendJson,
  sendReply,
  type WebFaults,
} from './emulated-web.ts';

/**
 * Goldshell's web API on a real port, keeping the state its writes change (calls as
 * UpstreamData/pyasic `pyasic/web/goldshell.py` and Goldshell's own web interface make
 * them; the shapes of foreman-apps' captured `/mcb/pools` and `/mcb/setting`):
 * - `GET /user/login?username=&password=&cipher=false` → `{"JWT Token"}`, else 401;
 *   `/mcb/*` wants `Authorization: Bearer <jwt>`: every write, and the reads too where
 *   `requireLogin` (firmware 2.2 on);
 * - `GET /mcb/pools`: the pools as they stand, each with `url`, `user`, `pass`, `legal`,
 *   `active` (the first), `dragid` and `pool-priority` (its place);
 * - `PUT /mcb/newpool {url,user,pass}` appends one, `PUT /mcb/delpool {url,user,pass,dragid}`
 *   deletes the one at `dragid` with that url and renumbers; both answer the list; a
 *   body without them 400;
 * - `GET /mcb/setting`, `PUT /mcb/setting`: the setting whole, `select` an index of its
 *   `powerplans` (else 400);
 * - `PUT /mcb/restart` → `{}`; other reads answer with the replies given.
 */

export interface GoldshellWebOptions {
  readonly host?: string;
  readonly port?: number;
  /** Username → password the firmware accepts (admin / 123456789 out of the box). */
  readonly logins?: Readonly<Record<string, string>>;
  /** Whether reads need the login too (firmware 2.2 on). */
  readonly requireLogin?: boolean;
  /** `GET /mcb/pools` as the miner starts (a capture's list). */
  readonly pools: readonly Readonly<Record<string, unknown>>[];
  /** `GET /mcb/setting` as the miner starts. */
  readonly setting: Readonly<Record<string, unknown>>;
  /** The body of every other read, by path (query included). */
  readonly replies: Readonly<Record<string, string>>;
}

export interface RunningGoldshellWeb extends Listening {
  /** Every request that passed the login, in order, with its body. */
  readonly requests: readonly { readonly method: string; readonly path: string; readonly body: string }[];
  /** Misbehaviour by call (`PUT /mcb/newpool`); empty unless a test sets one. */
  readonly faults: WebFaults;
  readonly pools: () => readonly Readonly<Record<string, unknown>>[];
  readonly setting: () => Readonly<Record<string, unknown>>;
}

type Pool = Record<string, unknown>;

export async function startGoldshellWeb(options: GoldshellWebOptions): Promise<RunningGoldshellWeb> {
  const logins = options.logins ?? { admin: '123456789' };
  const tokens = bearerTokens();
  const requests: { method: string; path: string; body: string }[] = [];
  const faults: WebFaults = new Map();
  let pools: Pool[] = options.pools.map((pool) => ({ ...pool }));
  let setting: Record<string, unknown> = structuredClone(options.setting);

  const numbered = (list: Pool[]): Pool[] =>
    list.map((pool, index) => ({ ...pool, active: index === 0, dragid: index, 'pool-priority': index }));

  const answer = (request: IncomingMessage, response: ServerResponse, body: string): void => {
    const url = request.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    const method = request.method ?? 'GET';
    const call = `${method} ${path}`;
    if (call === 'GET /user/login') {
      const query = new URL(url, 'http://miner').searchParams;
      const user = query.get('username') ?? '';
      const right = logins[user] !== undefined && logins[user] === query.get('password');
      sendJson(
        response,
        right ? 200 : 401,
        right ? { 'JWT Token': tokens.issue() } : { error: 'Invalid username or password' },
      );
      return;
    }
    if (!tokens.carried(request) && (method !== 'GET' || options.requireLogin === true)) {
      sendJson(response, 401, { error: 'Unauthorized' });
      return;
    }
    requests.push({ method, path, body });
    if (answerFault(faults, call, response)) {
      return;
    }
    const applied = faults.get(call) !== 'ignored';
    const given = parseObject(body);
    switch (call) {
      case 'GET /mcb/pools':
        sendJson(response, 200, pools);
        return;
      case 'GET /mcb/setting':
        sendJson(response, 200, setting);
        return;
      case 'PUT /mcb/newpool':
      case 'PUT /mcb/delpool': {
        const next = call.endsWith('newpool') ? added(pools, given) : deleted(pools, given);
        if (next === undefined) {
          sendJson(response, 400, { error: 'invalid pool' });
          return;
        }
        pools = applied ? numbered(next) : pools;
        sendJson(response, 200, pools);
        return;
      }
      case 'PUT /mcb/setting': {
        const plans = Array.isArray(setting.powerplans) ? setting.powerplans.length : 0;
        const select = given?.select;
        if (given === undefined || typeof select !== 'number' || select < 0 || select >= plans) {
          sendJson(response, 400, { error: 'invalid setting' });
          return;
        }
        setting = applied ? given : setting;
        sendJson(response, 200, setting);
        return;
      }
      case 'PUT /mcb/restart':
        sendJson(response, 200, {});
        return;
    }
    sendReply(response, options.replies[url] ?? options.replies[path]);
  };
  const server = guardedServer(undefined, answer);
  return {
    ...(await listen(server, options)),
    requests,
    faults,
    pools: () => pools,
    setting: () => setting,
  };
}

const isPool = (given: Pool | undefined): given is Pool =>
  given !== undefined && typeof given.url === 'string' && typeof given.user === 'string';

function added(pools: readonly Pool[], given: Pool | undefined): Pool[] | undefined {
  return isPool(given)
    ? [
        ...pools,
        {
          url: given.url,
          legal: true,
          user: given.user,
          pass: typeof given.pass === 'string' ? given.pass : '',
        },
      ]
    : undefined;
}

function deleted(pools: readonly Pool[], given: Pool | undefined): Pool[] | undefined {
  if (!isPool(given) || typeof given.dragid !== 'number' || pools[given.dragid]?.url !== given.url) {
    return undefined;
  }
  return pools.filter((_, index) => index !== given.dragid);
}

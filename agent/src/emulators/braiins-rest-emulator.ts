import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { listen, type Listening } from './listen.ts';

/**
 * Braiins OS's public REST API (25.07 on) on a real port, as the firmware answers it
 * ("Braiins OS Public REST API" 1.7.0, the OpenAPI document the miner serves at
 * `/api/v1/docs/openapi.json`, mirrored in api-evangelist/braiins-academy
 * openapi/_original/braiins-academy-braiins-os-public-rest-api-openapi.json at 97993f63):
 * - `POST /api/v1/auth/login {"username","password"}` → `{"token","timeout_s"}`; every other
 *   call wants the token as the whole `Authorization` header, else 401;
 * - reads answer with the replies given (captures); `GET /api/v1/pools/` with the pool
 *   groups as they stand, starting from the capture and changed by the writes;
 * - `PUT /api/v1/pools/batch` (setBatchPools) takes a list of PoolGroupConfiguration
 *   (`name`, `pools[]` of `url`, `user`, optional `password`, `enabled`, the load-balance
 *   strategy) that replaces every group, and answers 200 with them as configured, uids
 *   given; a body outside the schema 400, an empty name the 400 BOS+ sent in
 *   256foundation/asic-rs PR #331's capture, and 412 "BOSminer is not
 *   running" when `bosminerRunning` is false (the same capture);
 * - the other PUTs (actions, power target, cooling) 200 `{}`.
 */

export interface BraiinsRestOptions {
  readonly host?: string;
  readonly port?: number;
  /** Username → password the firmware accepts (root with no password by default). */
  readonly logins?: Readonly<Record<string, string>>;
  /** A GET's body by its path under `/api/v1/` (without the trailing slash). */
  readonly replies: (path: string) => string | undefined;
  /** false: bosminer is stopped, and configuration writes are refused with 412. */
  readonly bosminerRunning?: boolean;
}

export interface RunningBraiinsRest extends Listening {
  /** Every authorised request, in order, with its body. */
  readonly requests: readonly { readonly method: string; readonly path: string; readonly body: string }[];
}

/** A pool group as `GET /pools/` gives it: the capture's, until a write replaces it. */
type PoolGroup = Record<string, unknown>;

const uid = (): string => randomBytes(12).toString('base64url').slice(0, 16);

export async function startBraiinsRest(options: BraiinsRestOptions): Promise<RunningBraiinsRest> {
  const logins = options.logins ?? { root: '' };
  const token = randomBytes(12).toString('base64url');
  const requests: { method: string; path: string; body: string }[] = [];
  const groups = capturedGroups(options.replies('pools'));

  const send = (response: ServerResponse, status: number, body: string, type = 'application/json'): void => {
    response.writeHead(status, { 'content-type': type }).end(body);
  };

  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      const method = request.method ?? 'GET';
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      const route = path.replace(/^\/api\/v1\//, '').replace(/\/$/, '');
      if (method === 'POST' && route === 'auth/login') {
        const login = parseObject(body);
        const user = typeof login?.username === 'string' ? login.username : '';
        if (logins[user] !== undefined && logins[user] === login?.password) {
          send(response, 200, JSON.stringify({ token, timeout_s: 3600 }));
        } else {
          send(response, 401, '{"message":"Unauthorized"}');
        }
        return;
      }
      if (request.headers.authorization !== token) {
        send(response, 401, '{"message":"Unauthorized"}');
        return;
      }
      requests.push({ method, path, body });
      if (method === 'PUT' && route === 'pools/batch') {
        const answer = setGroups(groups, body, options.bosminerRunning ?? true);
        send(response, answer.status, answer.body, answer.status === 200 ? 'application/json' : 'text/plain');
        return;
      }
      if (method === 'PUT') {
        send(response, 200, '{}');
        return;
      }
      const reply = route === 'pools' ? JSON.stringify(groups) : options.replies(route);
      if (reply === undefined) {
        send(response, 404, 'not found', 'text/plain');
        return;
      }
      send(response, 200, reply);
    });
  });
  return { ...(await listen(server, options)), requests };
}

/** The pool groups of a captured `GET /pools/` reply, served as captured until written. */
function capturedGroups(reply: string | undefined): PoolGroup[] {
  const parsed: unknown = reply === undefined ? [] : JSON.parse(reply);
  return Array.isArray(parsed) ? (parsed as PoolGroup[]) : [];
}

/** `PUT /pools/batch`: every group replaced by those given, or nothing changed and why. */
function setGroups(
  groups: PoolGroup[],
  body: string,
  bosminerRunning: boolean,
): { status: number; body: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { status: 400, body: 'invalid JSON body' };
  }
  if (!Array.isArray(parsed)) {
    return { status: 400, body: 'invalid body: a list of PoolGroupConfiguration expected' };
  }
  const configured: PoolGroup[] = [];
  for (const [index, item] of (parsed as unknown[]).entries()) {
    const config = typeof item === 'object' && item !== null ? (item as PoolGroup) : {};
    const listed = Array.isArray(config.pools) ? (config.pools as unknown[]) : undefined;
    if (typeof config.name !== 'string' || listed === undefined) {
      return {
        status: 400,
        body: `invalid PoolGroupConfiguration [${String(index)}]: name and pools are required`,
      };
    }
    if (config.name.length === 0) {
      return { status: 400, body: "group name '' length (0) is out-of-range (min: Some(1), max: None)" };
    }
    const entries = listed.map((pool) =>
      typeof pool === 'object' && pool !== null ? (pool as PoolGroup) : {},
    );
    const bad = entries.findIndex((pool) => typeof pool.url !== 'string' || typeof pool.user !== 'string');
    if (bad >= 0) {
      return {
        status: 400,
        body: `invalid PoolGroupConfiguration [${String(index)}]: pools[${String(bad)}] needs url and user`,
      };
    }
    configured.push({
      uid: uid(),
      name: config.name,
      pools: entries.map((pool) => ({
        uid: uid(),
        url: String(pool.url),
        user: String(pool.user),
        enabled: pool.enabled !== false,
      })),
      ...(config.load_balance_strategy !== undefined && {
        load_balance_strategy: config.load_balance_strategy,
      }),
    });
  }
  if (!bosminerRunning) {
    return { status: 412, body: 'BOSminer is not running' };
  }
  // As read back: until bosminer has connected, no pool is alive or active, none has shares.
  groups.splice(
    0,
    groups.length,
    ...configured.map(({ load_balance_strategy: strategy, pools, ...group }) => ({
      ...group,
      pools: (pools as PoolGroup[]).map((pool) => ({ ...pool, alive: false, active: false, stats: null })),
      ...(strategy !== undefined && { strategy }),
    })),
  );
  return { status: 200, body: JSON.stringify(configured) };
}

function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

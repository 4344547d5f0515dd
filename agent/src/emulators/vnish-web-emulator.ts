import type { IncomingMessage, ServerResponse } from 'node:http';
import { guardedServer } from './digest-auth.ts';
import { listen, type Listening } from './listen.ts';
import {
  answerFault,
  asObject,
  bearerTokens,
  parseObject,
  sendJson,
  type WebFaults,
} from './emulated-web.ts';

/**
 * VNish's web API (`/api/v1`, the OpenAPI "xminer-api" the firmware serves; its calls as
 * the public "VNish API Documentation" for VNish 1.2.6 on an S19 shows them) on a real
 * port, keeping the state its writes change:
 * - `POST /unlock {"pw"}` → `{"token"}`, a wrong password 403 (the OpenAPI's "Wrong
 *   password"); every other call wants `Authorization: Bearer <token>`, else 401;
 * - `GET /settings`: the settings as they stand (`miner.pools[]` of `url`, `user`, `pass`
 *   as pyasic `config/pools.py` reads them; `miner.cooling.mode` `{"name","param"}` as
 *   pyasic `config/fans.py`; `miner.overclock.preset` as asic-rs vnish v1_2_0);
 * - `POST /settings {"miner":{…}}`: each of `pools`, `cooling`, `overclock` given replaces
 *   the one kept, answered `{"restart_required","reboot_required"}` (SaveConfigResult); a
 *   body outside that shape 400 `{"err"}` (ErrDescr);
 * - `GET /status`: `miner_state`, moved by `POST /mining/stop` (stopped), `/mining/start`
 *   and `/mining/restart` (starting); `POST /system/reboot` → `{"after":3}` (RebootAfter);
 * - `GET /autotune/presets`, `/summary`: as given.
 */

export interface VnishWebOptions {
  readonly host?: string;
  readonly port?: number;
  /** The web password (admin out of the box). */
  readonly password?: string;
  /** `GET /settings` as the miner starts. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** `GET /autotune/presets`. */
  readonly presets: readonly unknown[];
  readonly minerState?: string;
  /** What a settings write answers it needs to take effect (false, false unless told). */
  readonly restartRequired?: boolean;
}

export interface RunningVnishWeb extends Listening {
  /** Every request that passed the unlock, in order, with its body. */
  readonly requests: readonly { readonly method: string; readonly path: string; readonly body: string }[];
  /** Misbehaviour by call (`POST /api/v1/settings`); empty unless a test sets one. */
  readonly faults: WebFaults;
  readonly settings: () => Readonly<Record<string, unknown>>;
  readonly minerState: () => string;
}

const MINER_KEYS = ['pools', 'cooling', 'overclock'] as const;

export async function startVnishWeb(options: VnishWebOptions): Promise<RunningVnishWeb> {
  const password = options.password ?? 'admin';
  const tokens = bearerTokens();
  const requests: { method: string; path: string; body: string }[] = [];
  const faults: WebFaults = new Map();
  let settings = structuredClone(options.settings) as Record<string, unknown>;
  let minerState = options.minerState ?? 'mining';

  const answer = (request: IncomingMessage, response: ServerResponse, body: string): void => {
    const method = request.method ?? 'GET';
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const call = `${method} ${path}`;
    if (call === 'POST /api/v1/unlock') {
      if (!answerFault(faults, call, response)) {
        const right = parseObject(body)?.pw === password;
        sendJson(response, right ? 200 : 403, right ? { token: tokens.issue() } : { unlock_timeout: 0 });
      }
      return;
    }
    if (!tokens.carried(request)) {
      sendJson(response, 401, { err: 'Unauthorized' });
      return;
    }
    requests.push({ method, path, body });
    if (answerFault(faults, call, response)) {
      return;
    }
    const applied = faults.get(call) !== 'ignored';
    switch (call) {
      case 'GET /api/v1/settings':
        sendJson(response, 200, settings);
        return;
      case 'GET /api/v1/status':
        sendJson(response, 200, { miner_state: minerState, miner_state_time: 0, unlocked: true });
        return;
      case 'GET /api/v1/autotune/presets':
        sendJson(response, 200, options.presets);
        return;
      case 'POST /api/v1/settings': {
        const saved = saveSettings(settings, body);
        if ('err' in saved) {
          sendJson(response, 400, saved);
          return;
        }
        settings = applied ? saved.settings : settings;
        const required = options.restartRequired ?? false;
        sendJson(response, 200, { restart_required: required, reboot_required: false });
        return;
      }
      case 'POST /api/v1/mining/stop':
      case 'POST /api/v1/mining/start':
      case 'POST /api/v1/mining/restart':
        minerState = applied ? (call.endsWith('stop') ? 'stopped' : 'starting') : minerState;
        response.writeHead(200).end();
        return;
      case 'POST /api/v1/system/reboot':
        sendJson(response, 200, { after: 3 });
        return;
      default:
        sendJson(response, 404, { err: 'Not found' });
    }
  };
  const server = guardedServer(undefined, answer);
  return {
    ...(await listen(server, options)),
    requests,
    faults,
    settings: () => settings,
    minerState: () => minerState,
  };
}

/** The settings after a write, or the firmware's refusal of a body it cannot take. */
function saveSettings(
  settings: Readonly<Record<string, unknown>>,
  body: string,
): { settings: Record<string, unknown> } | { err: string } {
  const miner = asObject(parseObject(body)?.miner);
  if (miner === undefined) {
    return { err: 'Failed to parse settings: "miner" must be an object' };
  }
  const pools = miner.pools;
  if (
    pools !== undefined &&
    !(
      Array.isArray(pools) &&
      pools.every((pool) => ['url', 'user', 'pass'].every((key) => typeof asObject(pool)?.[key] === 'string'))
    )
  ) {
    return { err: 'Failed to parse settings: every pool needs url, user and pass' };
  }
  const mode = asObject(asObject(miner.cooling)?.mode);
  if (
    miner.cooling !== undefined &&
    !(
      ['auto', 'immers'].includes(String(mode?.name)) ||
      (mode?.name === 'manual' && typeof mode.param === 'number')
    )
  ) {
    return { err: 'Failed to parse settings: cooling mode must be auto, immers, or manual with its param' };
  }
  const kept = asObject(settings.miner) ?? {};
  const changed = Object.fromEntries(
    MINER_KEYS.filter((key) => miner[key] !== undefined).map((key) => [key, miner[key]]),
  );
  return { settings: { ...settings, miner: { ...kept, ...changed } } };
}

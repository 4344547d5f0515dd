import { canonicalReply } from './cgminer-envelope.ts';
import { parseDeviceJson } from './repair.ts';
import { DEFAULT_RPC_LIMITS, RpcError, type RpcLimits, type RpcTarget } from './rpc-error.ts';
import { exchangeOnce } from './socket-exchange.ts';

/**
 * The cgminer-style API on TCP 4028 that most ASIC firmware speaks: one JSON command
 * per connection, one reply, then the miner closes the socket (cgminer adds a NUL).
 * Every call is bounded by a connect deadline, a total deadline and a size limit, so
 * a device that accepts TCP and never answers cannot hold the agent.
 */

/** Sends `request` and returns the raw reply, everything the device wrote before it closed. */
export function exchange(
  target: RpcTarget,
  request: string,
  limits: RpcLimits = DEFAULT_RPC_LIMITS,
): Promise<string> {
  return exchangeOnce(target, limits, {
    request: Buffer.from(request, 'utf8'),
    halfClose: true,
    // cgminer ends its reply with a NUL; some firmware then keeps the socket open.
    complete: (received, ended) =>
      received.at(-1) === 0 || (ended && received.length > 0)
        ? { value: received.toString('utf8') }
        : undefined,
  });
}

export interface RpcReply {
  /** The reply parsed and repaired. */
  readonly body: Record<string, unknown>;
  readonly repairs: readonly string[];
}

/**
 * Runs one command, e.g. `stats`, or `summary+pools` where the firmware allows it. A
 * STATUS of E or F (an unknown command, access denied) is an RpcError.
 */
export async function command(
  target: RpcTarget,
  name: string,
  options: {
    readonly parameter?: string;
    readonly extra?: Record<string, unknown>;
    readonly newline?: boolean;
  } = {},
  limits: RpcLimits = DEFAULT_RPC_LIMITS,
): Promise<RpcReply> {
  const request = JSON.stringify({
    command: name,
    ...(options.parameter !== undefined && { parameter: options.parameter }),
    ...options.extra,
  });
  const raw = await exchange(target, options.newline === true ? `${request}\n` : request, limits);
  let parsed;
  try {
    parsed = parseDeviceJson(raw);
  } catch (error) {
    throw new RpcError('json', `${target.host}:${String(target.port)} ${name}: ${(error as Error).message}`);
  }
  if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
    throw new RpcError(
      'json',
      `${target.host}:${String(target.port)} ${name}: the reply is not a JSON object`,
    );
  }
  const body = canonicalReply(parsed.value as Record<string, unknown>, name);
  const failed = statusFailure(body);
  if (failed !== undefined) {
    throw new RpcError('command', `${target.host}:${String(target.port)} ${name}: ${failed}`);
  }
  return { body, repairs: parsed.repairs };
}

/** The message of a failed STATUS, in either envelope (cgminer's array, Whatsminer's flat string). */
export function statusFailure(body: Record<string, unknown>): string | undefined {
  const status = body.STATUS;
  const entry: unknown = Array.isArray(status) ? status[0] : status === undefined ? undefined : body;
  if (typeof entry !== 'object' || entry === null) {
    return undefined;
  }
  const record = entry as Record<string, unknown>;
  const code = typeof record.STATUS === 'string' ? record.STATUS : undefined;
  if (code === 'E' || code === 'F') {
    return typeof record.Msg === 'string' ? record.Msg : `status ${code}`;
  }
  return undefined;
}

import { causeOf, deviceUrl, HttpDeviceError, requestText, type HttpText } from '../protocol/http-json.ts';
import { parseDeviceJson } from '../protocol/repair.ts';
import type { DeviceAddress } from './driver.ts';

/**
 * One call to a firmware's web API whose answer is JSON or nothing (VNish, Goldshell),
 * for the writes and the reads that check them. A reply over WEB_REPLY_BYTES is refused
 * as it streams, past the deadline it is cut; a refusal (a 4xx or 5xx, or the
 * firmware's own error field) names the call, the status and the firmware's words. A
 * read whose answer is not JSON is refused; a write's answer need not be JSON (VNish
 * answers most with nothing), since what it did is read back.
 */

/** Far over any settings, pool list or preset list these firmwares send. */
const WEB_REPLY_BYTES = 1 << 20;

export interface WebCall {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** The path, query included. */
  readonly path: string;
  readonly body?: unknown;
}

export interface WebCallOptions {
  /** Names the firmware in every error: "VNish", "Goldshell". */
  readonly firmware: string;
  readonly timeoutMs: number;
  readonly headers?: Record<string, string>;
  /** The firmware's own error in an answer, whatever its status ({"err": …} on VNish). */
  readonly refusal?: (reply: unknown) => string | undefined;
}

export async function webJson(
  device: DeviceAddress,
  call: WebCall,
  options: WebCallOptions,
): Promise<unknown> {
  const where = `${options.firmware} ${call.method} ${call.path}`;
  let reply: HttpText;
  try {
    reply = await requestText(deviceUrl(device.host, device.port, call.path), {
      method: call.method,
      timeoutMs: options.timeoutMs,
      maxBytes: WEB_REPLY_BYTES,
      ...(options.headers && { headers: options.headers }),
      ...(call.body !== undefined && { body: call.body }),
    });
  } catch (error) {
    throw new Error(`${where}: ${error instanceof HttpDeviceError ? error.reason : causeOf(error)}`, {
      cause: error,
    });
  }
  const text = reply.text.trim();
  let parsed: unknown;
  let garbled = false;
  if (text !== '') {
    try {
      parsed = parseDeviceJson(text).value;
    } catch {
      garbled = true;
    }
  }
  const refused = options.refusal?.(parsed);
  if (!reply.ok || refused !== undefined) {
    throw new Error(`${where}: HTTP ${String(reply.status)} ${refused ?? text.slice(0, 200)}`.trim());
  }
  if (garbled && call.method === 'GET') {
    throw new Error(`${where}: the reply is not JSON (${JSON.stringify(text.slice(0, 60))})`);
  }
  return parsed;
}

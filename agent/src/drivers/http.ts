import { causeOf, deviceUrl, getJson, HttpDeviceError, requestText } from '../protocol/http-json.ts';
import {
  defineDriver,
  type ActionResult,
  type DeviceAddress,
  type DriverName,
  type MinerDriver,
  type ReadContext,
  type Reading,
} from './driver.ts';

export interface HttpResults {
  /** Each path's reply: an object, or an array (XMRig's backends). */
  readonly bodies: ReadonlyMap<string, unknown>;
  readonly sources: string[];
  readonly warnings: string[];
}

/** GETs each path at once; a path that fails is a warning, all failing is the device unreachable. */
export async function getPaths(
  device: DeviceAddress,
  paths: readonly string[],
  context: ReadContext,
  headers?: Record<string, string>,
): Promise<HttpResults> {
  const settled = await Promise.allSettled(
    paths.map((path) =>
      getJson(deviceUrl(device.host, device.port, path), {
        timeoutMs: context.limits.totalTimeoutMs,
        maxBytes: context.limits.maxBytes,
        ...(headers && { headers }),
      }),
    ),
  );
  const bodies = new Map<string, unknown>();
  const sources: string[] = [];
  const warnings: string[] = [];
  settled.forEach((result, i) => {
    const path = paths[i] ?? '';
    const body = result.status === 'fulfilled' ? result.value.body : undefined;
    if (result.status === 'fulfilled' && typeof body === 'object' && body !== null) {
      bodies.set(path, body);
      sources.push(`http:${path}`);
      warnings.push(...result.value.repairs.map((repair) => `http:${path}: ${repair}`));
    } else {
      warnings.push(
        `http:${path}: ${result.status === 'rejected' ? (result.reason as Error).message : 'the reply is neither a JSON object nor an array'}`,
      );
    }
  });
  if (bodies.size === 0) {
    throw new Error(warnings.join('; '));
  }
  return { bodies, sources, warnings };
}

/** A driver for a firmware's HTTP API: its paths, and how to read their replies. */
export function httpDriver(
  meta: DriverName,
  paths: readonly string[],
  build: (bodies: ReadonlyMap<string, unknown>, context: ReadContext) => Reading,
): MinerDriver {
  return defineDriver(meta, (device, context) => getPaths(device, paths, context), build);
}

/** A write over a firmware's HTTP API: a POST whose 2xx answer means done. */
export async function httpAct(
  device: DeviceAddress,
  path: string,
  context: ReadContext,
  body?: unknown,
  options: { readonly method?: 'POST' | 'PUT'; readonly headers?: Record<string, string> } = {},
): Promise<ActionResult> {
  const url = deviceUrl(device.host, device.port, path);
  const method = options.method ?? 'POST';
  try {
    const response = await requestText(url, {
      method,
      timeoutMs: context.limits.totalTimeoutMs,
      // Only the start of the answer is kept, for the message.
      maxBytes: 300,
      overflow: 'truncate',
      ...(options.headers && { headers: options.headers }),
      ...(body !== undefined && { body }),
    });
    return response.ok
      ? { status: 'done', message: `${method} ${path}: HTTP ${String(response.status)}` }
      : {
          status: 'failed',
          message: `${method} ${path}: HTTP ${String(response.status)} ${response.text}`.trim(),
        };
  } catch (error) {
    const reason = error instanceof HttpDeviceError ? error.reason : causeOf(error);
    return { status: 'failed', message: `${method} ${path}: ${reason}` };
  }
}

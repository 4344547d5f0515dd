import { parseDeviceJson } from './repair.ts';

/**
 * GET a miner's JSON over HTTP (AxeOS, GPU miners): bounded in time and size, and
 * repaired like any device reply.
 */

/** A device's URL: http, its host (an IPv6 address in brackets), its port, the path. */
export function deviceUrl(host: string, port: number, path: string): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${String(port)}${path}`;
}

export class HttpDeviceError extends Error {
  constructor(
    readonly url: string,
    readonly status: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'HttpDeviceError';
  }
}

export interface HttpReply {
  readonly body: unknown;
  readonly repairs: readonly string[];
}

export async function getJson(
  url: string,
  options: {
    readonly timeoutMs: number;
    readonly maxBytes?: number;
    readonly headers?: Record<string, string>;
    /** POST `body` as JSON instead of a GET (a login). */
    readonly method?: 'GET' | 'POST';
    readonly body?: unknown;
  },
): Promise<HttpReply> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: {
        ...options.headers,
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
  } catch (error) {
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${String(options.timeoutMs)} ms`
        : causeOf(error);
    throw new HttpDeviceError(url, undefined, `${url}: ${reason}`);
  }
  const text = await readLimited(response, options.maxBytes ?? 4 << 20, url);
  if (!response.ok) {
    throw new HttpDeviceError(url, response.status, `${url}: HTTP ${String(response.status)}`);
  }
  try {
    const parsed = parseDeviceJson(text);
    return { body: parsed.value, repairs: parsed.repairs };
  } catch (error) {
    throw new HttpDeviceError(url, response.status, `${url}: ${(error as Error).message}`);
  }
}

async function readLimited(response: Response, maxBytes: number, url: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new HttpDeviceError(url, response.status, `${url}: reply over ${String(maxBytes)} bytes`);
  }
  const buffer = Buffer.from(await response.arrayBuffer());
  if (buffer.length > maxBytes) {
    throw new HttpDeviceError(url, response.status, `${url}: reply over ${String(maxBytes)} bytes`);
  }
  return buffer.toString('utf8');
}

/** Why a fetch failed: undici puts the socket's error code, or its own reason, in `cause`. */
export function causeOf(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return 'timed out';
  }
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

import { ReplyBuffer } from './reply-buffer.ts';
import { parseDeviceJson } from './repair.ts';

/**
 * A miner's JSON over HTTP (AxeOS, GPU miners, REST firmware): bounded in time and
 * size before anything is buffered, and repaired like any device reply.
 */

/** A device's URL: http, its host (an IPv6 address in brackets), its port, the path. */
export function deviceUrl(host: string, port: number, path: string): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${String(port)}${path}`;
}

export class HttpDeviceError extends Error {
  constructor(
    readonly url: string,
    readonly status: number | undefined,
    /** What went wrong, without the URL. */
    readonly reason: string,
  ) {
    super(`${url}: ${reason}`);
    this.name = 'HttpDeviceError';
  }
}

export interface HttpReply {
  readonly body: unknown;
  readonly repairs: readonly string[];
}

export interface HttpRequest {
  /** One deadline for the connection, the headers and the whole body together. */
  readonly timeoutMs: number;
  readonly maxBytes?: number;
  readonly headers?: Record<string, string>;
  /** POST `body` as JSON instead of a GET (a login). */
  readonly method?: 'GET' | 'POST' | 'PUT';
  readonly body?: unknown;
  /** POST these fields form-encoded instead (Innosilicon's login takes only a form). */
  readonly form?: Readonly<Record<string, string>>;
  /** Past `maxBytes`: fail (the default), or keep the first `maxBytes` and stop reading (a page sniffed). */
  readonly overflow?: 'fail' | 'truncate';
  readonly redirect?: 'follow' | 'manual' | 'error';
}

export interface HttpText {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: Headers;
  readonly text: string;
}

/** 4 MiB: the largest reply any firmware's read sends is far smaller. */
const DEFAULT_MAX_BYTES = 4 << 20;

/**
 * One HTTP request to a device, whatever it does: the deadline covers headers and body,
 * so a trickle of a byte a second ends with it, and the body is counted as it streams
 * (a declared Content-Length past the limit is refused before a byte is read), so an
 * endless body ends at the limit. Every failure is an HttpDeviceError.
 */
export async function requestText(url: string, options: HttpRequest): Promise<HttpText> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const failed = (status: number | undefined, error: unknown): HttpDeviceError =>
    error instanceof HttpDeviceError
      ? error
      : new HttpDeviceError(
          url,
          status,
          deadline.aborted ? `no complete reply within ${String(options.timeoutMs)} ms` : causeOf(error),
        );
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      signal: deadline,
      headers: {
        ...options.headers,
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
      ...(options.form !== undefined && { body: new URLSearchParams(options.form) }),
      ...(options.redirect && { redirect: options.redirect }),
    });
  } catch (error) {
    throw failed(undefined, error);
  }
  try {
    const body = await readBody(response, {
      maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
      overflow: options.overflow ?? 'fail',
      where: url,
    });
    return {
      status: response.status,
      ok: response.ok,
      headers: response.headers,
      text: body.toString('utf8'),
    };
  } catch (error) {
    throw failed(response.status, error);
  }
}

export async function getJson(url: string, options: HttpRequest): Promise<HttpReply> {
  const reply = await requestText(url, options);
  if (!reply.ok) {
    throw new HttpDeviceError(url, reply.status, `HTTP ${String(reply.status)}`);
  }
  try {
    const parsed = parseDeviceJson(reply.text);
    return { body: parsed.value, repairs: parsed.repairs };
  } catch (error) {
    throw new HttpDeviceError(url, reply.status, (error as Error).message);
  }
}

/**
 * A response's body, counted as it streams and never buffered past `maxBytes`; the
 * stream is cancelled once the reply is refused or cut. The caller's signal bounds
 * the time.
 */
export async function readBody(
  response: Response,
  options: { readonly maxBytes: number; readonly overflow: 'fail' | 'truncate'; readonly where: string },
): Promise<Buffer> {
  const tooLarge = (): HttpDeviceError =>
    new HttpDeviceError(options.where, response.status, `reply over ${String(options.maxBytes)} bytes`);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (options.overflow === 'fail' && declared > options.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const received = new ReplyBuffer(options.maxBytes);
  if (response.body === null) {
    return received.view();
  }
  // Node types a fetch body's chunks as any; they are bytes.
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let whole = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        whole = true;
        return received.view();
      }
      if (!received.append(value)) {
        if (options.overflow === 'fail') {
          throw tooLarge();
        }
        received.append(value.subarray(0, options.maxBytes - received.length));
        return received.view();
      }
    }
  } finally {
    if (!whole) {
      await reader.cancel().catch(() => undefined);
    }
  }
}

/** Why a fetch failed: undici puts the socket's error code, or its own reason, in `cause`. */
export function causeOf(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return 'timed out';
  }
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  // An operating-system code (ECONNREFUSED) says it best; undici's own (UND_ERR_SOCKET) say less than its message.
  const code = cause?.code?.startsWith('UND_ERR_') === true ? undefined : cause?.code;
  return code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * How an emulated web API misbehaves on one call, for the tests of the agent's refusals:
 * - a status of its own (a 4xx or 5xx, with the firmware's body);
 * - `garbage`: 200 with a body that is no JSON (a captive portal's page);
 * - `huge`: 200 with 8 MiB of digits streamed without a Content-Length, so only counting
 *   the bytes as they come catches it;
 * - `ignored`: a write answered as taken but not applied, so reading back shows no change
 *   (the emulator plays this one itself).
 */
export type WebFault = { readonly status: number; readonly body?: string } | 'garbage' | 'huge' | 'ignored';

/** Faults by call, `METHOD /path` ("POST /api/v1/settings"); a test sets and clears them as it goes. */
export type WebFaults = Map<string, WebFault>;

const HUGE_BYTES = 8 << 20;
const CHUNK = Buffer.alloc(64 << 10, '0');

/** Answers with the fault set for `METHOD /path`, unless none or `ignored`; true when it answered. */
export function answerFault(faults: WebFaults, call: string, response: ServerResponse): boolean {
  const fault = faults.get(call);
  if (fault === undefined || fault === 'ignored') {
    return false;
  }
  if (fault === 'garbage') {
    response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Login</body></html>');
  } else if (fault === 'huge') {
    streamHuge(response);
  } else {
    response.writeHead(fault.status, { 'content-type': 'application/json' }).end(fault.body ?? '');
  }
  return true;
}

/** Digits, written as fast as the client takes them, until 8 MiB or the client hangs up. */
function streamHuge(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.on('error', () => undefined);
  let sent = 0;
  const more = (): void => {
    while (sent < HUGE_BYTES && !response.destroyed) {
      sent += CHUNK.length;
      if (!response.write(CHUNK)) {
        response.once('drain', more);
        return;
      }
    }
    if (!response.destroyed) {
      response.end();
    }
  };
  more();
}

/** The tokens a login hands out, and whether a request carries one as `Authorization: Bearer`. */
export function bearerTokens(): { issue: () => string; carried: (request: IncomingMessage) => boolean } {
  const tokens = new Set<string>();
  return {
    issue: () => {
      const token = randomBytes(16).toString('hex');
      tokens.add(token);
      return token;
    },
    carried: (request) =>
      tokens.has(/^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? ''),
  };
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

/** A read answered with the reply given for it (a capture), or 404 where none is. */
export function sendReply(response: ServerResponse, reply: string | undefined): void {
  if (reply === undefined) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  } else {
    response.writeHead(200, { 'content-type': 'application/json' }).end(reply);
  }
}

/** A request body that is a JSON object, or undefined. */
export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    return asObject(JSON.parse(text));
  } catch {
    return undefined;
  }
}

export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

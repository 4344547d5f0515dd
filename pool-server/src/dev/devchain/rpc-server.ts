/** The devchain's JSON-RPC server: HTTP, authentication, wallet paths, work queue, faults. */
import { timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultPlans, type RpcFaultPlan } from './faults.ts';
import { RpcCode, RpcMethodError } from './rpc-error.ts';
import { METHODS, type DevState } from './rpc-methods.ts';
import { WorkQueue } from './work-queue.ts';

const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** [Bitcoin Core src/wallet/rpc/util.cpp: GetWalletNameFromJSONRPCRequest] the path a wallet's calls go to. */
const WALLET_ENDPOINT_BASE = '/wallet/';
/**
 * [Bitcoin Core src/httpserver.cpp: http_reject_request_cb] Core shuts down with
 * evhttp_send_error(req, 503, nullptr): libevent's own error page, and the connection closed.
 */
const SHUTDOWN_PAGE =
  '<HTML><HEAD>\n<TITLE>503 Service Unavailable</TITLE>\n</HEAD><BODY>\n<H1>Service Unavailable</H1>\n</BODY></HTML>\n';

export interface DevRpcServerOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Requests worked on at once (-rpcthreads). */
  readonly threads: number;
  /** Requests that may wait for a thread (-rpcworkqueue); more are refused with 503. */
  readonly workQueue: number;
}

export interface DevRpcServer {
  readonly url: string;
  readonly faults: FaultPlans;
  /** Requests being worked on, and waiting for a thread. */
  readonly load: { readonly running: number; readonly queued: number };
  /** New requests get 503 from now on, and held longpolls are released. */
  beginShutdown(): void;
  /** Shuts down, lets the calls already taken finish, then closes every connection. */
  close(): Promise<void>;
}

function authorized(request: IncomingMessage, expected: Buffer): boolean {
  const header = request.headers.authorization ?? '';
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * [Bitcoin Core src/httprpc.cpp: JSONErrorReply] errors to a JSON-RPC 1.0 call, as the pool
 * makes, come with HTTP 500, but 404 for an unknown method.
 */
function reply(response: ServerResponse, id: unknown, outcome: { result: unknown } | RpcMethodError): void {
  const failed = outcome instanceof RpcMethodError;
  const body = JSON.stringify({
    result: failed ? null : (outcome.result ?? null),
    error: failed ? { code: outcome.code, message: outcome.message } : null,
    id,
  });
  const status = !failed ? 200 : outcome.code === RpcCode.MethodNotFound ? 404 : 500;
  response.writeHead(status, { 'content-type': 'application/json' }).end(`${body}\n`);
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

interface ParsedCall {
  readonly id: unknown;
  readonly method: unknown;
  readonly params: readonly unknown[];
}

function parseCall(body: string | undefined): ParsedCall | undefined {
  try {
    const call = JSON.parse(body ?? '') as { id?: unknown; method?: unknown; params?: unknown } | null;
    if (call === null || typeof call !== 'object') {
      return undefined;
    }
    return {
      id: call.id ?? null,
      method: call.method,
      params: Array.isArray(call.params) ? (call.params as unknown[]) : [],
    };
  } catch {
    return undefined;
  }
}

/**
 * [Bitcoin Core src/httpserver.cpp: http_request_cb] the paths with a handler: `/`, and
 * `/wallet/<name>` when wallets are compiled in ([src/httprpc.cpp: StartHTTPRPC]), its name
 * URL-decoded. Undefined for any other path.
 */
function routeOf(url: string): { readonly walletName: string | undefined } | undefined {
  if (url === '/') {
    return { walletName: undefined };
  }
  if (!url.startsWith(WALLET_ENDPOINT_BASE)) {
    return undefined;
  }
  const encoded = url.slice(WALLET_ENDPOINT_BASE.length);
  try {
    return { walletName: decodeURIComponent(encoded) };
  } catch {
    // Core's UrlDecode keeps a malformed escape as it is.
    return { walletName: encoded };
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, signal.aborted ? 0 : ms);
    signal.addEventListener('abort', done);
  });
}

/** The devchain's JSON-RPC endpoint: what bitcoind's looks like to the pool. */
export async function startDevRpcServer(node: DevState, options: DevRpcServerOptions): Promise<DevRpcServer> {
  const expected = Buffer.from(
    `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`,
  );
  const queue = new WorkQueue(options.threads, options.workQueue);
  const faults = new FaultPlans();
  const shutdown = new AbortController();
  const server = http.createServer((request, response) => {
    void receive(request, response);
  });

  // On libevent's thread in Core: what happens before a request reaches the work queue.
  async function receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // libevent hands Core a request only once its body is in.
    let body: string | undefined;
    try {
      body = await readBody(request);
    } catch {
      // The client went away mid-request: there is no one to answer.
      return;
    }
    // [Bitcoin Core src/httpserver.cpp: InterruptHTTPServer] from the start of a shutdown every
    // request, on a new connection or a kept-alive one, is turned away.
    if (shutdown.signal.aborted) {
      response.writeHead(503, { 'content-type': 'text/html', connection: 'close' }).end(SHUTDOWN_PAGE);
      return;
    }
    const route = routeOf(request.url ?? '/');
    if (!route) {
      response.writeHead(404).end();
      return;
    }
    const allowed = authorized(request, expected);
    const call = parseCall(body);
    const plan = allowed && typeof call?.method === 'string' ? faults.take(call.method) : undefined;
    if (plan?.fault === 'unavailable') {
      response.writeHead(503).end();
      return;
    }
    if (plan?.fault === 'drop') {
      request.socket.destroy();
      return;
    }
    const queued = queue.enqueue(async () => {
      await work(request, response, { allowed, call, plan, walletName: route.walletName });
    });
    if (!queued) {
      // [Bitcoin Core src/httpserver.cpp: http_request_cb] "WARNING: request rejected because
      // http work queue depth exceeded": 503 with this text, libevent's default content type.
      response
        .writeHead(503, { 'content-type': 'text/html; charset=ISO-8859-1' })
        .end('Work queue depth exceeded');
    }
  }

  // On one of Core's RPC threads ([Bitcoin Core src/httprpc.cpp: HTTPReq_JSONRPC]).
  async function work(
    request: IncomingMessage,
    response: ServerResponse,
    taken: {
      readonly allowed: boolean;
      readonly call: ParsedCall | undefined;
      readonly plan: RpcFaultPlan | undefined;
      readonly walletName: string | undefined;
    },
  ): Promise<void> {
    const { allowed, call, plan, walletName } = taken;
    if (!allowed) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="jsonrpc"' }).end();
      return;
    }
    if (!call) {
      reply(response, null, new RpcMethodError(RpcCode.ParseError, 'Parse error'));
      return;
    }
    if (plan?.fault === 'slow') {
      await sleep(plan.delayMs ?? 0, shutdown.signal);
    }
    const outcome = await run(call, walletName);
    if (plan?.fault === 'drop-after') {
      request.socket.destroy();
      return;
    }
    reply(response, call.id, outcome);
  }

  async function run(
    call: ParsedCall,
    walletName: string | undefined,
  ): Promise<{ result: unknown } | RpcMethodError> {
    const method =
      typeof call.method === 'string' && Object.hasOwn(METHODS, call.method)
        ? METHODS[call.method]
        : undefined;
    if (!method) {
      return new RpcMethodError(RpcCode.MethodNotFound, 'Method not found');
    }
    try {
      return { result: await method(node, { params: call.params, walletName, shutdown: shutdown.signal }) };
    } catch (error) {
      return error instanceof RpcMethodError
        ? error
        : new RpcMethodError(RpcCode.InternalError, error instanceof Error ? error.message : String(error));
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Listening, a failed accept (EMFILE) costs that one connection, as in Core; it has no logger to go to.
  server.on('error', (error) => {
    process.emitWarning(`devchain RPC: ${error.message}`);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${String(port)}/`,
    faults,
    get load() {
      return { running: queue.running, queued: queue.queued };
    },
    beginShutdown() {
      shutdown.abort();
    },
    async close() {
      shutdown.abort();
      // [Bitcoin Core src/httpserver.cpp: StopHTTPServer] the workers finish what they hold
      // and drain the queue; a released longpoll answers at once, so this is quick.
      await queue.idle();
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

/** bitcoind RPC credentials: rpcuser/rpcpassword, or the .cookie file the node writes. */
export type RpcAuth = { readonly user: string; readonly password: string } | { readonly cookieFile: string };

/**
 * Each lane has connections of its own, so that no call waits behind another kind:
 * `calls` (templates, tip polls, wallet and ledger reads) at most `maxConcurrentCalls`
 * at once; `longpoll`, the one held getblocktemplate; `submit`, found blocks and what
 * settles their fate, never queued behind a longpoll or a template.
 */
export type RpcLane = 'calls' | 'longpoll' | 'submit';

export interface RpcClientOptions {
  readonly url: string;
  readonly auth: RpcAuth;
  readonly timeoutMs: number;
  /** Attempts after the first, for the failures RETRYABLE lists. */
  readonly retries: number;
  readonly retryDelayMs: number;
  /**
   * Calls of the `calls` lane in flight at once; more wait here rather than in the
   * node's work queue. Core works on -rpcthreads requests at once (4 before v29) and
   * answers HTTP 503 beyond -rpcworkqueue waiting ones (16 before v29).
   */
  readonly maxConcurrentCalls?: number;
}

export type RpcErrorKind =
  | 'unreachable'
  | 'connection-lost'
  | 'unavailable'
  | 'unauthorized'
  | 'forbidden'
  | 'timeout'
  | 'aborted'
  | 'warming-up'
  | 'initial-download'
  | 'bad-response'
  | 'rpc';

/** [Bitcoin Core src/rpc/protocol.h] error codes the pool reacts to. */
export const RpcErrorCode = {
  InWarmup: -28,
  ClientInInitialDownload: -10,
  InvalidAddressOrKey: -5,
  InvalidParameter: -8,
  WalletNotFound: -18,
  WalletNotSpecified: -19,
} as const;

/**
 * Failures after which the same call may well succeed: the node is away, restarting,
 * busy (503) or slow, or the connection broke. Only idempotent calls should retry them
 * blindly; a payment passes `retries: 0`.
 */
export const TRANSIENT = new Set<RpcErrorKind>([
  'unreachable',
  'connection-lost',
  'unavailable',
  'timeout',
  'warming-up',
]);

const DEFAULT_CONCURRENT_CALLS = 2;
/** A mainnet template with its transactions is a few MiB; nothing the pool asks for is near this. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** Errors of a connection that was never made: nothing reached the node. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export class RpcError extends Error {
  readonly kind: RpcErrorKind;
  /** bitcoind's own error code, for kind 'rpc'. */
  readonly rpcCode: number | undefined;
  constructor(kind: RpcErrorKind, message: string, rpcCode?: number) {
    super(message);
    this.name = 'RpcError';
    this.kind = kind;
    this.rpcCode = rpcCode;
  }
}

export interface CallOptions {
  readonly timeoutMs?: number;
  readonly retries?: number;
  readonly lane?: RpcLane;
  /** Ends the call (and its connection) early, as kind 'aborted': a held longpoll at shutdown. */
  readonly signal?: AbortSignal;
  /** Told when the whole request has been handed to the operating system (each try). */
  readonly onSent?: () => void;
}

function errorCode(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return String(code ?? message ?? error);
}

interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** A JSON-RPC 1.0 client for bitcoind, with clear errors, retries where they help, and lanes. */
export class BitcoinRpcClient {
  readonly #options: RpcClientOptions;
  readonly #endpoint: string;
  readonly #agents: Readonly<Record<RpcLane, http.Agent>>;
  readonly #request: typeof http.request;
  #authorization: string | undefined;
  #nextId = 1;

  constructor(options: RpcClientOptions) {
    this.#options = options;
    const url = new URL(options.url);
    // Credentials in the URL would end up in logs; they belong in `auth`.
    url.username = '';
    url.password = '';
    this.#endpoint = url.toString();
    const secure = url.protocol === 'https:';
    this.#request = secure ? https.request : http.request;
    // No keep-alive: a connection the node closed while idle would fail the next call
    // (a payment among them) before it was sent; a fresh local connection costs little.
    // Except for found blocks: a connection already open sends submitblock in the same
    // turn of the event loop as the share, where a new one waits for its connect. The
    // submitter keeps it in use (BlockSubmitter.keepConnectionWarm), and an offer lost
    // to a connection the node had just closed is offered again on a new one.
    const agent = (maxSockets: number, keepAlive = false): http.Agent =>
      secure ? new https.Agent({ keepAlive, maxSockets }) : new http.Agent({ keepAlive, maxSockets });
    this.#agents = {
      calls: agent(options.maxConcurrentCalls ?? DEFAULT_CONCURRENT_CALLS),
      longpoll: agent(1),
      submit: agent(2, true),
    };
  }

  /** The node's address for messages, without credentials. */
  get endpoint(): string {
    return this.#endpoint;
  }

  /**
   * Calls `method`. TRANSIENT failures are retried with exponential backoff (`retries`
   * times); everything else fails at once with an RpcError.
   */
  async call<T>(method: string, params: readonly unknown[] = [], options: CallOptions = {}): Promise<T> {
    const retries = options.retries ?? this.#options.retries;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#callOnce<T>(method, params, options);
      } catch (error) {
        if (
          !(error instanceof RpcError) ||
          !TRANSIENT.has(error.kind) ||
          attempt >= retries ||
          options.signal?.aborted === true
        ) {
          throw error;
        }
        await sleep(this.#options.retryDelayMs * 2 ** attempt);
      }
    }
  }

  /** Ends every connection: held longpolls and calls in flight fail as 'aborted'. */
  close(): void {
    for (const agent of Object.values(this.#agents)) {
      agent.destroy();
    }
  }

  async #header(refresh: boolean): Promise<string> {
    if (this.#authorization === undefined || refresh) {
      const { auth } = this.#options;
      let credentials: string;
      if ('cookieFile' in auth) {
        try {
          credentials = (await readFile(auth.cookieFile, 'utf8')).trim();
        } catch (error) {
          throw new RpcError(
            'unauthorized',
            `cannot read the bitcoind cookie file ${auth.cookieFile} (${errorCode(error)}): is the node running, and is the path its datadir's .cookie?`,
          );
        }
      } else {
        credentials = `${auth.user}:${auth.password}`;
      }
      this.#authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    return this.#authorization;
  }

  async #callOnce<T>(method: string, params: readonly unknown[], options: CallOptions): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs;
    const body = JSON.stringify({ jsonrpc: '1.0', id: this.#nextId++, method, params });
    let answer: HttpAnswer | undefined;
    // A 401 with a cookie may mean the node restarted with a new cookie: read it once more.
    for (const refresh of [false, true]) {
      answer = await this.#post(method, body, await this.#header(refresh), timeoutMs, options);
      if (answer.status !== 401 || !('cookieFile' in this.#options.auth)) {
        break;
      }
    }
    if (!answer) {
      throw new RpcError('bad-response', `no response from bitcoind at ${this.#endpoint}`);
    }
    return this.#result(method, answer) as T;
  }

  #result(method: string, { status, body }: HttpAnswer): unknown {
    if (status === 401) {
      throw new RpcError(
        'unauthorized',
        `bitcoind at ${this.#endpoint} refused the RPC credentials: check rpcuser/rpcpassword or the cookie file`,
      );
    }
    if (status === 403) {
      throw new RpcError(
        'forbidden',
        `bitcoind at ${this.#endpoint} forbids ${method} to this client (rpcallowip, rpcwhitelist)`,
      );
    }
    if (status === 503) {
      // [Bitcoin Core src/httpserver.cpp] an empty 503 while shutting down, or when the
      // request finds -rpcworkqueue requests already waiting for -rpcthreads workers.
      throw new RpcError(
        'unavailable',
        `bitcoind at ${this.#endpoint} answered ${method} with HTTP 503: it is shutting down, or its RPC work queue is full (raise -rpcthreads and -rpcworkqueue)`,
      );
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      throw new RpcError(
        'bad-response',
        `bitcoind at ${this.#endpoint} answered ${method} with HTTP ${String(status)} and no JSON`,
      );
    }
    const { result, error } = (payload ?? {}) as {
      result?: unknown;
      error?: { code?: unknown; message?: unknown } | null;
    };
    if (error) {
      const code = typeof error.code === 'number' ? error.code : undefined;
      const message = typeof error.message === 'string' ? error.message : JSON.stringify(error);
      if (code === RpcErrorCode.InWarmup) {
        throw new RpcError('warming-up', `bitcoind is starting up (${message}); the pool waits for it`, code);
      }
      if (code === RpcErrorCode.ClientInInitialDownload) {
        throw new RpcError(
          'initial-download',
          `bitcoind is in initial block download (${message}); mining starts when it has synced`,
          code,
        );
      }
      throw new RpcError('rpc', `${method}: ${message} (bitcoind error ${String(code)})`, code);
    }
    if (result === undefined) {
      throw new RpcError('bad-response', `bitcoind at ${this.#endpoint} answered ${method} without a result`);
    }
    return result;
  }

  #post(
    method: string,
    body: string,
    authorization: string,
    timeoutMs: number,
    options: CallOptions,
  ): Promise<HttpAnswer> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    return new Promise<HttpAnswer>((resolve, reject) => {
      let connected = false;
      const request = this.#request(this.#endpoint, {
        method: 'POST',
        agent: this.#agents[options.lane ?? 'calls'],
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization,
        },
        signal,
      });
      request.once('socket', (socket) => {
        // A kept connection (the submit lane) is connected already: a listener would pile up on it.
        if (!socket.connecting) {
          connected = true;
          return;
        }
        socket.once('connect', () => {
          connected = true;
        });
      });
      request.once('response', (response) => {
        connected = true;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            request.destroy(
              new RpcError(
                'bad-response',
                `bitcoind at ${this.#endpoint} answered ${method} with more than ${String(MAX_RESPONSE_BYTES)} bytes`,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        response.once('end', () => {
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        response.once('error', (error) => {
          reject(this.#failure(method, error, connected, timeoutMs, timeout, options.signal));
        });
      });
      request.once('error', (error) => {
        reject(this.#failure(method, error, connected, timeoutMs, timeout, options.signal));
      });
      if (options.onSent) {
        request.once('finish', options.onSent);
      }
      request.end(body);
    });
  }

  #failure(
    method: string,
    error: unknown,
    connected: boolean,
    timeoutMs: number,
    timeout: AbortSignal,
    caller: AbortSignal | undefined,
  ): RpcError {
    if (error instanceof RpcError) {
      return error;
    }
    if (timeout.aborted) {
      return new RpcError(
        'timeout',
        `bitcoind at ${this.#endpoint} did not answer ${method} within ${String(timeoutMs)} ms`,
      );
    }
    if (caller?.aborted === true) {
      return new RpcError('aborted', `${method} to bitcoind at ${this.#endpoint} was called off`);
    }
    const code = errorCode(error);
    if (!connected && CONNECT_FAILURES.has(code)) {
      return new RpcError(
        'unreachable',
        `bitcoind at ${this.#endpoint} is unreachable (${code}): is it running, with rpcbind and rpcallowip letting the pool in?`,
      );
    }
    return new RpcError(
      'connection-lost',
      `bitcoind at ${this.#endpoint} closed the connection before answering ${method} (${code})`,
    );
  }
}

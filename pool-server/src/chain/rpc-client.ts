import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** bitcoind RPC credentials: rpcuser/rpcpassword, or the .cookie file the node writes. */
export type RpcAuth = { readonly user: string; readonly password: string } | { readonly cookieFile: string };

export interface RpcClientOptions {
  readonly url: string;
  readonly auth: RpcAuth;
  readonly timeoutMs: number;
  /** Attempts after the first, for unreachable nodes, timeouts and a node warming up. */
  readonly retries: number;
  readonly retryDelayMs: number;
}

export type RpcErrorKind =
  | 'unreachable'
  | 'unauthorized'
  | 'forbidden'
  | 'timeout'
  | 'warming-up'
  | 'initial-download'
  | 'bad-response'
  | 'rpc';

/** [Bitcoin Core rpc/protocol.h] error codes the pool reacts to. */
const RPC_IN_WARMUP = -28;
const RPC_CLIENT_IN_INITIAL_DOWNLOAD = -10;

const RETRYABLE = new Set<RpcErrorKind>(['unreachable', 'timeout', 'warming-up']);

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

function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  return String(cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : error));
}

/** A JSON-RPC 1.0 client for bitcoind, with clear errors and retries where they help. */
export class BitcoinRpcClient {
  readonly #options: RpcClientOptions;
  readonly #endpoint: string;
  #authorization: string | undefined;
  #nextId = 1;

  constructor(options: RpcClientOptions) {
    this.#options = options;
    const url = new URL(options.url);
    // Credentials in the URL would end up in logs; they belong in `auth`.
    url.username = '';
    url.password = '';
    this.#endpoint = url.toString();
  }

  /** The node's address for messages, without credentials. */
  get endpoint(): string {
    return this.#endpoint;
  }

  /**
   * Calls `method`. Unreachable nodes, timeouts and a warming-up node are retried with
   * exponential backoff; everything else fails at once with an RpcError.
   */
  async call<T>(
    method: string,
    params: readonly unknown[] = [],
    options: { timeoutMs?: number; retries?: number } = {},
  ): Promise<T> {
    const retries = options.retries ?? this.#options.retries;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#callOnce<T>(method, params, options.timeoutMs ?? this.#options.timeoutMs);
      } catch (error) {
        if (!(error instanceof RpcError) || !RETRYABLE.has(error.kind) || attempt >= retries) {
          throw error;
        }
        await sleep(this.#options.retryDelayMs * 2 ** attempt);
      }
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
            `cannot read the bitcoind cookie file ${auth.cookieFile} (${networkCause(error)}): is the node running, and is the path its datadir's .cookie?`,
          );
        }
      } else {
        credentials = `${auth.user}:${auth.password}`;
      }
      this.#authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    return this.#authorization;
  }

  async #callOnce<T>(method: string, params: readonly unknown[], timeoutMs: number): Promise<T> {
    const body = JSON.stringify({ jsonrpc: '1.0', id: this.#nextId++, method, params });
    let response: Response | undefined;
    // A 401 with a cookie may mean the node restarted with a new cookie: read it once more.
    for (const refresh of [false, true]) {
      try {
        response = await fetch(this.#endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: await this.#header(refresh) },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        if (error instanceof RpcError) {
          throw error;
        }
        if ((error as { name?: string }).name === 'TimeoutError') {
          throw new RpcError(
            'timeout',
            `bitcoind at ${this.#endpoint} did not answer ${method} within ${String(timeoutMs)} ms`,
          );
        }
        throw new RpcError(
          'unreachable',
          `bitcoind at ${this.#endpoint} is unreachable (${networkCause(error)}): is it running, with rpcbind and rpcallowip letting the pool in?`,
        );
      }
      if (response.status !== 401 || !('cookieFile' in this.#options.auth) || refresh) {
        break;
      }
    }
    if (!response) {
      throw new RpcError('bad-response', `no response from bitcoind at ${this.#endpoint}`);
    }
    if (response.status === 401) {
      throw new RpcError(
        'unauthorized',
        `bitcoind at ${this.#endpoint} refused the RPC credentials: check rpcuser/rpcpassword or the cookie file`,
      );
    }
    if (response.status === 403) {
      throw new RpcError(
        'forbidden',
        `bitcoind at ${this.#endpoint} forbids ${method} to this client (rpcallowip, rpcwhitelist)`,
      );
    }
    let payload: unknown;
    try {
      payload = await response.json();
    } catch {
      throw new RpcError(
        'bad-response',
        `bitcoind at ${this.#endpoint} answered ${method} with HTTP ${String(response.status)} and no JSON`,
      );
    }
    const { result, error } = (payload ?? {}) as {
      result?: unknown;
      error?: { code?: unknown; message?: unknown } | null;
    };
    if (error) {
      const code = typeof error.code === 'number' ? error.code : undefined;
      const message = typeof error.message === 'string' ? error.message : JSON.stringify(error);
      if (code === RPC_IN_WARMUP) {
        throw new RpcError('warming-up', `bitcoind is starting up (${message}); the pool waits for it`, code);
      }
      if (code === RPC_CLIENT_IN_INITIAL_DOWNLOAD) {
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
    return result as T;
  }
}

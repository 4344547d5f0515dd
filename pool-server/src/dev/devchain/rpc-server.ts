import { timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { payoutScript, type Chain } from '../../work/address.ts';
import { u32ToHex } from '../../work/bytes.ts';
import { difficultyFromBits } from '../../work/target.ts';
import { SubmitDecodeError, type DevChain } from './chain.ts';
import { describeAddress } from './describe-address.ts';
import { FaultPlans, type RpcFaultPlan } from './faults.ts';
import { RpcCode, RpcMethodError } from './rpc-error.ts';
import type { DevWallet } from './wallet.ts';
import { WorkQueue } from './work-queue.ts';

const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** A longpoll is held at most this long, then answered with the current template. */
const LONGPOLL_HOLD_MS = 60_000;
/** [Bitcoin Core src/wallet/rpc/util.cpp: GetWalletNameFromJSONRPCRequest] the path a wallet's calls go to. */
const WALLET_ENDPOINT_BASE = '/wallet/';
/**
 * [Bitcoin Core src/httpserver.cpp: http_reject_request_cb] Core shuts down with
 * evhttp_send_error(req, 503, nullptr): libevent's own error page, and the connection closed.
 */
const SHUTDOWN_PAGE =
  '<HTML><HEAD>\n<TITLE>503 Service Unavailable</TITLE>\n</HEAD><BODY>\n<H1>Service Unavailable</H1>\n</BODY></HTML>\n';

interface DevState {
  readonly chain: DevChain;
  /** The chain's name as getblockchaininfo reports it; addresses are of this chain. */
  readonly network: Chain;
  /** The loaded wallets by name, in the order loaded. */
  readonly wallets: ReadonlyMap<string, DevWallet>;
}

interface Call {
  readonly params: readonly unknown[];
  /** The wallet named by a /wallet/<name> path (URL-decoded); undefined on `/`. */
  readonly walletName: string | undefined;
  /** Aborted once the node begins shutting down. */
  readonly shutdown: AbortSignal;
}

/** May return a promise: a longpoll waits, holding its RPC thread. */
type Method = (node: DevState, call: Call) => unknown;

function blockHeaderView(chain: DevChain, hash: string): Record<string, unknown> {
  const block = chain.blockByHash(hash);
  if (!block) {
    throw new RpcMethodError(RpcCode.InvalidAddressOrKey, 'Block not found');
  }
  const version = block.header.readUInt32LE(0);
  const bits = block.header.readUInt32LE(72);
  const next = block.mainChain ? chain.blockAt(block.height + 1) : undefined;
  const previous =
    block.height > 0 ? Buffer.from(block.header.subarray(4, 36)).reverse().toString('hex') : undefined;
  return {
    hash: block.hash,
    confirmations: block.mainChain ? chain.height - block.height + 1 : -1,
    height: block.height,
    version,
    versionHex: u32ToHex(version),
    merkleroot: Buffer.from(block.header.subarray(36, 68)).reverse().toString('hex'),
    time: block.time,
    nonce: block.header.readUInt32LE(76),
    bits: u32ToHex(bits),
    difficulty: difficultyFromBits(bits),
    nTx: block.txids.length,
    ...(previous !== undefined && { previousblockhash: previous }),
    ...(next && { nextblockhash: next.hash }),
  };
}

function hashParam(params: readonly unknown[]): string {
  const [hash] = params;
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/i.test(hash)) {
    throw new RpcMethodError(RpcCode.InvalidParameter, 'blockhash must be of length 64 (hex)');
  }
  return hash.toLowerCase();
}

/**
 * [Bitcoin Core src/wallet/rpc/util.cpp: GetWalletForJSONRPCRequest] the wallet a call on
 * /wallet/<name> names; on `/`, the only wallet loaded (GetDefaultWallet), whatever its name.
 */
function walletFor({ wallets }: DevState, { walletName }: Call): DevWallet {
  if (walletName !== undefined) {
    const named = wallets.get(walletName);
    if (!named) {
      throw new RpcMethodError(RpcCode.WalletNotFound, 'Requested wallet does not exist or is not loaded');
    }
    return named;
  }
  const [only, ...others] = wallets.values();
  if (!only) {
    throw new RpcMethodError(
      RpcCode.WalletNotFound,
      'No wallet is loaded. Load a wallet using loadwallet or create a new one with createwallet. (Note: A default wallet is no longer automatically created)',
    );
  }
  if (others.length > 0) {
    throw new RpcMethodError(
      RpcCode.WalletNotSpecified,
      'Wallet file not specified (must request wallet RPC through /wallet/<filename> uri-path).',
    );
  }
  return only;
}

const METHODS: Record<string, Method> = {
  async getblocktemplate({ chain, network }, { params, shutdown }) {
    // [Bitcoin Core src/rpc/mining.cpp: getblocktemplate] checked before any longpoll, and only
    // off test chains (!IsTestChain()): regtest, testnet and signet serve templates while
    // syncing. Core's other check there, for no peers, does not apply: the devchain stands
    // for a connected node.
    if (network === 'main' && chain.initialBlockDownload) {
      throw new RpcMethodError(
        RpcCode.ClientInInitialDownload,
        'Bitcoin Core is in initial sync and waiting for blocks...',
      );
    }
    const [request] = params as [{ rules?: unknown; longpollid?: unknown } | undefined];
    if (typeof request?.longpollid === 'string') {
      await chain.waitForChange(request.longpollid, LONGPOLL_HOLD_MS, shutdown);
      // [Bitcoin Core src/rpc/mining.cpp: getblocktemplate] the longpoll loop runs while
      // IsRPCRunning(); a shutdown ends it with this error.
      if (shutdown.aborted) {
        throw new RpcMethodError(RpcCode.ClientNotConnected, 'Shutting down');
      }
    }
    // Core checks the rules after the longpoll, so a held call learns of a bad request late.
    const rules = request?.rules;
    if (!Array.isArray(rules) || !rules.includes('segwit')) {
      throw new RpcMethodError(
        RpcCode.InvalidParameter,
        'getblocktemplate must be called with the segwit rule set (call with {"rules": ["segwit"]})',
      );
    }
    return chain.blockTemplate();
  },
  submitblock({ chain }, { params }) {
    const [hex] = params;
    if (typeof hex !== 'string' || !/^([0-9a-f]{2})+$/i.test(hex)) {
      throw new RpcMethodError(RpcCode.DeserializationError, 'Block decode failed');
    }
    try {
      return chain.submitBlock(Buffer.from(hex, 'hex'));
    } catch (error) {
      if (error instanceof SubmitDecodeError) {
        throw new RpcMethodError(RpcCode.DeserializationError, 'Block decode failed');
      }
      throw error;
    }
  },
  getblockchaininfo({ chain, network }) {
    return {
      chain: network,
      blocks: chain.height,
      headers: chain.height,
      bestblockhash: chain.tip.hash,
      difficulty: chain.difficulty(),
      time: chain.tip.time,
      mediantime: chain.medianTimePast(),
      verificationprogress: 1,
      initialblockdownload: chain.initialBlockDownload,
      size_on_disk: 0,
      pruned: false,
      warnings: '',
    };
  },
  getmininginfo({ chain, network }) {
    return {
      blocks: chain.height,
      difficulty: chain.difficulty(),
      networkhashps: 0,
      pooledtx: 0,
      chain: network,
      warnings: '',
    };
  },
  getnetworkinfo() {
    return {
      version: 280000,
      subversion: '/hashwatt-devchain:0.1.0/',
      protocolversion: 70016,
      localservices: '0000000000000409',
      localrelay: true,
      timeoffset: 0,
      networkactive: true,
      connections: 0,
      connections_in: 0,
      connections_out: 0,
      networks: [],
      relayfee: 0.00001,
      incrementalfee: 0.00001,
      localaddresses: [],
      warnings: '',
    };
  },
  getchaintips({ chain }) {
    return chain.chainTips();
  },
  getbestblockhash({ chain }) {
    return chain.tip.hash;
  },
  getblockcount({ chain }) {
    return chain.height;
  },
  getdifficulty({ chain }) {
    return chain.difficulty();
  },
  getblockhash({ chain }, { params }) {
    const [height] = params;
    const block = typeof height === 'number' && Number.isInteger(height) ? chain.blockAt(height) : undefined;
    if (!block) {
      throw new RpcMethodError(RpcCode.InvalidParameter, 'Block height out of range');
    }
    return block.hash;
  },
  getblockheader({ chain }, { params }) {
    const hash = hashParam(params);
    const verbose = params[1] ?? true;
    const view = blockHeaderView(chain, hash);
    return verbose === false ? chain.blockByHash(hash)?.header.toString('hex') : view;
  },
  getblock({ chain }, { params }) {
    const hash = hashParam(params);
    const verbosity = params[1] === false ? 0 : params[1] === true ? 1 : (params[1] ?? 1);
    const view = blockHeaderView(chain, hash);
    const block = chain.blockByHash(hash);
    if (!block) {
      throw new RpcMethodError(RpcCode.InvalidAddressOrKey, 'Block not found');
    }
    if (verbosity === 0) {
      return block.raw.toString('hex');
    }
    return {
      ...view,
      size: block.raw.length,
      weight: block.weight,
      tx: verbosity === 1 ? block.txids : block.txids.map((txid) => ({ txid })),
    };
  },
  validateaddress({ network }, { params }) {
    const [address] = params;
    const result = typeof address === 'string' ? payoutScript(address, network) : undefined;
    if (!result?.ok) {
      return { isvalid: false, error: result?.message ?? 'Invalid address' };
    }
    return {
      isvalid: true,
      address,
      scriptPubKey: result.script.toString('hex'),
      ...describeAddress(result.script),
    };
  },
  listwallets({ wallets }) {
    return [...wallets.keys()];
  },
  getnewaddress(node, call) {
    return walletFor(node, call).newAddress();
  },
  getbalance(node, call) {
    return Number(walletFor(node, call).balance()) / 1e8;
  },
  sendmany(node, call) {
    const [, amounts, , comment] = call.params;
    return walletFor(node, call).sendMany(amounts, comment);
  },
  gettransaction(node, call) {
    return walletFor(node, call).transaction(call.params[0]);
  },
  listtransactions(node, call) {
    return walletFor(node, call).list(call.params[1], call.params[2]);
  },
  getaddressinfo(node, call) {
    return walletFor(node, call).addressInfo(call.params[0]);
  },
  generatetoaddress({ chain, network }, { params }) {
    const [count, address] = params;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000) {
      throw new RpcMethodError(RpcCode.InvalidParameter, 'nblocks must be 1 to 1000');
    }
    const payout = typeof address === 'string' ? payoutScript(address, network) : undefined;
    if (!payout?.ok) {
      throw new RpcMethodError(RpcCode.InvalidAddressOrKey, 'Error: Invalid address');
    }
    return Array.from({ length: count }, () => chain.addNetworkBlock(payout.script));
  },
};

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

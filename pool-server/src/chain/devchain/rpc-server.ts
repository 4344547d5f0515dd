import { timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { payoutScript } from '../../work/address.ts';
import { u32ToHex } from '../../work/bytes.ts';
import { difficultyFromBits } from '../../work/target.ts';
import { SubmitDecodeError, type DevChain } from './chain.ts';
import { RpcCode, RpcMethodError } from './rpc-error.ts';
import type { DevWallet } from './wallet.ts';

const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** A longpoll is held at most this long, then answered with the current template. */
const LONGPOLL_HOLD_MS = 60_000;

interface DevState {
  readonly chain: DevChain;
  readonly wallet: DevWallet;
}

type Method = (node: DevState, params: readonly unknown[]) => unknown;

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

const METHODS: Record<string, Method> = {
  getblocktemplate({ chain }, params) {
    const [request] = params as [{ rules?: unknown } | undefined];
    const rules = request?.rules;
    if (!Array.isArray(rules) || !rules.includes('segwit')) {
      throw new RpcMethodError(
        RpcCode.InvalidParameter,
        'getblocktemplate must be called with the segwit rule set (call with {"rules": ["segwit"]})',
      );
    }
    return chain.blockTemplate();
  },
  submitblock({ chain }, params) {
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
  getblockchaininfo({ chain }) {
    return {
      chain: 'regtest',
      blocks: chain.height,
      headers: chain.height,
      bestblockhash: chain.tip.hash,
      difficulty: chain.difficulty(),
      time: chain.tip.time,
      mediantime: chain.medianTimePast(),
      verificationprogress: 1,
      initialblockdownload: false,
      size_on_disk: 0,
      pruned: false,
      warnings: '',
    };
  },
  getmininginfo({ chain }) {
    return {
      blocks: chain.height,
      difficulty: chain.difficulty(),
      networkhashps: 0,
      pooledtx: 0,
      chain: 'regtest',
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
  getbestblockhash({ chain }) {
    return chain.tip.hash;
  },
  getblockcount({ chain }) {
    return chain.height;
  },
  getdifficulty({ chain }) {
    return chain.difficulty();
  },
  getblockhash({ chain }, params) {
    const [height] = params;
    const block = typeof height === 'number' && Number.isInteger(height) ? chain.blockAt(height) : undefined;
    if (!block) {
      throw new RpcMethodError(RpcCode.InvalidParameter, 'Block height out of range');
    }
    return block.hash;
  },
  getblockheader({ chain }, params) {
    const hash = hashParam(params);
    const verbose = params[1] ?? true;
    const view = blockHeaderView(chain, hash);
    return verbose === false ? chain.blockByHash(hash)?.header.toString('hex') : view;
  },
  getblock({ chain }, params) {
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
  validateaddress(_node, params) {
    const [address] = params;
    const result = typeof address === 'string' ? payoutScript(address, 'regtest') : undefined;
    if (!result?.ok) {
      return { isvalid: false, error: result?.message ?? 'Invalid address' };
    }
    const { script } = result;
    const first = script[0] ?? 0;
    // OP_0 or OP_1..OP_16 then a push: a witness program ([BIP141], [BIP341]).
    const witnessVersion = first === 0x00 ? 0 : first >= 0x51 && first <= 0x60 ? first - 0x50 : undefined;
    return {
      isvalid: true,
      address,
      scriptPubKey: script.toString('hex'),
      isscript: first === 0xa9 || (witnessVersion !== undefined && script.length === 34),
      iswitness: witnessVersion !== undefined,
      ...(witnessVersion !== undefined && {
        witness_version: witnessVersion,
        witness_program: script.subarray(2).toString('hex'),
      }),
    };
  },
  getnewaddress({ wallet }) {
    return wallet.newAddress();
  },
  getbalance({ wallet }) {
    return Number(wallet.balance()) / 1e8;
  },
  sendmany({ wallet }, params) {
    const [, amounts, , comment] = params;
    return wallet.sendMany(amounts, comment);
  },
  gettransaction({ wallet }, params) {
    return wallet.transaction(params[0]);
  },
  listtransactions({ wallet }, params) {
    return wallet.list(params[1], params[2]);
  },
  generatetoaddress({ chain }, params) {
    const [count, address] = params;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000) {
      throw new RpcMethodError(RpcCode.InvalidParameter, 'nblocks must be 1 to 1000');
    }
    const payout = typeof address === 'string' ? payoutScript(address, 'regtest') : undefined;
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
}

function authorized(request: IncomingMessage, expected: Buffer): boolean {
  const header = request.headers.authorization ?? '';
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function respond(
  response: ServerResponse,
  status: number,
  id: unknown,
  result: unknown,
  error?: RpcMethodError,
): void {
  const body = JSON.stringify({
    result: error ? null : (result ?? null),
    error: error ? { code: error.code, message: error.message } : null,
    id,
  });
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

/** The devchain's JSON-RPC endpoint: what bitcoind's looks like to the pool. */
export async function startDevRpcServer(
  node: DevState,
  options: DevRpcServerOptions,
): Promise<http.Server & { url: string }> {
  const { chain } = node;
  const expected = Buffer.from(
    `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`,
  );
  const server = http.createServer((request, response) => {
    void handle(request, response);
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!authorized(request, expected)) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="jsonrpc"' }).end();
      return;
    }
    const body = await readBody(request);
    let call: { id?: unknown; method?: unknown; params?: unknown };
    try {
      call = JSON.parse(body ?? '') as typeof call;
    } catch {
      respond(response, 500, null, null, new RpcMethodError(RpcCode.ParseError, 'Parse error'));
      return;
    }
    const method =
      typeof call.method === 'string' && Object.hasOwn(METHODS, call.method)
        ? METHODS[call.method]
        : undefined;
    if (!method) {
      respond(
        response,
        404,
        call.id ?? null,
        null,
        new RpcMethodError(RpcCode.MethodNotFound, 'Method not found'),
      );
      return;
    }
    const params: readonly unknown[] = Array.isArray(call.params) ? (call.params as unknown[]) : [];
    const longpollId = (params[0] as { longpollid?: unknown } | undefined)?.longpollid;
    if (call.method === 'getblocktemplate' && typeof longpollId === 'string') {
      await chain.waitForChange(longpollId, LONGPOLL_HOLD_MS);
    }
    try {
      respond(response, 200, call.id ?? null, method(node, params));
    } catch (error) {
      const failure =
        error instanceof RpcMethodError
          ? error
          : new RpcMethodError(RpcCode.InternalError, error instanceof Error ? error.message : String(error));
      respond(response, 500, call.id ?? null, null, failure);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return Object.assign(server, { url: `http://${options.host}:${String(port)}/` });
}

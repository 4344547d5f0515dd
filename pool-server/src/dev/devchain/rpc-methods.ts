/** The devchain's JSON-RPC methods: what each call answers, in the shapes Bitcoin Core documents. */
import { payoutScript, type Chain } from '../../work/address.ts';
import { u32ToHex } from '../../work/bytes.ts';
import { difficultyFromBits } from '../../work/target.ts';
import { SubmitDecodeError, type DevChain } from './chain.ts';
import { describeAddress } from './describe-address.ts';
import { RpcCode, RpcMethodError } from './rpc-error.ts';
import type { DevWallet } from './wallet.ts';

/** A longpoll is held at most this long, then answered with the current template. */
const LONGPOLL_HOLD_MS = 60_000;

export interface DevState {
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

/** The JSON-RPC methods the devchain answers, by name, as Bitcoin Core answers them. */
export const METHODS: Record<string, Method> = {
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

import { payoutScript, type Chain } from '../work/address.ts';
import { RpcError, RpcErrorCode, type BitcoinRpcClient } from './rpc-client.ts';
import type { AddressInfo, BlockchainInfo, ValidateAddressResult } from './rpc-types.ts';

export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** [JSON-RPC 2.0] the node does not know the method: for listwallets, a node run with -disablewallet. */
const METHOD_NOT_FOUND = -32601;

/**
 * Before the pool takes miners: the node is on the configured chain, can give templates,
 * and agrees that the payout address is valid there. Each failure says what to fix.
 */
export async function checkNode(
  rpc: BitcoinRpcClient,
  expected: { readonly chain: Chain; readonly payoutAddress: string },
): Promise<BlockchainInfo> {
  const info = await rpc.call<BlockchainInfo>('getblockchaininfo');
  if (info.chain !== expected.chain) {
    throw new StartupError(
      `bitcoind at ${rpc.endpoint} is on chain "${info.chain}", but hashwatt is configured for "${expected.chain}" (set chain to match, or point node.rpcUrl at the right node)`,
    );
  }
  // [Bitcoin Core src/rpc/mining.cpp: getblocktemplate] only mainnet refuses templates in
  // initial block download; a test chain serves them, so a fresh regtest chain (in IBD
  // until its tip is recent) is mined from block 0. A test node that does refuse them
  // stops the start at the first template, with its own message.
  if (expected.chain === 'main' && (info.initialblockdownload || info.blocks < info.headers)) {
    throw new StartupError(
      `bitcoind is still syncing: block ${String(info.blocks)} of ${String(info.headers)} (${(info.verificationprogress * 100).toFixed(2)} % verified); start the pool when it has caught up`,
    );
  }
  const ours = payoutScript(expected.payoutAddress, expected.chain);
  if (!ours.ok) {
    throw new StartupError(`pool.payoutAddress: ${ours.message}`);
  }
  const theirs = await rpc.call<ValidateAddressResult>('validateaddress', [expected.payoutAddress]);
  if (!theirs.isvalid) {
    throw new StartupError(
      `pool.payoutAddress ${expected.payoutAddress} is not valid according to bitcoind on ${info.chain}`,
    );
  }
  return info;
}

/** The wallet named by a bitcoind URL's /wallet/<name> path, if any. */
export function walletOfUrl(url: string): string | undefined {
  const match = /\/wallet\/([^/?#]*)/.exec(new URL(url).pathname);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}

/**
 * Payouts spend, through the node's wallet, the coinbases paid to the pool's address:
 * the wallet must be loaded, be the one the URL names when several are, and own the
 * address (`payoutAddress` undefined: the pool takes its address from that wallet).
 * Returns the wallet's name.
 */
export async function checkWallet(rpc: BitcoinRpcClient, payoutAddress: string | undefined): Promise<string> {
  let wallets: string[];
  try {
    wallets = await rpc.call<string[]>('listwallets');
  } catch (error) {
    if (error instanceof RpcError && error.rpcCode === METHOD_NOT_FOUND) {
      throw new StartupError(
        `bitcoind at ${rpc.endpoint} runs without a wallet (-disablewallet), and payouts are paid from one: run it with a wallet, or set payouts.enabled false`,
      );
    }
    throw error;
  }
  const named = walletOfUrl(rpc.endpoint);
  const loaded = wallets.map((name) => JSON.stringify(name)).join(', ');
  if (wallets.length === 0) {
    throw new StartupError(
      `bitcoind at ${rpc.endpoint} has no wallet loaded, and payouts are paid from one: load it (bitcoin-cli loadwallet <name>) or create it (bitcoin-cli createwallet <name>), or set payouts.enabled false`,
    );
  }
  // [Bitcoin Core src/wallet/rpc/util.cpp: GetWalletForJSONRPCRequest] with several
  // wallets loaded, a wallet call on "/" fails with RPC_WALLET_NOT_SPECIFIED (-19).
  if (named === undefined && wallets.length > 1) {
    const example = new URL(`wallet/${encodeURIComponent(wallets[0] ?? '')}`, rpc.endpoint).toString();
    throw new StartupError(
      `bitcoind at ${rpc.endpoint} has ${String(wallets.length)} wallets loaded (${loaded}): name the one payouts spend from at the end of node.rpcUrl, e.g. ${example}`,
    );
  }
  if (named !== undefined && !wallets.includes(named)) {
    throw new StartupError(
      `the wallet ${JSON.stringify(named)} that node.rpcUrl names is not loaded in bitcoind (loaded: ${loaded}): bitcoin-cli loadwallet ${JSON.stringify(named)}`,
    );
  }
  const wallet = named ?? wallets[0] ?? '';
  if (payoutAddress !== undefined) {
    let info: AddressInfo;
    try {
      info = await rpc.call<AddressInfo>('getaddressinfo', [payoutAddress]);
    } catch (error) {
      if (error instanceof RpcError && error.rpcCode === RpcErrorCode.InvalidAddressOrKey) {
        throw new StartupError(`pool.payoutAddress ${payoutAddress}: bitcoind says ${error.message}`);
      }
      throw error;
    }
    if (!info.ismine) {
      throw new StartupError(
        `pool.payoutAddress ${payoutAddress} is not an address of bitcoind's wallet ${JSON.stringify(wallet)}, and payouts spend the coinbases paid to it: use one of that wallet's addresses (bitcoin-cli -rpcwallet=${JSON.stringify(wallet)} getnewaddress), or set payouts.enabled false`,
      );
    }
  }
  return wallet;
}

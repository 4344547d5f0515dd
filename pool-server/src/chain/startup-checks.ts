import { payoutScript, type Chain } from '../work/address.ts';
import type { BitcoinRpcClient } from './rpc-client.ts';
import type { BlockchainInfo, ValidateAddressResult } from './rpc-types.ts';

export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/**
 * Before the pool takes miners: the node is on the configured chain, has synced, and
 * agrees that the payout address is valid there. Each failure says what to fix.
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
  if (info.initialblockdownload || info.blocks < info.headers) {
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

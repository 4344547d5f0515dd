import * as ecc from '@bitcoinerlab/secp256k1';
import { address, initEccLib, networks, type Network } from 'bitcoinjs-lib';

// Taproot outputs need an x-only key check, which bitcoinjs-lib delegates to an ECC library.
initEccLib(ecc);

/** Chain names as bitcoind's getblockchaininfo reports them. */
export const CHAINS = ['main', 'test', 'testnet4', 'signet', 'regtest'] as const;
export type Chain = (typeof CHAINS)[number];

// Every test network (testnet3, testnet4, signet) shares the tb / m / n / 2 prefixes.
export const NETWORK_OF: Readonly<Record<Chain, Network>> = {
  main: networks.bitcoin,
  test: networks.testnet,
  testnet4: networks.testnet,
  signet: networks.testnet,
  regtest: networks.regtest,
};

export type PayoutScriptResult =
  { readonly ok: true; readonly script: Buffer } | { readonly ok: false; readonly message: string };

/**
 * The output script paying `payoutAddress` on `chain`: P2PKH, P2SH, P2WPKH, P2WSH or P2TR.
 * An address of another network, a bad checksum or an invalid taproot key is refused.
 */
export function payoutScript(payoutAddress: string, chain: Chain): PayoutScriptResult {
  if (typeof payoutAddress !== 'string' || payoutAddress.length === 0 || payoutAddress.length > 90) {
    return { ok: false, message: `a ${chain} payout address is a string of 1 to 90 characters` };
  }
  try {
    return { ok: true, script: Buffer.from(address.toOutputScript(payoutAddress, NETWORK_OF[chain])) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `${payoutAddress} is not a valid ${chain} address (${reason})` };
  }
}

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

/** How a chain's addresses begin, for messages that tell a miner what to type. */
export const ADDRESS_FORMS: Readonly<Record<Chain, string>> = {
  main: 'bc1…, 1… or 3…',
  test: 'tb1…, m…, n… or 2…',
  testnet4: 'tb1…, m…, n… or 2…',
  signet: 'tb1…, m…, n… or 2…',
  regtest: 'bcrt1…, m…, n… or 2…',
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

/**
 * The output script of an address a miner may be paid at: as payoutScript, less the
 * segwit versions no rule guards yet (2 to 16, BIP-350). Such an output is valid, and
 * anyone can spend it until a soft fork gives the version meaning: a SOLO coinbase or a
 * payout sent there would be lost. Version 1 is taproot only (a 32-byte key): the
 * library already refuses other lengths.
 */
export function minerPayoutScript(payoutAddress: string, chain: Chain): PayoutScriptResult {
  const version = witnessVersionOf(payoutAddress);
  if (version !== undefined && version >= 2) {
    return {
      ok: false,
      message: `${payoutAddress} is a segwit version ${String(version)} address: no wallet can spend from it yet and anyone could take what it is paid`,
    };
  }
  return payoutScript(payoutAddress, chain);
}

/** A bech32/bech32m address's witness version; undefined for anything else. */
function witnessVersionOf(text: string): number | undefined {
  try {
    return address.fromBech32(text).version;
  } catch {
    return undefined;
  }
}

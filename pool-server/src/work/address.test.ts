import { describe, expect, it } from 'vitest';
import { addressVectors } from '../../test/helpers/vectors.ts';
import { CHAINS, minerPayoutScript, type Chain } from './address.ts';

/** testnet3, testnet4 and signet share one address format. */
const CHAINS_OF: Readonly<Record<'main' | 'test' | 'regtest', readonly Chain[]>> = {
  main: ['main'],
  test: ['test', 'testnet4', 'signet'],
  regtest: ['regtest'],
};

/** The same text with one character changed to another of the same alphabet: the checksum no longer holds. */
function oneCharacterOff(address: string): string {
  const at = address.length - 3;
  const replacement = address[at] === 'q' || address[at] === 'Q' ? 'p' : 'q';
  const changed = /[A-Z]/.test(address) && !/[a-z]/.test(address) ? replacement.toUpperCase() : replacement;
  return address.slice(0, at) + changed + address.slice(at + 1);
}

describe('miner payout addresses', () => {
  it('accepts every kind of address of its own chain, paying the script the vector gives', () => {
    const kinds = new Set<string>();
    for (const vector of addressVectors.valid) {
      for (const chain of vector.chains.flatMap((name) => CHAINS_OF[name])) {
        const result = minerPayoutScript(vector.address, chain);
        expect(result, `${vector.address} on ${chain}`).toEqual({
          ok: true,
          script: Buffer.from(vector.script, 'hex'),
        });
        kinds.add(`${vector.chains[0] ?? ''} ${vector.type}`);
      }
    }
    // P2PKH, P2SH, P2WPKH, P2WSH and P2TR on mainnet; every segwit kind on the test networks and regtest.
    expect([...kinds].sort()).toEqual(
      [
        'main p2pkh',
        'main p2sh',
        'main p2wpkh',
        'main p2wsh',
        'main p2tr',
        'test p2pkh',
        'test p2sh',
        'test p2wpkh',
        'test p2wsh',
        'test p2tr',
        'regtest p2wsh',
        'regtest p2tr',
      ].sort(),
    );
  });

  it('refuses an address on any other chain, saying which chain it is not of', () => {
    for (const vector of addressVectors.valid) {
      const own = new Set(vector.chains.flatMap((name) => CHAINS_OF[name]));
      for (const chain of CHAINS.filter((candidate) => !own.has(candidate))) {
        const result = minerPayoutScript(vector.address, chain);
        expect(result.ok, `${vector.address} on ${chain}`).toBe(false);
        expect(!result.ok && result.message).toContain(`not a valid ${chain} address`);
      }
    }
  });

  it('refuses the BIP-173/350 invalid addresses on every chain', () => {
    for (const { address, reason } of addressVectors.invalid) {
      for (const chain of CHAINS) {
        expect(minerPayoutScript(address, chain).ok, `${address} (${reason}) on ${chain}`).toBe(false);
      }
    }
  });

  it('refuses every valid address with one character changed: the checksum is checked', () => {
    for (const vector of addressVectors.valid) {
      const changed = oneCharacterOff(vector.address);
      expect(changed).not.toBe(vector.address);
      for (const chain of vector.chains.flatMap((name) => CHAINS_OF[name])) {
        expect(minerPayoutScript(changed, chain).ok, `${changed} on ${chain}`).toBe(false);
      }
    }
  });

  it('refuses witness programs no rule guards yet: versions 2 to 16, and version 1 that is not taproot', () => {
    for (const { address, reason } of addressVectors.notYetSpendable) {
      const result = minerPayoutScript(address, 'main');
      expect(result.ok, `${address} (${reason})`).toBe(false);
    }
    const v16 = minerPayoutScript('BC1SW50QGDZ25J', 'main');
    expect(!v16.ok && v16.message).toMatch(/segwit version 16 address: no wallet can spend from it yet/);
    const v2 = minerPayoutScript('bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs', 'main');
    expect(!v2.ok && v2.message).toMatch(/segwit version 2 address/);
  });

  it('refuses what is not an address at all', () => {
    for (const text of ['', 'alice', 'x'.repeat(91), 'bcrt1', '1111111111111111111114oLvT2']) {
      expect(minerPayoutScript(text, 'regtest').ok, text).toBe(false);
    }
  });
});

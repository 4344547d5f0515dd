import { describe, expect, it } from 'vitest';
import { addressVectors } from '../../test/helpers/vectors.ts';
import { createAddressAuthorizer } from './worker-identity.ts';

const REGTEST_P2WPKH = 'bcrt1qqyqszqgpqyqszqgpqyqszqgpqyqszqgpvxat9t';
const regtest = createAddressAuthorizer('regtest', new Set(['farm-7']));

function refusal(username: unknown): string {
  const result = regtest.authorize(username, 'x');
  return result.ok ? 'authorized' : result.message;
}

describe('who may mine: an address of the chain or a registered account', () => {
  it('authorizes an address of the chain, with or without a worker name, cut at . or _', () => {
    for (const username of [REGTEST_P2WPKH, `${REGTEST_P2WPKH}.rig1`, `${REGTEST_P2WPKH}_rig1`]) {
      const result = regtest.authorize(username, 'x');
      expect(result.ok, username).toBe(true);
      expect(result.ok && result.identity.account).toBe(REGTEST_P2WPKH);
      // OP_0 and the 20-byte program 0101…01 the address encodes.
      expect(result.ok && result.identity.payoutScript?.toString('hex')).toBe(`0014${'01'.repeat(20)}`);
    }
    for (const vector of addressVectors.valid.filter((candidate) => candidate.chains.includes('regtest'))) {
      expect(regtest.authorize(`${vector.address}.rig`, 'x').ok, vector.address).toBe(true);
    }
  });

  it('authorizes a registered account, which SOLO cannot pay', () => {
    const result = regtest.authorize('farm-7.rack2', 'x');
    expect(result).toMatchObject({ ok: true, identity: { account: 'farm-7', payoutScript: undefined } });
  });

  it('refuses a name that is neither, saying what the username should be', () => {
    expect(refusal('alice.rig1')).toBe(
      'alice is not a registered account: the username is a regtest address (bcrt1…, m…, n… or 2…) or a registered account, then .worker',
    );
    expect(refusal('farm-8')).toMatch(/^farm-8 is not a registered account: /);
  });

  it('refuses an address of another network, a bad checksum or a bad witness program, saying why', () => {
    expect(refusal('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4.rig')).toMatch(
      /^bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 is not a valid regtest address .*: the username is a regtest address \(bcrt1…/,
    );
    expect(refusal(`${REGTEST_P2WPKH.slice(0, -1)}s.rig`)).toMatch(/is not a valid regtest address/);
    for (const { address } of addressVectors.invalid) {
      expect(refusal(`${address}.rig`), address).not.toBe('authorized');
    }
    for (const { address } of addressVectors.notYetSpendable) {
      expect(createAddressAuthorizer('main', new Set()).authorize(`${address}.rig`, 'x').ok, address).toBe(
        false,
      );
    }
  });

  it('refuses what no miner sends: no name, a long one, a worker name with spaces', () => {
    expect(refusal(undefined)).toMatch(/1 to 128 characters/);
    expect(refusal('')).toMatch(/1 to 128 characters/);
    expect(refusal('a'.repeat(129))).toMatch(/1 to 128 characters/);
    expect(refusal(`${REGTEST_P2WPKH}.rig one`)).toMatch(/worker name/);
  });

  it('asks the registered accounts only about names an address cannot be', () => {
    const asked: string[] = [];
    const watched = createAddressAuthorizer('regtest', {
      has(account) {
        asked.push(account);
        return false;
      },
    });
    watched.authorize(`${REGTEST_P2WPKH}.rig`, 'x');
    watched.authorize('bob.rig', 'x');
    watched.authorize('not an account.rig', 'x');
    expect(asked).toEqual(['bob']);
  });
});

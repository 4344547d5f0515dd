import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { noiseNn, sv2Spec } from '../../../../test/helpers/sv2-noise-vectors.ts';
import { CipherState } from './cipher-state.ts';
import { NoiseError } from './errors.ts';
import { SymmetricState } from './symmetric-state.ts';

const hex = (value: string): Buffer => Buffer.from(value, 'hex');

/** An X25519 key pair from its raw private key, for the cacophony vector's DH. */
function x25519(privateHex: string): { privateKey: KeyObject; publicKey: Buffer } {
  const privateKey = createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', d: hex(privateHex).toString('base64url'), x: '' },
    format: 'jwk',
  });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { privateKey, publicKey: Buffer.from(jwk.x as string, 'base64url') };
}

function dh(privateKey: KeyObject, publicKey: Buffer): Buffer {
  const peer = createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: publicKey.toString('base64url') },
    format: 'jwk',
  });
  return diffieHellman({ privateKey, publicKey: peer });
}

describe('SymmetricState and CipherState on the Noise NN vector (cacophony)', () => {
  it('writes and reads every message of Noise_NN_25519_ChaChaPoly_SHA256 exactly', () => {
    const [hello, reply, ...transport] = noiseNn.messages as [
      { payload: string; ciphertext: string },
      { payload: string; ciphertext: string },
      ...{ payload: string; ciphertext: string }[],
    ];
    const initiator = new SymmetricState(noiseNn.protocol_name);
    const responder = new SymmetricState(noiseNn.protocol_name);
    initiator.mixHash(hex(noiseNn.init_prologue));
    responder.mixHash(hex(noiseNn.resp_prologue));
    const initiatorE = x25519(noiseNn.init_ephemeral);
    const responderE = x25519(noiseNn.resp_ephemeral);

    // -> e
    initiator.mixHash(initiatorE.publicKey);
    const message1 = Buffer.concat([initiatorE.publicKey, initiator.encryptAndHash(hex(hello.payload))]);
    expect(message1.toString('hex')).toBe(hello.ciphertext);
    const receivedE = message1.subarray(0, 32);
    responder.mixHash(receivedE);
    expect(responder.decryptAndHash(message1.subarray(32)).toString('hex')).toBe(hello.payload);

    // <- e, ee
    responder.mixHash(responderE.publicKey);
    responder.mixKey(dh(responderE.privateKey, receivedE));
    const message2 = Buffer.concat([responderE.publicKey, responder.encryptAndHash(hex(reply.payload))]);
    expect(message2.toString('hex')).toBe(reply.ciphertext);
    initiator.mixHash(message2.subarray(0, 32));
    initiator.mixKey(dh(initiatorE.privateKey, message2.subarray(0, 32)));
    expect(initiator.decryptAndHash(message2.subarray(32)).toString('hex')).toBe(reply.payload);

    const [initiatorSend, initiatorReceive] = initiator.split();
    const [responderReceive, responderSend] = responder.split();
    for (const [index, message] of transport.entries()) {
      const fromInitiator = index % 2 === 0;
      const ciphertext = (fromInitiator ? initiatorSend : responderSend).encryptWithAd(
        new Uint8Array(0),
        hex(message.payload),
      );
      expect(ciphertext.toString('hex')).toBe(message.ciphertext);
      const plaintext = (fromInitiator ? responderReceive : initiatorReceive).decryptWithAd(
        new Uint8Array(0),
        ciphertext,
      );
      expect(plaintext.toString('hex')).toBe(message.payload);
    }
    // The vector's handshake_hash is not compared (see the fixture's note); both ends agree on h.
    expect(initiator.handshakeHash).toEqual(responder.handshakeHash);
  });

  it("hashes Stratum V2's 46-byte protocol name to the reference implementation's constant", () => {
    const state = new SymmetricState(sv2Spec.protocolName.name);
    expect(state.chainingKey.toString('hex')).toBe(sv2Spec.protocolName.sha256);
    expect(state.handshakeHash.toString('hex')).toBe(sv2Spec.protocolName.sha256);
  });
});

describe('CipherState', () => {
  const key = Buffer.alloc(32, 7);
  const empty = new Uint8Array(0);

  it('refuses a replayed or reordered ciphertext and keeps its nonce after a failure', () => {
    const sender = new CipherState(key);
    const receiver = new CipherState(key);
    const first = sender.encryptWithAd(empty, Buffer.from('first'));
    const second = sender.encryptWithAd(empty, Buffer.from('second'));

    expect(() => receiver.decryptWithAd(empty, second)).toThrow(NoiseError);
    expect(receiver.nonce).toBe(0);
    expect(receiver.decryptWithAd(empty, first).toString()).toBe('first');
    try {
      receiver.decryptWithAd(empty, first);
      expect.unreachable('a replayed ciphertext was accepted');
    } catch (error) {
      expect((error as NoiseError).code).toBe('ciphertext-rejected');
    }
    expect(receiver.decryptWithAd(empty, second).toString()).toBe('second');
  });

  it('refuses a ciphertext with a flipped bit, a wrong associated data or no tag', () => {
    const sender = new CipherState(key);
    const ciphertext = sender.encryptWithAd(Buffer.from('ad'), Buffer.from('payload'));
    const flipped = Buffer.from(ciphertext);
    flipped[0] = (flipped[0] as number) ^ 1;
    expect(() => new CipherState(key).decryptWithAd(Buffer.from('ad'), flipped)).toThrow(
      /did not authenticate/,
    );
    expect(() => new CipherState(key).decryptWithAd(Buffer.from('other'), ciphertext)).toThrow(
      /did not authenticate/,
    );
    expect(() => new CipherState(key).decryptWithAd(Buffer.from('ad'), ciphertext.subarray(0, 15))).toThrow(
      /did not authenticate/,
    );
  });

  it('stops at the last nonce instead of wrapping, and stays stopped', () => {
    const sender = new CipherState(key);
    const receiver = new CipherState(key);
    sender.setNonce(Number.MAX_SAFE_INTEGER);
    receiver.setNonce(Number.MAX_SAFE_INTEGER);
    const last = sender.encryptWithAd(empty, Buffer.from('last'));
    expect(receiver.decryptWithAd(empty, last).toString()).toBe('last');
    for (const state of [sender, receiver]) {
      try {
        state.encryptWithAd(empty, Buffer.from('one more'));
        expect.unreachable('a nonce past the last was used');
      } catch (error) {
        expect((error as NoiseError).code).toBe('nonce-exhausted');
      }
    }
    expect(() => receiver.decryptWithAd(empty, last)).toThrow(
      'the nonce counter is exhausted: open a new session',
    );
    expect(() => {
      sender.setNonce(-1);
    }).toThrow(RangeError);
  });

  it('passes data through while it has no key, as Noise says', () => {
    const state = new CipherState();
    expect(state.hasKey()).toBe(false);
    expect(state.encryptWithAd(empty, Buffer.from('clear')).toString()).toBe('clear');
  });
});

import { CipherState } from './cipher-state.ts';
import { HASH_LENGTH, hkdf2, sha256 } from './primitives.ts';

/**
 * Noise's SymmetricState ([sv2-spec 4.4.2]; Noise revision 34, 5.2): the chaining key ck,
 * the handshake hash h and the handshake's CipherState.
 */
export class SymmetricState {
  #chainingKey: Buffer;
  #handshakeHash: Buffer;
  readonly #cipher = new CipherState();

  /**
   * InitializeSymmetric: a name of at most 32 bytes padded with zeros, a longer one
   * hashed; ck = h. Stratum V2's name is 46 bytes, so h = ck = SHA-256(name) ([sv2-spec 4.5.1]).
   */
  constructor(protocolName: string) {
    const name = Buffer.from(protocolName, 'ascii');
    this.#handshakeHash = name.length <= HASH_LENGTH ? Buffer.concat([name], HASH_LENGTH) : sha256(name);
    this.#chainingKey = this.#handshakeHash;
  }

  get handshakeHash(): Buffer {
    return this.#handshakeHash;
  }

  get chainingKey(): Buffer {
    return this.#chainingKey;
  }

  hasKey(): boolean {
    return this.#cipher.hasKey();
  }

  mixHash(data: Uint8Array): void {
    this.#handshakeHash = sha256(this.#handshakeHash, data);
  }

  mixKey(inputKeyMaterial: Uint8Array): void {
    const [chainingKey, tempKey] = hkdf2(this.#chainingKey, inputKeyMaterial);
    this.#chainingKey = chainingKey;
    this.#cipher.initializeKey(tempKey);
  }

  encryptAndHash(plaintext: Uint8Array): Buffer {
    const ciphertext = this.#cipher.encryptWithAd(this.#handshakeHash, plaintext);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  /** Throws `ciphertext-rejected` (as CipherState does) when the ciphertext was changed. */
  decryptAndHash(ciphertext: Uint8Array): Buffer {
    const plaintext = this.#cipher.decryptWithAd(this.#handshakeHash, ciphertext);
    this.mixHash(ciphertext);
    return plaintext;
  }

  /** The two transport CipherStates: initiator to responder first, then back. */
  split(): [CipherState, CipherState] {
    const [initiatorToResponder, responderToInitiator] = hkdf2(this.#chainingKey, new Uint8Array(0));
    return [new CipherState(initiatorToResponder), new CipherState(responderToInitiator)];
  }
}

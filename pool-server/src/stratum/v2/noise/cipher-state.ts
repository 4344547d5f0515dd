import { NoiseError } from './errors.ts';
import type { KeyObject } from 'node:crypto';
import { aeadDecrypt, aeadEncrypt, aeadKey, KEY_LENGTH } from './primitives.ts';

/**
 * Noise's last usable nonce is 2^64 - 2. The counter is a JavaScript number, exact up to
 * 2^53: a session that sends a million frames a second reaches it in 285 years, so the
 * limit is the number's, well before the protocol's.
 */
const LAST_NONCE = Number.MAX_SAFE_INTEGER;

/**
 * [sv2-spec 4.4.1] CipherState: a key and the nonce counter that goes with it. The
 * nonce is never sent: both ends count, so a replayed, dropped or reordered ciphertext
 * fails to authenticate. A failed decryption leaves the counter where it was.
 */
export class CipherState {
  #key: KeyObject | undefined;
  #nonce = 0;

  constructor(key?: Uint8Array) {
    if (key !== undefined) {
      this.initializeKey(key);
    }
  }

  initializeKey(key: Uint8Array): void {
    if (key.length !== KEY_LENGTH) {
      throw new RangeError(
        `a ChaCha20-Poly1305 key is ${String(KEY_LENGTH)} bytes, not ${String(key.length)}`,
      );
    }
    this.#key = aeadKey(key);
    this.#nonce = 0;
  }

  hasKey(): boolean {
    return this.#key !== undefined;
  }

  /** The nonce the next message uses. */
  get nonce(): number {
    return this.#nonce;
  }

  /** Noise's SetNonce (revision 34, 5.1): where a transport that knows its place resumes counting. */
  setNonce(nonce: number): void {
    if (!Number.isSafeInteger(nonce) || nonce < 0) {
      throw new RangeError(`a nonce is a counter from 0, not ${String(nonce)}`);
    }
    this.#nonce = nonce;
  }

  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Buffer {
    if (this.#key === undefined) {
      return Buffer.from(plaintext);
    }
    return aeadEncrypt(this.#key, this.#takeNonce(), ad, plaintext);
  }

  /** The plaintext; a ciphertext that does not authenticate throws `ciphertext-rejected`. */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Buffer {
    if (this.#key === undefined) {
      return Buffer.from(ciphertext);
    }
    this.#checkNonce();
    const plaintext = aeadDecrypt(this.#key, this.#nonce, ad, ciphertext);
    if (plaintext === undefined) {
      throw new NoiseError(
        'ciphertext-rejected',
        `a ciphertext did not authenticate at nonce ${String(this.#nonce)}: it was changed, replayed or reordered`,
      );
    }
    this.#nonce += 1;
    return plaintext;
  }

  #checkNonce(): void {
    if (this.#nonce > LAST_NONCE) {
      throw new NoiseError('nonce-exhausted', 'the nonce counter is exhausted: open a new session');
    }
  }

  #takeNonce(): number {
    this.#checkNonce();
    const nonce = this.#nonce;
    this.#nonce += 1;
    return nonce;
  }
}

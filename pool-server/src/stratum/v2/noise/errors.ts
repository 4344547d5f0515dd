/**
 * Why a Noise session ended. Every one of them ends the connection: a peer that sends a
 * bad handshake or a ciphertext that does not authenticate gets no second try on the same
 * keys ([sv2-spec 4.5]: "Should the decryption fail at any point, the session must be
 * terminated").
 */
export type NoiseErrorCode =
  /** The handshake message is not the length the pattern gives it. */
  | 'handshake-length'
  /** A handshake step came out of order, or twice. */
  | 'handshake-order'
  /** A MAC of the responder's handshake message failed: it was changed on the way. */
  | 'handshake-tampered'
  /** The certificate is not signed by the pinned authority over this server's static key. */
  | 'certificate-signature'
  /** The certificate's valid_from is still ahead. */
  | 'certificate-not-yet-valid'
  /** The certificate's not_valid_after has passed. */
  | 'certificate-expired'
  /** A certificate format this implementation does not know. */
  | 'certificate-version'
  /** A transport ciphertext did not authenticate: changed, replayed or out of order. */
  | 'ciphertext-rejected'
  /** A frame announces a payload longer than this connection accepts. */
  | 'frame-too-large'
  /** The frame handed to encryptFrame does not match its own header. */
  | 'frame-malformed'
  /** The decoder already failed once; the session is over. */
  | 'session-closed'
  /** The nonce counter ran out; the session must be replaced, never wrapped. */
  | 'nonce-exhausted';

export class NoiseError extends Error {
  readonly code: NoiseErrorCode;
  constructor(code: NoiseErrorCode, message: string) {
    super(message);
    this.name = 'NoiseError';
    this.code = code;
  }
}

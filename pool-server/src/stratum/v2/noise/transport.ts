import type { CipherState } from './cipher-state.ts';
import { NoiseError } from './errors.ts';
import { MAC_LENGTH } from './primitives.ts';

/**
 * [sv2-spec 4.6] Encrypted Stratum V2 framing, after the handshake. A frame is its 6-byte
 * header (extension_type U16, msg_type U8, msg_length U24, little-endian) and its payload.
 * The header is one AEAD message (22 bytes on the wire); the payload is cut into chunks
 * of at most 65519 bytes, each its own AEAD message of at most 65535 bytes with its MAC.
 * msg_length always counts the plaintext payload. Associated data is empty throughout.
 */

export const FRAME_HEADER_LENGTH = 6;
export const ENCRYPTED_HEADER_LENGTH = FRAME_HEADER_LENGTH + MAC_LENGTH;
/** The largest Noise message, ciphertext and MAC ([sv2-spec 4.6] MAX_CT_LEN). */
export const MAX_CIPHERTEXT_CHUNK = 65535;
export const MAX_PLAINTEXT_CHUNK = MAX_CIPHERTEXT_CHUNK - MAC_LENGTH;
/** msg_length is a U24. */
export const MAX_PAYLOAD_LENGTH = 0xff_ffff;

const NO_AD = new Uint8Array(0);

/** [sv2-spec 4.6] pt_len_to_ct_len: the bytes a payload of this length takes on the wire. */
export function encryptedPayloadLength(payloadLength: number): number {
  const remainder = payloadLength % MAX_PLAINTEXT_CHUNK;
  return (
    Math.floor(payloadLength / MAX_PLAINTEXT_CHUNK) * MAX_CIPHERTEXT_CHUNK +
    (remainder > 0 ? remainder + MAC_LENGTH : 0)
  );
}

function payloadLengthOf(header: Uint8Array): number {
  return (header[3] as number) | ((header[4] as number) << 8) | ((header[5] as number) << 16);
}

export interface TransportLimits {
  /**
   * The longest payload a received frame may announce, in bytes; a longer one ends the
   * session as soon as its header is read, before any of it is buffered.
   */
  readonly maxPayloadBytes: number;
}

/**
 * Takes ciphertext as it arrives, in any cuts, and gives back whole plaintext frames
 * (header and payload). The first ciphertext that does not authenticate, or header that
 * announces too long a payload, throws a NoiseError; after that every push throws
 * `session-closed`, since the two ends' nonces no longer agree.
 */
export class FrameDecryptor {
  readonly #receive: CipherState;
  readonly #maxPayloadBytes: number;
  /**
   * Bytes received and not yet decrypted, in the pieces they came in: joined only once a
   * whole header or payload is there, so a large frame in small pieces is copied once.
   */
  #pieces: Buffer[] = [];
  #pendingLength = 0;
  /** The decrypted header of the frame whose payload is awaited. */
  #header: Buffer | undefined;
  #closed: NoiseError | undefined;

  constructor(receive: CipherState, limits: TransportLimits) {
    this.#receive = receive;
    this.#maxPayloadBytes = Math.min(limits.maxPayloadBytes, MAX_PAYLOAD_LENGTH);
  }

  /** Ciphertext bytes held until the rest of their frame arrives. */
  get pendingBytes(): number {
    return this.#pendingLength;
  }

  push(chunk: Uint8Array): Buffer[] {
    if (this.#closed !== undefined) {
      throw new NoiseError('session-closed', `the session already failed: ${this.#closed.message}`);
    }
    const received = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    this.#pieces.push(received);
    this.#pendingLength += chunk.length;
    const frames: Buffer[] = [];
    try {
      for (let frame = this.#next(); frame !== undefined; frame = this.#next()) {
        frames.push(frame);
      }
    } catch (error) {
      this.#closed = error as NoiseError;
      this.#pieces = [];
      this.#pendingLength = 0;
      throw error;
    }
    // Only what waits for the rest of its frame is copied (the socket may reuse the chunk's
    // memory): whole frames are decrypted from the chunk itself.
    const last = this.#pieces.length - 1;
    const kept = this.#pieces[last];
    if (kept?.buffer === received.buffer) {
      this.#pieces[last] = Buffer.from(kept);
    }
    return frames;
  }

  /** The next `length` bytes; the caller has checked they are there. */
  #take(length: number): Buffer {
    if ((this.#pieces[0]?.length ?? 0) < length) {
      this.#pieces = [Buffer.concat(this.#pieces, this.#pendingLength)];
    }
    const first = this.#pieces[0] as Buffer;
    const taken = first.subarray(0, length);
    if (first.length === length) {
      this.#pieces.shift();
    } else {
      this.#pieces[0] = first.subarray(length);
    }
    this.#pendingLength -= length;
    return taken;
  }

  #next(): Buffer | undefined {
    if (this.#header === undefined) {
      if (this.#pendingLength < ENCRYPTED_HEADER_LENGTH) {
        return undefined;
      }
      const header = this.#receive.decryptWithAd(NO_AD, this.#take(ENCRYPTED_HEADER_LENGTH));
      const payloadLength = payloadLengthOf(header);
      if (payloadLength > this.#maxPayloadBytes) {
        throw new NoiseError(
          'frame-too-large',
          `a frame announces a ${String(payloadLength)}-byte payload; at most ${String(this.#maxPayloadBytes)} are accepted`,
        );
      }
      this.#header = header;
    }
    const payloadLength = payloadLengthOf(this.#header);
    if (this.#pendingLength < encryptedPayloadLength(payloadLength)) {
      return undefined;
    }
    const parts = [this.#header];
    for (let left = payloadLength; left > 0; left -= MAX_PLAINTEXT_CHUNK) {
      const chunkLength = Math.min(left, MAX_PLAINTEXT_CHUNK) + MAC_LENGTH;
      parts.push(this.#receive.decryptWithAd(NO_AD, this.#take(chunkLength)));
    }
    this.#header = undefined;
    return Buffer.concat(parts);
  }
}

/** One end of an encrypted Stratum V2 connection: the sending cipher and the receiving decoder. */
export class NoiseTransport {
  readonly #send: CipherState;
  readonly decryptor: FrameDecryptor;

  constructor(send: CipherState, receive: CipherState, limits: TransportLimits) {
    this.#send = send;
    this.decryptor = new FrameDecryptor(receive, limits);
  }

  /** The wire bytes of one frame; `frame` is its 6-byte header and the payload msg_length counts. */
  encryptFrame(frame: Uint8Array): Buffer {
    if (frame.length < FRAME_HEADER_LENGTH || frame.length !== FRAME_HEADER_LENGTH + payloadLengthOf(frame)) {
      throw new NoiseError(
        'frame-malformed',
        `a frame of ${String(frame.length)} bytes does not match the payload length its header gives`,
      );
    }
    const parts = [this.#send.encryptWithAd(NO_AD, frame.subarray(0, FRAME_HEADER_LENGTH))];
    for (let start = FRAME_HEADER_LENGTH; start < frame.length; start += MAX_PLAINTEXT_CHUNK) {
      parts.push(this.#send.encryptWithAd(NO_AD, frame.subarray(start, start + MAX_PLAINTEXT_CHUNK)));
    }
    return Buffer.concat(parts);
  }
}

/**
 * The miner's side of Stratum V2's Noise NX handshake, for tests: written from the
 * specification ([sv2-spec 4.5.1.1, 4.5.2.2, 4.5.3, 4.6]), apart from the pool's responder.
 * It shares only the primitives (SymmetricState, CipherState, ElligatorSwift, the
 * certificate check) and frames its messages with its own code, so a slip in the pool's
 * framing does not cancel out against the same slip here.
 */
import { randomBytes } from 'node:crypto';
import type { CipherState } from '../../src/stratum/v2/noise/cipher-state.ts';
import {
  checkCertificate,
  decodeSignatureNoiseMessage,
  type Certificate,
} from '../../src/stratum/v2/noise/certificate.ts';
import {
  decodeEllSwift,
  ellSwiftPublicKey,
  ellSwiftSharedSecret,
  generateSecretKey,
  type RandomSource,
} from '../../src/stratum/v2/noise/ellswift.ts';
import { NoiseError } from '../../src/stratum/v2/noise/errors.ts';
import { SymmetricState } from '../../src/stratum/v2/noise/symmetric-state.ts';

const PROTOCOL_NAME = 'Noise_NX_Secp256k1+EllSwift_ChaChaPoly_SHA256';
const KEY = 64;
const MAC = 16;
const REPLY_LENGTH = KEY + KEY + MAC + 74 + MAC;
const MAX_CT = 65535;
const MAX_PT = MAX_CT - MAC;
const NO_AD = new Uint8Array(0);

export interface InitiatorOptions {
  /** The authority public key the miner pinned (32 bytes, x-only). */
  readonly authorityPublicKey: Buffer;
  /** Unix seconds at which the certificate is checked. */
  readonly nowSeconds: number;
  readonly random?: RandomSource;
}

/** A finished handshake, seen from the miner. */
export interface InitiatorSession {
  readonly certificate: Certificate;
  /** The pool's static key, x-only, as the certificate names it. */
  readonly serverPublicKey: Buffer;
  /** The wire bytes of a frame: a 6-byte header and its payload. */
  encrypt(frame: Uint8Array): Buffer;
  /** Every whole frame in `wire`, which must hold whole frames only. */
  decrypt(wire: Uint8Array): Buffer[];
  /**
   * One AEAD message from the pool (a frame header's 22 bytes or one payload chunk), for
   * a reader that cuts the stream into frames itself.
   */
  open(ciphertext: Uint8Array): Buffer;
}

function payloadLength(header: Uint8Array): number {
  return Buffer.from(header).readUIntLE(3, 3);
}

export class NoiseInitiator {
  readonly #options: InitiatorOptions;
  readonly #random: RandomSource;
  readonly #state = new SymmetricState(PROTOCOL_NAME);
  readonly #ephemeralSecret: Buffer;
  #ephemeral: Buffer | undefined;
  #done = false;

  constructor(options: InitiatorOptions) {
    this.#options = options;
    this.#random = options.random ?? randomBytes;
    this.#ephemeralSecret = generateSecretKey(this.#random);
    this.#state.mixHash(NO_AD);
  }

  /** Act 1, `-> e`. */
  hello(): Buffer {
    if (this.#ephemeral !== undefined) {
      throw new NoiseError('handshake-order', 'act 1 was already written');
    }
    this.#ephemeral = ellSwiftPublicKey(this.#ephemeralSecret, this.#random);
    this.#state.mixHash(this.#ephemeral);
    return Buffer.concat([this.#ephemeral, this.#state.encryptAndHash(NO_AD)]);
  }

  /** Reads act 2 and checks the certificate; every failure is a NoiseError. */
  readReply(reply: Uint8Array): InitiatorSession {
    const ephemeral = this.#ephemeral;
    if (ephemeral === undefined || this.#done) {
      throw new NoiseError('handshake-order', 'act 2 comes once, after act 1');
    }
    this.#done = true;
    if (reply.length !== REPLY_LENGTH) {
      throw new NoiseError(
        'handshake-length',
        `act 2 is ${String(REPLY_LENGTH)} bytes, not ${String(reply.length)}`,
      );
    }
    const bytes = Buffer.from(reply);
    const remoteEphemeral = bytes.subarray(0, KEY);
    this.#state.mixHash(remoteEphemeral);
    this.#state.mixKey(ellSwiftSharedSecret(this.#ephemeralSecret, ephemeral, remoteEphemeral, true));
    const remoteStatic = this.#open(bytes.subarray(KEY, KEY + KEY + MAC));
    this.#state.mixKey(ellSwiftSharedSecret(this.#ephemeralSecret, ephemeral, remoteStatic, true));
    const certificate = decodeSignatureNoiseMessage(this.#open(bytes.subarray(KEY + KEY + MAC)));
    const serverPublicKey = decodeEllSwift(remoteStatic);
    const check = checkCertificate(
      certificate,
      serverPublicKey,
      this.#options.authorityPublicKey,
      this.#options.nowSeconds,
    );
    if (!check.ok) {
      throw new NoiseError(check.code, check.reason);
    }
    const [toPool, fromPool] = this.#state.split();
    return {
      certificate,
      serverPublicKey,
      encrypt: (frame) => encryptFrame(toPool, frame),
      decrypt: (wire) => decryptFrames(fromPool, wire),
      open: (ciphertext) => fromPool.decryptWithAd(NO_AD, ciphertext),
    };
  }

  #open(ciphertext: Buffer): Buffer {
    try {
      return this.#state.decryptAndHash(ciphertext);
    } catch (error) {
      throw new NoiseError('handshake-tampered', `act 2 did not authenticate: ${(error as Error).message}`);
    }
  }
}

function encryptFrame(cipher: CipherState, frame: Uint8Array): Buffer {
  const header = frame.subarray(0, 6);
  const payload = frame.subarray(6);
  const parts = [cipher.encryptWithAd(NO_AD, header)];
  for (let start = 0; start < payload.length; start += MAX_PT) {
    parts.push(cipher.encryptWithAd(NO_AD, payload.subarray(start, start + MAX_PT)));
  }
  return Buffer.concat(parts);
}

function decryptFrames(cipher: CipherState, wire: Uint8Array): Buffer[] {
  const frames: Buffer[] = [];
  let offset = 0;
  while (offset < wire.length) {
    const header = cipher.decryptWithAd(NO_AD, wire.subarray(offset, offset + 6 + MAC));
    offset += 6 + MAC;
    const parts = [header];
    let left = payloadLength(header);
    while (left > 0) {
      const take = Math.min(left, MAX_PT);
      parts.push(cipher.decryptWithAd(NO_AD, wire.subarray(offset, offset + take + MAC)));
      offset += take + MAC;
      left -= take;
    }
    frames.push(Buffer.concat(parts));
  }
  return frames;
}

/** A Stratum V2 frame: extension_type, msg_type, msg_length (U24 LE), then the payload. */
export function sv2Frame(extensionType: number, messageType: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(extensionType, 0);
  header.writeUInt8(messageType, 2);
  header.writeUIntLE(payload.length, 3, 3);
  return Buffer.concat([header, payload]);
}

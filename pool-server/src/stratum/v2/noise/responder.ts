import type { Certificate } from './certificate.ts';
import { encodeSignatureNoiseMessage, SIGNATURE_NOISE_MESSAGE_LENGTH } from './certificate.ts';
import type { ECDH } from 'node:crypto';
import {
  decodeEllSwift,
  ecdhWith,
  ELLSWIFT_LENGTH,
  ellSwiftPublicKeyOf,
  ellSwiftSharedSecretOf,
  generateSecretKey,
  type RandomSource,
} from './ellswift.ts';
import { NoiseError } from './errors.ts';
import { MAC_LENGTH } from './primitives.ts';
import { SymmetricState } from './symmetric-state.ts';
import { NoiseTransport, type TransportLimits } from './transport.ts';

/** [sv2-spec 4.5.1] The Noise protocol name, exactly as the specification writes it. */
export const NOISE_PROTOCOL_NAME = 'Noise_NX_Secp256k1+EllSwift_ChaChaPoly_SHA256';

/** [sv2-spec 4.5.1] Act 1, `-> e`: the initiator's ElligatorSwift ephemeral key. */
export const HANDSHAKE_HELLO_LENGTH = ELLSWIFT_LENGTH;
/**
 * [sv2-spec 4.5.2] Act 2, `<- e, ee, s, es, SIGNATURE_NOISE_MESSAGE`: 64 + (64 + 16) +
 * (74 + 16) = 234 bytes. (The table in the specification still says 170, the length from
 * before the keys became 64-byte ElligatorSwift encodings; the reference implementation's
 * INITIATOR_EXPECTED_HANDSHAKE_MESSAGE_SIZE is 234.)
 */
export const HANDSHAKE_REPLY_LENGTH =
  ELLSWIFT_LENGTH + ELLSWIFT_LENGTH + MAC_LENGTH + SIGNATURE_NOISE_MESSAGE_LENGTH + MAC_LENGTH;

/**
 * What the pool proves itself with: its static key and the authority's certificate for
 * it, with what every handshake would otherwise compute again from them.
 */
export interface NoiseServerIdentity {
  readonly staticSecretKey: Buffer;
  /** The static key's OpenSSL context: making one costs a multiplication. */
  readonly staticEcdh: ECDH;
  /** The static key's ElligatorSwift encoding, made once: it travels encrypted, so reusing it hides nothing less. */
  readonly staticEllSwift: Buffer;
  readonly certificate: Certificate;
  /** The certificate as act 2 carries it. */
  readonly signatureNoiseMessage: Buffer;
}

export function noiseServerIdentity(
  staticSecretKey: Buffer,
  certificate: Certificate,
  random: RandomSource,
): NoiseServerIdentity {
  const staticEcdh = ecdhWith(staticSecretKey);
  return {
    staticSecretKey,
    staticEcdh,
    staticEllSwift: ellSwiftPublicKeyOf(staticEcdh, random),
    certificate,
    signatureNoiseMessage: encodeSignatureNoiseMessage(certificate),
  };
}

export interface HandshakeReply {
  /** Act 2, to send to the initiator. */
  readonly reply: Buffer;
  /** The session: encrypts what the pool sends, decrypts what the miner sends. */
  readonly transport: NoiseTransport;
}

/**
 * [sv2-spec 4.5.1.2, 4.5.2.1] The pool's whole side of the NX handshake: it reads act 1
 * and answers with act 2. Any 64 bytes are some X coordinate, so the only bad act 1 is one
 * of the wrong length.
 */
export function respondToHandshake(
  identity: NoiseServerIdentity,
  hello: Uint8Array,
  random: RandomSource,
  limits: TransportLimits,
): HandshakeReply {
  if (hello.length !== HANDSHAKE_HELLO_LENGTH) {
    throw new NoiseError(
      'handshake-length',
      `the handshake's first message is ${String(HANDSHAKE_HELLO_LENGTH)} bytes, not ${String(hello.length)}`,
    );
  }
  const state = new SymmetricState(NOISE_PROTOCOL_NAME);
  // [sv2-spec 4.5.1] h = HASH(h): Noise's MixHash of an empty prologue.
  state.mixHash(new Uint8Array(0));
  const encoding = Buffer.from(hello);
  state.mixHash(encoding);
  state.decryptAndHash(new Uint8Array(0));
  // Decoded once for both of its ECDHs (ee, es).
  const remoteEphemeral = { encoding, x: decodeEllSwift(encoding) };

  // One context for the ephemeral key's public key and its ECDH: each context made costs a multiplication.
  const ephemeralEcdh = ecdhWith(generateSecretKey(random));
  const ephemeral = ellSwiftPublicKeyOf(ephemeralEcdh, random);
  state.mixHash(ephemeral);
  state.mixKey(ellSwiftSharedSecretOf(ephemeralEcdh, ephemeral, remoteEphemeral, false));
  const encryptedStatic = state.encryptAndHash(identity.staticEllSwift);
  state.mixKey(ellSwiftSharedSecretOf(identity.staticEcdh, identity.staticEllSwift, remoteEphemeral, false));
  const encryptedCertificate = state.encryptAndHash(identity.signatureNoiseMessage);

  const [fromInitiator, toInitiator] = state.split();
  return {
    reply: Buffer.concat([ephemeral, encryptedStatic, encryptedCertificate]),
    transport: new NoiseTransport(toInitiator, fromInitiator, limits),
  };
}

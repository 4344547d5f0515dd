import { schnorr } from '@noble/curves/secp256k1.js';
import { sha256 } from './primitives.ts';

/**
 * [sv2-spec 4.5.2, 4.5.3] The pool's certificate: its static key signed by the authority
 * key miners pin. On the wire it is SIGNATURE_NOISE_MESSAGE (version U16, valid_from U32,
 * not_valid_after U32, all little-endian, then the 64-byte signature); the signed message
 * is SHA-256(version || valid_from || not_valid_after || server static x-only key),
 * signed with BIP340 Schnorr.
 */

/** The format version the reference implementation and Bitcoin Core's sv2 code write and accept. */
export const CERTIFICATE_VERSION = 0;
export const SIGNATURE_NOISE_MESSAGE_LENGTH = 74;
/**
 * Clock difference tolerated each side of the validity window, in seconds: the reference
 * implementation's TIME_LEEWAY (stratum-mining/stratum issue 2015).
 */
export const CERTIFICATE_LEEWAY_SECONDS = 10;

export interface Certificate {
  readonly version: number;
  /** Unix seconds. */
  readonly validFrom: number;
  /** Unix seconds; the last second it is valid. */
  readonly notValidAfter: number;
  /** 64-byte BIP340 signature by the authority key. */
  readonly signature: Buffer;
}

export type CertificateCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code:
        'certificate-signature' | 'certificate-not-yet-valid' | 'certificate-expired' | 'certificate-version';
      readonly reason: string;
    };

function signedFields(version: number, validFrom: number, notValidAfter: number): Buffer {
  const fields = Buffer.alloc(10);
  fields.writeUInt16LE(version, 0);
  fields.writeUInt32LE(validFrom, 2);
  fields.writeUInt32LE(notValidAfter, 6);
  return fields;
}

/** The 32-byte message the authority signs. */
export function certificateDigest(
  version: number,
  validFrom: number,
  notValidAfter: number,
  serverPublicKey: Uint8Array,
): Buffer {
  return sha256(signedFields(version, validFrom, notValidAfter), serverPublicKey);
}

export interface CertificateRequest {
  readonly authoritySecretKey: Uint8Array;
  /** The pool's static key, x-only (32 bytes). */
  readonly serverPublicKey: Uint8Array;
  readonly validFrom: number;
  readonly notValidAfter: number;
  /** BIP340's auxiliary randomness (32 bytes). */
  readonly auxRand: Uint8Array;
}

export function issueCertificate(request: CertificateRequest): Certificate {
  if (!(
    request.validFrom <= request.notValidAfter &&
    request.notValidAfter <= 0xffff_ffff &&
    request.validFrom >= 0
  )) {
    throw new RangeError(
      'a certificate is valid over a window of unix seconds that fit 32 bits, start first',
    );
  }
  const digest = certificateDigest(
    CERTIFICATE_VERSION,
    request.validFrom,
    request.notValidAfter,
    request.serverPublicKey,
  );
  return {
    version: CERTIFICATE_VERSION,
    validFrom: request.validFrom,
    notValidAfter: request.notValidAfter,
    signature: Buffer.from(schnorr.sign(digest, request.authoritySecretKey, request.auxRand)),
  };
}

export function encodeSignatureNoiseMessage(certificate: Certificate): Buffer {
  return Buffer.concat([
    signedFields(certificate.version, certificate.validFrom, certificate.notValidAfter),
    certificate.signature,
  ]);
}

export function decodeSignatureNoiseMessage(message: Uint8Array): Certificate {
  if (message.length !== SIGNATURE_NOISE_MESSAGE_LENGTH) {
    throw new RangeError(`SIGNATURE_NOISE_MESSAGE is ${String(SIGNATURE_NOISE_MESSAGE_LENGTH)} bytes`);
  }
  const bytes = Buffer.from(message);
  return {
    version: bytes.readUInt16LE(0),
    validFrom: bytes.readUInt32LE(2),
    notValidAfter: bytes.readUInt32LE(6),
    signature: bytes.subarray(10),
  };
}

/** Whether `authorityPublicKey` signed `certificate` for `serverPublicKey`, valid at `nowSeconds`. */
export function checkCertificate(
  certificate: Certificate,
  serverPublicKey: Uint8Array,
  authorityPublicKey: Uint8Array,
  nowSeconds: number,
  leewaySeconds = CERTIFICATE_LEEWAY_SECONDS,
): CertificateCheck {
  if (certificate.version !== CERTIFICATE_VERSION) {
    return {
      ok: false,
      code: 'certificate-version',
      reason: `certificate version ${String(certificate.version)} is not ${String(CERTIFICATE_VERSION)}`,
    };
  }
  const digest = certificateDigest(
    certificate.version,
    certificate.validFrom,
    certificate.notValidAfter,
    serverPublicKey,
  );
  if (!schnorr.verify(certificate.signature, digest, authorityPublicKey)) {
    return {
      ok: false,
      code: 'certificate-signature',
      reason: "the certificate is not the pinned authority's signature over this server's static key",
    };
  }
  if (nowSeconds + leewaySeconds < certificate.validFrom) {
    return {
      ok: false,
      code: 'certificate-not-yet-valid',
      reason: `the certificate is valid from ${new Date(certificate.validFrom * 1000).toISOString()}`,
    };
  }
  if (nowSeconds - leewaySeconds > certificate.notValidAfter) {
    return {
      ok: false,
      code: 'certificate-expired',
      reason: `the certificate expired at ${new Date(certificate.notValidAfter * 1000).toISOString()}`,
    };
  }
  return { ok: true };
}

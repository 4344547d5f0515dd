import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The pool's report key: Ed25519, signing the 32 bytes of each report's SHA-256 digest,
 * so anyone holding the file and the public key can check it, with this pool's CLI or
 * with openssl (`openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in digest.bin -sigfile sig.bin`).
 */
export interface ReportSigner {
  sign(digest: Buffer): Buffer;
  /** The raw 32-byte public key. */
  readonly publicKey: Buffer;
  /** The public key as SubjectPublicKeyInfo PEM. */
  readonly publicKeyPem: string;
  /** SHA-256 of the raw public key, lowercase hex: what the key registry and each report name it by. */
  readonly fingerprint: string;
}

/** A key's fingerprint: SHA-256 of the raw 32-byte public key, lowercase hex. */
export function keyFingerprint(publicKey: Buffer): string {
  return createHash('sha256').update(publicKey).digest('hex');
}

function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || jwk.x === undefined) {
    throw new Error('the report signing key must be an Ed25519 key');
  }
  return Buffer.from(jwk.x, 'base64url');
}

export function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

export function signerFromKey(privateKey: KeyObject): ReportSigner {
  const publicKey = createPublicKey(privateKey);
  const raw = rawPublicKey(publicKey);
  return {
    sign: (digest) => sign(null, digest, privateKey),
    publicKey: raw,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    fingerprint: keyFingerprint(raw),
  };
}

/** Whether `signature` is the Ed25519 signature of `digest` under the raw public key. */
export function digestSigned(digest: Buffer, signature: Buffer, publicKey: Buffer): boolean {
  try {
    return verify(null, digest, publicKeyFromRaw(publicKey), signature);
  } catch {
    // A key or signature of the wrong length is no signature at all.
    return false;
  }
}

export type KeyFileRead =
  | { readonly kind: 'key'; readonly signer: ReportSigner }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable'; readonly reason: string };

/**
 * The key in `file` (PKCS#8 PEM). Missing or unreadable is an answer (the registry
 * decides what it means); a file that is not an Ed25519 private key throws, naming the file.
 */
export function readSigningKey(file: string): KeyFileRead {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    return code === 'ENOENT' ? { kind: 'missing' } : { kind: 'unreadable', reason: code ?? message };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new Error(`${file} is not a private key in PEM: ${(error as Error).message}`, { cause: error });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${file} holds a ${String(key.asymmetricKeyType)} key; reports are signed with Ed25519`);
  }
  return { kind: 'key', signer: signerFromKey(key) };
}

import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

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
  return {
    sign: (digest) => sign(null, digest, privateKey),
    publicKey: rawPublicKey(publicKey),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
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

/**
 * The key in `file` (PKCS#8 PEM), made on first use and kept readable by its owner only.
 * A key file that is not an Ed25519 private key stops start-up naming the file.
 */
export function loadSigningKey(file: string): ReportSigner {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
    const { privateKey } = generateKeyPairSync('ed25519');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return signerFromKey(privateKey);
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
  return signerFromKey(key);
}

import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  type KeyObject,
} from 'node:crypto';

/**
 * The hash, HMAC, HKDF and AEAD of Noise_*_ChaChaPoly_SHA256 ([sv2-spec 4.3.2, 4.3.3,
 * 4.4.2]; Noise revision 34, sections 4.2 and 4.3), on node:crypto.
 */

export const HASH_LENGTH = 32;
export const KEY_LENGTH = 32;
/** The Poly1305 tag each AEAD ciphertext carries. */
export const MAC_LENGTH = 16;

export function sha256(...parts: readonly Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(part);
  }
  return hash.digest();
}

export function hmacSha256(key: Uint8Array, data: Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** [sv2-spec 4.4.2] HKDF(chaining_key, input_key_material) with two outputs and no info. */
export function hkdf2(chainingKey: Uint8Array, inputKeyMaterial: Uint8Array): [Buffer, Buffer] {
  const tempKey = hmacSha256(chainingKey, inputKeyMaterial);
  const output1 = hmacSha256(tempKey, Uint8Array.of(0x01));
  const output2 = hmacSha256(tempKey, Buffer.concat([output1, Uint8Array.of(0x02)]));
  return [output1, output2];
}

/**
 * [sv2-spec 4.4.1] The 96-bit ChaCha20-Poly1305 nonce: 32 zero bits, then the 64-bit
 * counter little-endian (Noise's convention, not the IETF example's). One buffer serves
 * every message: node:crypto copies the nonce into the cipher it makes.
 */
const nonceBytes = Buffer.alloc(12);

function aeadNonce(counter: number): Buffer {
  nonceBytes.writeUInt32LE(counter % 0x1_0000_0000, 4);
  nonceBytes.writeUInt32LE(Math.floor(counter / 0x1_0000_0000), 8);
  return nonceBytes;
}

/**
 * A key as node:crypto keeps it: made once per key, it spares each message's cipher the
 * copy and checks of raw key bytes. node:crypto cannot re-key a cipher object, so each
 * AEAD message still makes one.
 */
export function aeadKey(key: Uint8Array): KeyObject {
  return createSecretKey(key);
}

/** Ciphertext and tag, in one buffer. An empty `ad` is no associated data at all: the MAC is the same. */
export function aeadEncrypt(key: KeyObject, counter: number, ad: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, aeadNonce(counter), { authTagLength: MAC_LENGTH });
  if (ad.length > 0) {
    cipher.setAAD(ad, { plaintextLength: plaintext.length });
  }
  const body = cipher.update(plaintext);
  // A stream cipher: final() adds no bytes, it only computes the tag.
  cipher.final();
  const sealed = Buffer.allocUnsafe(body.length + MAC_LENGTH);
  body.copy(sealed, 0);
  cipher.getAuthTag().copy(sealed, body.length);
  return sealed;
}

/** The plaintext, or undefined when the ciphertext does not authenticate under key, nonce and ad. */
export function aeadDecrypt(
  key: KeyObject,
  counter: number,
  ad: Uint8Array,
  ciphertext: Uint8Array,
): Buffer | undefined {
  if (ciphertext.length < MAC_LENGTH) {
    return undefined;
  }
  const bodyLength = ciphertext.length - MAC_LENGTH;
  const decipher = createDecipheriv('chacha20-poly1305', key, aeadNonce(counter), {
    authTagLength: MAC_LENGTH,
  });
  decipher.setAuthTag(ciphertext.subarray(bodyLength));
  if (ad.length > 0) {
    decipher.setAAD(ad, { plaintextLength: bodyLength });
  }
  const plaintext = decipher.update(ciphertext.subarray(0, bodyLength));
  try {
    decipher.final();
  } catch {
    // node:crypto reports a bad tag only by throwing; it is an answer here, not a fault.
    return undefined;
  }
  return plaintext;
}

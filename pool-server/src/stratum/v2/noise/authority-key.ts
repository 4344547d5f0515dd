import { secp256k1 } from '@noble/curves/secp256k1.js';
import bs58check from 'bs58check';

/**
 * [sv2-spec 4.7] The authority public key as miners are given it (the pool's website,
 * the path of a stratum2+tcp:// URL): base58-check of the little-endian u16 version 1
 * followed by the 32-byte x-only key, as the reference implementation's
 * Secp256k1PublicKey prints and parses it.
 */

const KEY_VERSION = 1;

export function encodeAuthorityPublicKey(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) {
    throw new RangeError('an authority public key is 32 bytes, x-only');
  }
  const prefixed = Buffer.alloc(34);
  prefixed.writeUInt16LE(KEY_VERSION, 0);
  prefixed.set(publicKey, 2);
  return bs58check.encode(prefixed);
}

export type AuthorityKeyParse =
  { readonly ok: true; readonly publicKey: Buffer } | { readonly ok: false; readonly reason: string };

/** The 32-byte x-only key, or why the text is not an authority public key. */
export function parseAuthorityPublicKey(text: string): AuthorityKeyParse {
  const decoded = bs58check.decodeUnsafe(text.trim());
  if (decoded === undefined) {
    return { ok: false, reason: 'is not base58-check (a mistyped character or a bad checksum)' };
  }
  if (decoded.length !== 34) {
    return {
      ok: false,
      reason: `holds ${String(decoded.length)} bytes, not a 2-byte version and a 32-byte key`,
    };
  }
  const bytes = Buffer.from(decoded);
  const version = bytes.readUInt16LE(0);
  if (version !== KEY_VERSION) {
    return { ok: false, reason: `has key version ${String(version)}, not ${String(KEY_VERSION)}` };
  }
  const publicKey = bytes.subarray(2);
  try {
    secp256k1.Point.fromHex(`02${publicKey.toString('hex')}`);
  } catch {
    // noble throws for an X with no point on the curve: that is the answer here.
    return { ok: false, reason: 'is no point of secp256k1' };
  }
  return { ok: true, publicKey };
}

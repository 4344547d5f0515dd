import { schnorr } from '@noble/curves/secp256k1.js';
import bs58check from 'bs58check';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { schnorrVectors, sv2Spec } from '../../../../test/helpers/sv2-noise-vectors.ts';
import { encodeAuthorityPublicKey, parseAuthorityPublicKey } from './authority-key.ts';
import {
  checkCertificate,
  decodeSignatureNoiseMessage,
  encodeSignatureNoiseMessage,
  issueCertificate,
  type Certificate,
} from './certificate.ts';
import { generateSecretKey, xOnlyPublicKey } from './ellswift.ts';

const hex = (value: string): Buffer => Buffer.from(value, 'hex');

describe('BIP340 Schnorr, as the certificate uses it, on BIP340 vectors', () => {
  it.each(schnorrVectors.vectors)('vector $index: $comment', (vector) => {
    if (vector.secretKey !== null && vector.auxRand !== null) {
      const signature = schnorr.sign(hex(vector.message), hex(vector.secretKey), hex(vector.auxRand));
      expect(Buffer.from(signature).toString('hex')).toBe(vector.signature.toLowerCase());
      expect(xOnlyPublicKey(hex(vector.secretKey)).toString('hex')).toBe(vector.publicKey.toLowerCase());
    }
    expect(schnorr.verify(hex(vector.signature), hex(vector.message), hex(vector.publicKey))).toBe(
      vector.valid,
    );
  });
});

describe('the authority public key', () => {
  it('encodes and parses the specification example (sv2-spec 4.7.1)', () => {
    const raw = hex(sv2Spec.authorityKey.rawPublicKey);
    expect(encodeAuthorityPublicKey(raw)).toBe(sv2Spec.authorityKey.base58check);
    expect(parseAuthorityPublicKey(sv2Spec.authorityKey.base58check)).toEqual({ ok: true, publicKey: raw });
  });

  it('says why a text is not an authority key', () => {
    const good = sv2Spec.authorityKey.base58check;
    const typo = `${good.slice(0, 10)}${good[10] === 'a' ? 'b' : 'a'}${good.slice(11)}`;
    const notBase58 = { ok: false, reason: 'is not base58-check (a mistyped character or a bad checksum)' };
    expect(parseAuthorityPublicKey(typo)).toEqual(notBase58);
    expect(parseAuthorityPublicKey('0OIl')).toEqual(notBase58);
    const versionTwo = bs58check.encode(
      Buffer.concat([Buffer.of(2, 0), hex(sv2Spec.authorityKey.rawPublicKey)]),
    );
    expect(parseAuthorityPublicKey(versionTwo)).toEqual({ ok: false, reason: 'has key version 2, not 1' });
    const short = bs58check.encode(
      Buffer.concat([Buffer.of(1, 0), hex(sv2Spec.authorityKey.rawPublicKey).subarray(1)]),
    );
    expect(parseAuthorityPublicKey(short)).toEqual({
      ok: false,
      reason: 'holds 33 bytes, not a 2-byte version and a 32-byte key',
    });
    // x = 5 has no point: 5^3 + 7 = 132 is not a square modulo p.
    const offCurve = encodeAuthorityPublicKey(Buffer.from(`${'00'.repeat(31)}05`, 'hex'));
    expect(parseAuthorityPublicKey(offCurve)).toEqual({ ok: false, reason: 'is no point of secp256k1' });
  });
});

describe('the certificate', () => {
  const authority = generateSecretKey(randomBytes);
  const authorityPublic = xOnlyPublicKey(authority);
  const server = xOnlyPublicKey(generateSecretKey(randomBytes));
  const certificate = issueCertificate({
    authoritySecretKey: authority,
    serverPublicKey: server,
    validFrom: 1_800_000_000,
    notValidAfter: 1_800_086_400,
    auxRand: randomBytes(32),
  });

  it('travels as the 74-byte SIGNATURE_NOISE_MESSAGE, little-endian', () => {
    const message = encodeSignatureNoiseMessage(certificate);
    expect(message).toHaveLength(74);
    // version 0, 1800000000 = 0x6b49d200, 1800086400 = 0x6b4b2380
    expect(message.subarray(0, 10).toString('hex')).toBe('000000d2496b80234b6b');
    expect(decodeSignatureNoiseMessage(message)).toEqual(certificate);
  });

  it('checks at the edges of its window, with ten seconds of leeway', () => {
    expect(checkCertificate(certificate, server, authorityPublic, 1_800_000_000 - 10)).toEqual({ ok: true });
    expect(checkCertificate(certificate, server, authorityPublic, 1_800_086_400 + 10)).toEqual({ ok: true });
    expect(checkCertificate(certificate, server, authorityPublic, 1_800_000_000 - 11)).toMatchObject({
      ok: false,
      code: 'certificate-not-yet-valid',
    });
    expect(checkCertificate(certificate, server, authorityPublic, 1_800_086_400 + 11)).toMatchObject({
      ok: false,
      code: 'certificate-expired',
    });
  });

  it('fails under another authority, for another server key, with a changed field or version', () => {
    const now = 1_800_000_100;
    const otherAuthority = xOnlyPublicKey(generateSecretKey(randomBytes));
    expect(checkCertificate(certificate, server, otherAuthority, now)).toMatchObject({
      code: 'certificate-signature',
    });
    const otherServer = xOnlyPublicKey(generateSecretKey(randomBytes));
    expect(checkCertificate(certificate, otherServer, authorityPublic, now)).toMatchObject({
      code: 'certificate-signature',
    });
    const stretched: Certificate = { ...certificate, notValidAfter: certificate.notValidAfter + 1 };
    expect(checkCertificate(stretched, server, authorityPublic, now)).toMatchObject({
      code: 'certificate-signature',
    });
    expect(checkCertificate({ ...certificate, version: 1 }, server, authorityPublic, now)).toMatchObject({
      code: 'certificate-version',
    });
  });

  it('refuses a window that ends before it starts or does not fit 32 bits', () => {
    const request = { authoritySecretKey: authority, serverPublicKey: server, auxRand: randomBytes(32) };
    expect(() => issueCertificate({ ...request, validFrom: 10, notValidAfter: 9 })).toThrow(RangeError);
    expect(() => issueCertificate({ ...request, validFrom: 10, notValidAfter: 2 ** 32 })).toThrow(RangeError);
  });
});

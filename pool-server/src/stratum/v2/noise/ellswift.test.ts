import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ellSwiftDecode, packetEcdh, xSwiftEcInverse } from '../../../../test/helpers/sv2-noise-vectors.ts';
import {
  decodeEllSwift,
  ellSwiftEcdhXOnly,
  ellSwiftPublicKey,
  ellSwiftSharedSecret,
  generateSecretKey,
  xOnlyPublicKey,
  xSwiftEc,
  xSwiftEcInv,
} from './ellswift.ts';

const hex = (value: string): Buffer => Buffer.from(value, 'hex');
const field = (value: string): bigint => BigInt(`0x${value}`);

describe('ElligatorSwift on BIP324 vectors', () => {
  it.each(ellSwiftDecode.vectors)('decodes $ellswift', ({ ellswift, x }) => {
    expect(decodeEllSwift(hex(ellswift)).toString('hex')).toBe(x);
  });

  it.each(xSwiftEcInverse.vectors)('inverts x $x for u $u in all eight cases', ({ u, x, t }) => {
    for (const [branch, expected] of t.entries()) {
      const found = xSwiftEcInv(field(x), field(u), branch);
      expect(found === undefined ? null : found.toString(16).padStart(64, '0')).toBe(expected);
      if (expected !== null) {
        expect(xSwiftEc(field(u), field(expected)).toString(16).padStart(64, '0')).toBe(x);
      }
    }
  });

  it.each(packetEcdh.vectors)('computes the shared secret of packet vector $in_idx', (vector) => {
    const secretKey = hex(vector.in_priv_ours);
    expect(xOnlyPublicKey(secretKey).toString('hex')).toBe(vector.mid_x_ours);
    expect(decodeEllSwift(hex(vector.in_ellswift_ours)).toString('hex')).toBe(vector.mid_x_ours);
    expect(ellSwiftEcdhXOnly(hex(vector.in_ellswift_theirs), secretKey).toString('hex')).toBe(
      vector.mid_x_shared,
    );
    const secret = ellSwiftSharedSecret(
      secretKey,
      hex(vector.in_ellswift_ours),
      hex(vector.in_ellswift_theirs),
      vector.in_initiating,
    );
    expect(secret.toString('hex')).toBe(vector.mid_shared_secret);
  });
});

describe('ElligatorSwift encoding', () => {
  it('encodes a public key that decodes back to its X, differently each time', () => {
    const secretKey = generateSecretKey(randomBytes);
    const first = ellSwiftPublicKey(secretKey, randomBytes);
    const second = ellSwiftPublicKey(secretKey, randomBytes);
    expect(first).toHaveLength(64);
    expect(first.equals(second)).toBe(false);
    expect(decodeEllSwift(first)).toEqual(xOnlyPublicKey(secretKey));
    expect(decodeEllSwift(second)).toEqual(xOnlyPublicKey(secretKey));
  });

  it('gives both ends of an exchange the same secret, and a different one for swapped roles', () => {
    const initiatorKey = generateSecretKey(randomBytes);
    const responderKey = generateSecretKey(randomBytes);
    const initiatorPublic = ellSwiftPublicKey(initiatorKey, randomBytes);
    const responderPublic = ellSwiftPublicKey(responderKey, randomBytes);
    const atInitiator = ellSwiftSharedSecret(initiatorKey, initiatorPublic, responderPublic, true);
    const atResponder = ellSwiftSharedSecret(responderKey, responderPublic, initiatorPublic, false);
    expect(atInitiator).toEqual(atResponder);
    expect(ellSwiftSharedSecret(initiatorKey, initiatorPublic, responderPublic, false)).not.toEqual(
      atInitiator,
    );
  });

  it('draws again when the random bytes are no secret key', () => {
    const draws = [Buffer.alloc(32), Buffer.alloc(32, 0xff), Buffer.alloc(32, 0x01)];
    expect(generateSecretKey(() => draws.shift() as Buffer)).toEqual(Buffer.alloc(32, 0x01));
  });

  it('refuses a secret key out of range and an encoding of the wrong length', () => {
    expect(() => xOnlyPublicKey(Buffer.alloc(32))).toThrow(RangeError);
    expect(() => xOnlyPublicKey(Buffer.alloc(31, 1))).toThrow(RangeError);
    expect(() => decodeEllSwift(Buffer.alloc(63))).toThrow(RangeError);
  });
});

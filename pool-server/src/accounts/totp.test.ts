import { HOTP, Secret, TOTP, URI } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { matchingStep, newAuthenticator, timeStep, TOTP_PARAMETERS } from './totp.ts';

/** [RFC 6238 Appendix B] and [RFC 4226 Appendix D]: the SHA-1 seed of both. */
const RFC_SEED = Secret.fromUTF8('12345678901234567890');

/** [RFC 6238 Appendix B] SHA-1 rows: Unix time in seconds, 8-digit code. */
const RFC_6238_SHA1 = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
] as const;

/** [RFC 4226 Appendix D] HOTP values for counters 0 to 9. */
const RFC_4226 = [
  '755224',
  '287082',
  '359152',
  '969429',
  '338314',
  '254676',
  '287922',
  '162583',
  '399871',
  '520489',
];

describe('TOTP, checked against the RFCs', () => {
  it.each(RFC_6238_SHA1)('[RFC 6238] at %i s the 8-digit SHA-1 code is %s', (seconds, code) => {
    expect(
      TOTP.generate({
        secret: RFC_SEED,
        algorithm: 'SHA1',
        digits: 8,
        period: 30,
        timestamp: seconds * 1000,
      }),
    ).toBe(code);
  });

  it.each(RFC_6238_SHA1)('[RFC 6238] at %i s our check accepts the 6-digit code of %s', (seconds, code) => {
    // Truncation keeps the low digits: the 6-digit code is the 8-digit one mod 10^6.
    const sixDigits = code.slice(2);
    expect(matchingStep(RFC_SEED.base32, sixDigits, seconds * 1000)).toBe(Math.floor(seconds / 30));
  });

  it('[RFC 4226] HOTP counters 0 to 9 give the RFC values', () => {
    expect(
      RFC_4226.map((_, counter) =>
        HOTP.generate({ secret: RFC_SEED, algorithm: 'SHA1', digits: 6, counter }),
      ),
    ).toEqual(RFC_4226);
  });

  it('accepts one step either side and names the step the code belongs to', () => {
    const seconds = 1111111111;
    const step = Math.floor(seconds / 30);
    const codeAt = (atStep: number) =>
      TOTP.generate({ secret: RFC_SEED, ...TOTP_PARAMETERS, timestamp: atStep * 30_000 });
    expect(timeStep(seconds * 1000)).toBe(step);
    expect(matchingStep(RFC_SEED.base32, codeAt(step - 1), seconds * 1000)).toBe(step - 1);
    expect(matchingStep(RFC_SEED.base32, codeAt(step + 1), seconds * 1000)).toBe(step + 1);
    expect(matchingStep(RFC_SEED.base32, codeAt(step - 2), seconds * 1000)).toBeUndefined();
    expect(matchingStep(RFC_SEED.base32, codeAt(step + 2), seconds * 1000)).toBeUndefined();
  });

  it('refuses what is not six digits', () => {
    for (const code of ['', '05042', '0050471', '14050471', '05O471', ' 050471', '-50471']) {
      expect(matchingStep(RFC_SEED.base32, code, 1111111111 * 1000)).toBeUndefined();
    }
  });

  it('makes a 160-bit secret and an otpauth:// URI that an app reads back to the same parameters', () => {
    const made = newAuthenticator('hashwatt', 'admin@pool.test');
    expect(made.secret).toMatch(/^[A-Z2-7]{32}$/);
    const parsed = URI.parse(made.uri);
    expect(parsed).toBeInstanceOf(TOTP);
    expect(parsed).toMatchObject({ issuer: 'hashwatt', label: 'admin@pool.test', ...TOTP_PARAMETERS });
    expect(parsed.secret.base32).toBe(made.secret);
    expect(newAuthenticator('hashwatt', 'admin@pool.test').secret).not.toBe(made.secret);
  });
});

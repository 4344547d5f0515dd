import { Secret, TOTP } from 'otpauth';

/**
 * [RFC 6238] TOTP over [RFC 4226] HOTP as every authenticator app reads it: HMAC-SHA-1,
 * 6 digits, 30 s steps. totp.test.ts checks the library against the RFC's own vectors.
 */
export const TOTP_PARAMETERS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
/** [RFC 6238 §5.2] One step either side forgives a clock a little fast or slow, and a code typed late. */
const WINDOW_STEPS = 1;
/** [RFC 4226 §4 R6] 160 bits, the length of an HMAC-SHA-1 output. */
const SECRET_BYTES = 20;

export interface NewAuthenticator {
  /** Base32, as typed into an app by hand. */
  readonly secret: string;
  /** otpauth://totp/…, as a QR code carries it to an app. */
  readonly uri: string;
}

/** A fresh secret for `account` (the user's email), named after `issuer` in the app. */
export function newAuthenticator(issuer: string, account: string): NewAuthenticator {
  const secret = new Secret({ size: SECRET_BYTES });
  const totp = new TOTP({ issuer, label: account, secret, ...TOTP_PARAMETERS });
  return { secret: secret.base32, uri: totp.toString() };
}

/** The time step a moment falls in: T in [RFC 6238 §4.2]. */
export function timeStep(nowMs: number): number {
  return TOTP.counter({ period: TOTP_PARAMETERS.period, timestamp: nowMs });
}

/**
 * The time step `code` belongs to, within one step of `nowMs`; undefined when it is
 * no code of this secret at all. Whether that step was used already is the caller's.
 */
export function matchingStep(secretBase32: string, code: string, nowMs: number): number | undefined {
  if (!/^[0-9]{6}$/.test(code)) {
    return undefined;
  }
  const delta = TOTP.validate({
    token: code,
    secret: Secret.fromBase32(secretBase32),
    timestamp: nowMs,
    window: WINDOW_STEPS,
    ...TOTP_PARAMETERS,
  });
  return delta === null ? undefined : timeStep(nowMs) + delta;
}

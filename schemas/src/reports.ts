import Type, { type Static } from 'typebox';
import { Nullable, Timestamp } from './common.ts';

const Id = Type.String({ pattern: '^[1-9][0-9]{0,17}$' });
const Country = Type.String({ pattern: '^[A-Z]{2}$', examples: ['IR', 'RU'] });
const Region = Type.String({ pattern: '^[A-Z]{2}-[A-Z0-9]{1,3}$', examples: ['IR-20', 'RU-IRK'] });
const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the file, lowercase hex.' });

export const ReportLanguage = Type.Enum(['en', 'fa', 'ru']);
export type ReportLanguage = Static<typeof ReportLanguage>;

export const ReportFormat = Type.Enum(['csv', 'pdf', 'json']);
export type ReportFormat = Static<typeof ReportFormat>;

/** The calendar a report's month is counted in: Iran's Solar Hijri, or the Gregorian. */
export const ReportCalendar = Type.Enum(['gregorian', 'persian']);
export type ReportCalendar = Static<typeof ReportCalendar>;

/**
 * What to report on: one farm, or every farm of a jurisdiction (a country, optionally
 * some of its regions); over a month or a period given by two instants, the last whole
 * month when neither is given. A month is counted as the jurisdiction counts it: an
 * Iranian farm's in the Solar Hijri calendar from Tehran midnight (`1405-09` is Azar
 * 1405), a Russian farm's as a calendar month in Moscow time, any other farm's as a
 * calendar month of its own time zone.
 */
export const ReportRequest = Type.Object(
  {
    farmId: Type.Optional(Id),
    country: Type.Optional(Country),
    regions: Type.Optional(Type.Array(Region, { maxItems: 50 })),
    month: Type.Optional(
      Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', examples: ['2026-11', '1405-09'] }),
    ),
    /** Count the month in this calendar rather than the jurisdiction's own. */
    calendar: Type.Optional(ReportCalendar),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    language: ReportLanguage,
    format: ReportFormat,
  },
  { additionalProperties: false },
);
export type ReportRequest = Static<typeof ReportRequest>;

/** An issued report as it is listed: everything but its bytes. */
export const Report = Type.Object({
  id: Type.String({ format: 'uuid' }),
  farmId: Nullable(Type.String()),
  country: Nullable(Type.String()),
  regions: Type.Array(Type.String()),
  from: Timestamp,
  to: Timestamp,
  /** The zone the period's days start in, and the calendar its month is counted in. */
  timezone: Type.String(),
  calendar: ReportCalendar,
  /** The month it covers, `YYYY-MM` in its calendar; null for a period given by its instants. */
  month: Nullable(Type.String()),
  language: ReportLanguage,
  format: ReportFormat,
  fileName: Type.String(),
  bytes: Type.Integer({ minimum: 0 }),
  sha256: Sha256,
  /** Ed25519 over the 32 bytes of the SHA-256 digest, base64. */
  signature: Type.String(),
  /** The raw 32-byte Ed25519 public key that signed it, base64: a claim, checked against the key registry. */
  publicKey: Type.String(),
  /** SHA-256 of that public key, lowercase hex: the key registry's name for it. */
  keyFingerprint: Sha256,
  issuedAt: Timestamp,
});
export type Report = Static<typeof Report>;

export const ReportParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export type ReportParams = Static<typeof ReportParams>;

export const ReportDigestParams = Type.Object({ sha256: Sha256 });
export type ReportDigestParams = Static<typeof ReportDigestParams>;

/** One of the pool's report signing keys, from its key registry. */
export const RegisteredSigningKey = Type.Object({
  algorithm: Type.Literal('Ed25519'),
  /** SHA-256 of the raw public key, lowercase hex; printed on every report. */
  fingerprint: Sha256,
  /** Raw 32-byte public key, base64. */
  publicKey: Type.String(),
  /** The key signs reports issued from this moment … */
  validFrom: Timestamp,
  /** … up to this one; null while it is the current key. */
  validUntil: Nullable(Timestamp),
});
export type RegisteredSigningKey = Static<typeof RegisteredSigningKey>;

/** A file checked against what the pool issued. */
export const ReportVerification = Type.Object({
  /**
   * The digest was issued by this pool, signed by a key of its key registry that was
   * valid when the report was issued, and the signature holds under that key.
   */
  valid: Type.Boolean(),
  sha256: Sha256,
  report: Report,
  /** The registry's key the report names; null when the registry holds no such key. */
  key: Nullable(RegisteredSigningKey),
  /** Why it is not valid; null when it is. */
  problem: Nullable(Type.String()),
});
export type ReportVerification = Static<typeof ReportVerification>;

/** The key the pool signs reports with now. */
export const ReportSigningKey = Type.Object({
  algorithm: Type.Literal('Ed25519'),
  /** SHA-256 of the raw public key, lowercase hex; printed on every report. */
  fingerprint: Sha256,
  /** Raw 32-byte public key, base64. */
  publicKey: Type.String(),
  /** The same key as SubjectPublicKeyInfo PEM, for openssl. */
  pem: Type.String(),
});
export type ReportSigningKey = Static<typeof ReportSigningKey>;

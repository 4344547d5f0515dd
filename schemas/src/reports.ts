import Type, { type Static } from 'typebox';
import { Nullable, Timestamp } from './common.ts';

const Id = Type.String({ pattern: '^[1-9][0-9]{0,17}$' });
const Country = Type.String({ pattern: '^[A-Z]{2}$', examples: ['IR', 'RU'] });
const Region = Type.String({ pattern: '^[A-Z]{2}-[A-Z0-9]{1,3}$', examples: ['IR-20', 'RU-IRK'] });
const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the file, lowercase hex.' });

export const ReportLanguage = Type.Enum(['en', 'fa', 'ru']);
export type ReportLanguage = Static<typeof ReportLanguage>;

export const ReportFormat = Type.Enum(['csv', 'pdf']);
export type ReportFormat = Static<typeof ReportFormat>;

/**
 * What to report on: one farm, or every farm of a jurisdiction (a country, optionally
 * some of its regions); over a calendar month (UTC), the previous one when neither a
 * month nor a period is given.
 */
export const ReportRequest = Type.Object(
  {
    farmId: Type.Optional(Id),
    country: Type.Optional(Country),
    regions: Type.Optional(Type.Array(Region, { maxItems: 50 })),
    month: Type.Optional(Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', examples: ['2026-10'] })),
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
  language: ReportLanguage,
  format: ReportFormat,
  fileName: Type.String(),
  bytes: Type.Integer({ minimum: 0 }),
  sha256: Sha256,
  /** Ed25519 over the 32 bytes of the SHA-256 digest, base64. */
  signature: Type.String(),
  /** The raw 32-byte Ed25519 public key that signed it, base64. */
  publicKey: Type.String(),
  issuedAt: Timestamp,
});
export type Report = Static<typeof Report>;

export const ReportParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export type ReportParams = Static<typeof ReportParams>;

export const ReportDigestParams = Type.Object({ sha256: Sha256 });
export type ReportDigestParams = Static<typeof ReportDigestParams>;

/** A file checked against what the pool issued. */
export const ReportVerification = Type.Object({
  /** The digest was issued by this pool and its signature holds under the key shown. */
  valid: Type.Boolean(),
  sha256: Sha256,
  report: Report,
});
export type ReportVerification = Static<typeof ReportVerification>;

export const ReportSigningKey = Type.Object({
  algorithm: Type.Literal('Ed25519'),
  /** Raw 32-byte public key, base64. */
  publicKey: Type.String(),
  /** The same key as SubjectPublicKeyInfo PEM, for openssl. */
  pem: Type.String(),
});
export type ReportSigningKey = Static<typeof ReportSigningKey>;

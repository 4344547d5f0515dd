/**
 * A backup's manifest: what the backup holds (each member's size and SHA-256), where it
 * came from (pool, schema and PostgreSQL versions), signed with the pool's report key so
 * that a member swapped and the manifest edited to match is refused, not only a torn one.
 */
import { createHash } from 'node:crypto';
import { digestSigned, keyFingerprint, type ReportSigner } from '../farms/reports/signing.ts';

export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
export const FORMAT = 'hashwatt-backup';
export const FORMAT_VERSION = 1;
/** A manifest is a few kilobytes per thousand journal files; anything far larger is not one. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
/**
 * What the signature covers besides the manifest: the report key also signs report
 * digests, and a signature made for one must never pass for the other.
 */
const SIGNED_PREFIX = Buffer.from('hashwatt backup manifest 1\n');

/** What a member is, which says where it goes back to on restore. */
export type MemberKind =
  | 'database'
  | 'signing-key'
  | 'retired-signing-key'
  | 'sv2-static-key'
  | 'sv2-certificate'
  | 'sv2-authority-key'
  | 'alert-secret-key'
  | 'retired-alert-secret-key'
  | 'share-journal'
  | 'block-journal'
  | 'pending-block';

/** Each kind's paths inside a backup: nothing else is ever read or written from a manifest. */
const MEMBER_PATHS: Readonly<Record<MemberKind, RegExp>> = {
  database: /^database\.dump$/,
  'signing-key': /^keys\/report-signing-key\.pem$/,
  'retired-signing-key': /^keys\/retired-[0-9a-z]{1,16}\.pem$/,
  'sv2-static-key': /^keys\/sv2-static-key\.pem$/,
  'sv2-certificate': /^keys\/sv2-certificate\.json$/,
  'sv2-authority-key': /^keys\/sv2-authority-key\.pem$/,
  'alert-secret-key': /^keys\/alert-secret\.key$/,
  'retired-alert-secret-key': /^keys\/alert-secret-retired-[0-9a-f]{16}\.key$/,
  'share-journal': /^journal\/node-\d{1,3}\/journal-\d{12}\.ndjson$/,
  'block-journal': /^blocks\.jsonl$/,
  'pending-block': /^blocks-pending\/node-\d{1,3}\/[0-9a-f]{64}\.json$/,
};

/** Whether a member of `kind` may sit at `path` in a backup. */
export function memberPathAllowed(kind: MemberKind, path: string): boolean {
  return MEMBER_PATHS[kind].test(path);
}

export interface BackupMember {
  readonly path: string;
  readonly kind: MemberKind;
  readonly bytes: number;
  /** Lowercase hex. */
  readonly sha256: string;
}

export interface BackupManifest {
  readonly format: typeof FORMAT;
  readonly formatVersion: typeof FORMAT_VERSION;
  readonly createdAt: string;
  /** @hashwatt/pool-server's version that made it. */
  readonly poolVersion: string;
  /** The last schema migration applied to the database dumped; null when it had none. */
  readonly schemaMigration: { readonly version: number; readonly name: string } | null;
  readonly database: {
    readonly dumpFormat: 'custom';
    readonly pgDumpVersion: string;
    readonly pgDumpMajor: number;
    readonly serverVersion: string;
    readonly serverMajor: number;
  };
  /** The report key that signed this manifest, which the backup also holds. */
  readonly signingKey: { readonly fingerprint: string; readonly publicKey: string };
  readonly members: readonly BackupMember[];
}

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

function signedDigest(manifestBytes: Buffer): Buffer {
  return createHash('sha256').update(SIGNED_PREFIX).update(manifestBytes).digest();
}

/** The manifest's bytes as written, and its signature (base64, one line). */
export function signManifest(
  manifest: BackupManifest,
  signer: ReportSigner,
): { bytes: Buffer; signature: string } {
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  return { bytes, signature: `${signer.sign(signedDigest(bytes)).toString('base64')}\n` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const HEX64 = /^[0-9a-f]{64}$/;

function member(value: unknown, index: number): BackupMember {
  const where = `member ${String(index)}`;
  if (!isRecord(value)) {
    throw new BackupError(`manifest: ${where} is not an object`);
  }
  const { path, kind, bytes, sha256 } = value;
  if (typeof kind !== 'string' || !Object.hasOwn(MEMBER_PATHS, kind)) {
    throw new BackupError(`manifest: ${where} has an unknown kind ${JSON.stringify(kind)}`);
  }
  const memberKind = kind as MemberKind;
  if (typeof path !== 'string' || !memberPathAllowed(memberKind, path)) {
    throw new BackupError(`manifest: ${where} has a path ${JSON.stringify(path)} no ${kind} may have`);
  }
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) {
    throw new BackupError(`manifest: ${path} has no size in bytes`);
  }
  if (typeof sha256 !== 'string' || !HEX64.test(sha256)) {
    throw new BackupError(`manifest: ${path} has no SHA-256`);
  }
  return { path, kind: memberKind, bytes, sha256 };
}

/**
 * The manifest in `bytes`, once its signature holds under the public key it names and
 * its fields are what a manifest holds. Whether that key is the pool's is the caller's
 * question: a forger signs with a key of their own.
 */
export function readManifest(bytes: Buffer, signatureText: string): BackupManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new BackupError(`manifest: not JSON (${(error as Error).message}): the backup is damaged`);
  }
  if (!isRecord(parsed) || parsed.format !== FORMAT) {
    throw new BackupError(`manifest: not a ${FORMAT} manifest`);
  }
  if (parsed.formatVersion !== FORMAT_VERSION) {
    throw new BackupError(
      `manifest: format version ${JSON.stringify(parsed.formatVersion)}, this pool reads ${String(FORMAT_VERSION)}: restore it with the pool version that made it (${JSON.stringify(parsed.poolVersion)}) or newer`,
    );
  }
  const key = parsed.signingKey;
  if (!isRecord(key) || typeof key.publicKey !== 'string' || typeof key.fingerprint !== 'string') {
    throw new BackupError('manifest: names no signing key');
  }
  const publicKey = Buffer.from(key.publicKey, 'base64');
  if (keyFingerprint(publicKey) !== key.fingerprint) {
    throw new BackupError('manifest: its signing key does not have the fingerprint it names');
  }
  const signature = Buffer.from(signatureText.trim(), 'base64');
  if (!digestSigned(signedDigest(bytes), signature, publicKey)) {
    throw new BackupError(
      `manifest: the signature does not hold under key ${key.fingerprint}: the manifest was changed after the backup was made`,
    );
  }
  const database = parsed.database;
  if (
    !isRecord(database) ||
    database.dumpFormat !== 'custom' ||
    typeof database.pgDumpMajor !== 'number' ||
    typeof database.serverMajor !== 'number' ||
    typeof database.pgDumpVersion !== 'string' ||
    typeof database.serverVersion !== 'string'
  ) {
    throw new BackupError('manifest: says nothing usable of the database dump');
  }
  if (!Array.isArray(parsed.members)) {
    throw new BackupError('manifest: lists no members');
  }
  const members = parsed.members.map(member);
  const paths = new Set(members.map((entry) => entry.path));
  if (paths.size !== members.length) {
    throw new BackupError('manifest: lists a member twice');
  }
  if (members.filter((entry) => entry.kind === 'database').length !== 1) {
    throw new BackupError('manifest: lists no database dump');
  }
  // Signed by the pool that made it, so the rest is as it wrote it.
  return parsed as unknown as BackupManifest;
}

import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PoolClient } from 'pg';
import type { Database } from '../../db/pool.ts';
import { keyFingerprint, readSigningKey, signerFromKey, type ReportSigner } from './signing.ts';

/**
 * The key registry: the pool's report signing keys, each valid over a period. A report
 * verifies only under a registered key that was valid when it was issued, never under
 * the key its own row carries. The key file is checked against the registry at start-up.
 */

export interface RegisteredKey {
  /** SHA-256 of the raw 32-byte public key, lowercase hex. */
  readonly fingerprint: string;
  /** The raw 32-byte Ed25519 public key. */
  readonly publicKey: Buffer;
  readonly validFrom: Date;
  /** Null while it is the current key. */
  readonly validUntil: Date | null;
}

interface KeyRow {
  readonly fingerprint: string;
  readonly public_key: Buffer;
  readonly valid_from: Date;
  readonly valid_until: Date | null;
}

const ROTATE_COMMAND = 'hashwatt report key rotate';

/** Serialises start-ups and rotations: two processes never register two keys. */
const REGISTRY_LOCK = 0x6877_6b72;

function keyFrom(row: KeyRow): RegisteredKey {
  return {
    fingerprint: row.fingerprint,
    publicKey: row.public_key,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
  };
}

/** Every key the pool ever signed reports with, oldest first. */
export async function registeredKeys(db: Database | PoolClient): Promise<RegisteredKey[]> {
  const { rows } = await db.query<KeyRow>(
    'SELECT fingerprint, public_key, valid_from, valid_until FROM report_signing_keys ORDER BY valid_from, registered_at',
  );
  return rows.map(keyFrom);
}

export function currentKey(keys: readonly RegisteredKey[]): RegisteredKey | undefined {
  return keys.find((key) => key.validUntil === null);
}

/** Whether `key` was the pool's key at `issuedAt`: from valid_from, up to (not at) valid_until. */
export function validAt(key: RegisteredKey, issuedAt: Date): boolean {
  return (
    issuedAt.getTime() >= key.validFrom.getTime() &&
    (key.validUntil === null || issuedAt.getTime() < key.validUntil.getTime())
  );
}

/**
 * Registers `publicKey` as the current key, valid from `validFromMs` or from the first
 * report it signed if that is earlier (a pool upgraded to the registry keeps its reports).
 */
export async function registerKey(
  db: Database | PoolClient,
  publicKey: Buffer,
  validFromMs: number,
): Promise<RegisteredKey> {
  const { rows } = await db.query<KeyRow>(
    `INSERT INTO report_signing_keys (fingerprint, public_key, valid_from)
     SELECT $1, $2, least(to_timestamp($3::double precision / 1000),
                          (SELECT min(issued_at) FROM reports WHERE public_key = $2))
     RETURNING fingerprint, public_key, valid_from, valid_until`,
    [keyFingerprint(publicKey), publicKey, validFromMs],
  );
  return keyFrom(rows[0] as KeyRow);
}

async function locked<T>(db: Database, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [REGISTRY_LOCK]);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection the server ended cannot roll back: its own error is the one to pass on.
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function writeKeyFile(file: string): ReportSigner {
  const { privateKey } = generateKeyPairSync('ed25519');
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return signerFromKey(privateKey);
}

export interface StartupLog {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/**
 * The signing key for this process, checked against the registry. A fresh install
 * (registry empty) gets a new key file, registered and logged; a key file that is
 * missing, unreadable or not the registry's current key stops start-up, naming the file.
 */
export async function openSigningKey(
  db: Database,
  file: string,
  log: StartupLog,
  nowMs: number,
): Promise<ReportSigner> {
  return locked(db, async (client) => {
    const keys = await registeredKeys(client);
    const current = currentKey(keys);
    const read = readSigningKey(file);
    if (read.kind === 'missing' || read.kind === 'unreadable') {
      if (keys.length > 0 || read.kind === 'unreadable') {
        const why = read.kind === 'missing' ? 'is missing' : `cannot be read (${read.reason})`;
        throw new Error(
          `reports: the signing key file ${file} ${why}, but the key registry holds the pool's key` +
            `${current ? ` ${current.fingerprint}` : 's'}; restore the file from a backup, or make and register a new key with \`${ROTATE_COMMAND}\``,
        );
      }
      const signer = writeKeyFile(file);
      const registered = await registerKey(client, signer.publicKey, nowMs);
      log.warn(
        { file, fingerprint: registered.fingerprint },
        'reports: no signing key yet: made one and registered it; keep a backup of the file',
      );
      return signer;
    }
    const signer = read.signer;
    const fingerprint = keyFingerprint(signer.publicKey);
    if (keys.length === 0) {
      const registered = await registerKey(client, signer.publicKey, nowMs);
      log.info(
        { file, fingerprint, validFrom: registered.validFrom.toISOString() },
        'reports: registered the signing key',
      );
      return signer;
    }
    if (current?.fingerprint !== fingerprint) {
      const retired = keys.some((key) => key.fingerprint === fingerprint);
      throw new Error(
        `reports: the signing key file ${file} holds key ${fingerprint}, ` +
          `${retired ? 'a retired key' : 'a key the registry does not know'}; the pool's current key is ` +
          `${current?.fingerprint ?? '(none: every key was retired)'}. Put the right key file back, ` +
          `or retire the current key and make a new one with \`${ROTATE_COMMAND}\``,
      );
    }
    return signer;
  });
}

export interface Rotation {
  readonly retired: RegisteredKey | undefined;
  readonly current: RegisteredKey;
  /** Where the old key file was kept, if there was one. */
  readonly keptAs: string | undefined;
}

/**
 * `hashwatt report key rotate`: a new key file, the old one kept beside it (0600), the
 * current key's validity closed and the new key registered, all or nothing. A running
 * pool keeps its old key in memory and refuses to issue with it: restart it afterwards.
 */
export async function rotateSigningKey(db: Database, file: string, nowMs: number): Promise<Rotation> {
  const next = `${file}.next`;
  if (existsSync(next)) {
    throw new Error(`${next} exists: a rotation was interrupted; remove it and rotate again`);
  }
  const signer = writeKeyFile(next);
  try {
    return await locked(db, async (client) => {
      const keys = await registeredKeys(client);
      const old = readSigningKey(file);
      if (keys.length === 0 && old.kind === 'key') {
        // A pool that never registered its key: the reports it signed keep verifying.
        await registerKey(client, old.signer.publicKey, nowMs);
      }
      const { rows } = await client.query<KeyRow>(
        `UPDATE report_signing_keys SET valid_until = greatest(valid_from, to_timestamp($1::double precision / 1000))
          WHERE valid_until IS NULL RETURNING fingerprint, public_key, valid_from, valid_until`,
        [nowMs],
      );
      const retiredRow = rows[0];
      const current = await registerKey(client, signer.publicKey, nowMs);
      let keptAs: string | undefined;
      if (old.kind !== 'missing') {
        const oldFingerprint = old.kind === 'key' ? keyFingerprint(old.signer.publicKey) : 'unreadable';
        keptAs = `${file}.retired-${oldFingerprint.slice(0, 16)}`;
        renameSync(file, keptAs);
        chmodSync(keptAs, 0o600);
      }
      renameSync(next, file);
      return { retired: retiredRow && keyFrom(retiredRow), current, keptAs };
    });
  } finally {
    // A key that was never registered signs nothing.
    rmSync(next, { force: true });
  }
}

/**
 * A backup is a folder, `hashwatt-backup-<UTC time>`, private to its owner (0700, every
 * file 0600): the database as pg_dump's custom format (database.dump), dataDir's files
 * (data-files.ts), and a manifest signed with the pool's report key (manifest.ts). It
 * is made under a `.partial` name and renamed whole, so a backup that was cut short is
 * never taken for one. A restore checks everything before it changes anything.
 */
import { chmod, copyFile, lstat, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { readSigningKey } from '../farms/reports/signing.ts';
import { databaseFacts, recreateDatabase, rowCounts } from './database.ts';
import {
  dataFiles,
  destinationOf,
  differs,
  KEY_KINDS,
  digestFile,
  placeMember,
  type Destination,
  type Placement,
} from './data-files.ts';
import {
  BackupError,
  FORMAT,
  FORMAT_VERSION,
  MANIFEST_FILE,
  MAX_MANIFEST_BYTES,
  readManifest,
  SIGNATURE_FILE,
  signManifest,
  type BackupManifest,
  type BackupMember,
} from './manifest.ts';
import { dumpDatabase, findPgTool, restoreDatabase, type Environment } from './pg-tools.ts';

const DUMP_FILE = 'database.dump';
/** What a restore counts to say what it restored: the pool's shares, books and reports. */
const COUNTED_TABLES = ['shares', 'share_batches', 'blocks', 'ledger_entries', 'payouts', 'reports'] as const;

/** `hashwatt-backup-20261207T083000Z`: sorts by time, safe in any file system. */
function backupName(nowMs: number): string {
  return `hashwatt-backup-${new Date(nowMs).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

export interface BackupRequest {
  readonly databaseUrl: string;
  readonly destination: Destination;
  /** The folder the backup's own folder is made in. */
  readonly outDir: string;
  /** The folder of pg_dump to use, instead of the newest found. */
  readonly pgBinDir?: string;
  readonly poolVersion: string;
  /** The process's environment: pg_dump runs with its PATH. */
  readonly environment: Environment;
  readonly nowMs: number;
}

export interface MadeBackup {
  readonly directory: string;
  readonly manifest: BackupManifest;
}

/** Makes a backup in a folder of its own under `request.outDir`. */
export async function makeBackup(request: BackupRequest): Promise<MadeBackup> {
  const key = readSigningKey(request.destination.signingKeyFile);
  if (key.kind !== 'key') {
    throw new BackupError(
      `the report signing key ${request.destination.signingKeyFile} ${key.kind === 'missing' ? 'is missing' : `cannot be read (${key.reason})`}: ` +
        'a backup is signed with it and must carry it; put it back, or make a new one with `hashwatt report key rotate`',
    );
  }
  const facts = await databaseFacts(request.databaseUrl);
  const pgDump = await findPgTool('pg_dump', facts.serverMajor, request.pgBinDir);
  const directory = path.join(request.outDir, backupName(request.nowMs));
  const partial = `${directory}.partial`;
  await mkdir(request.outDir, { recursive: true, mode: 0o700 });
  if (await exists(directory)) {
    throw new BackupError(`${directory} exists already`);
  }
  await mkdir(partial, { mode: 0o700 });
  try {
    const members: BackupMember[] = [];
    // The journals before the dump: see dataFiles().
    for (const file of await dataFiles(request.destination)) {
      const copy = path.join(partial, ...file.path.split('/'));
      await mkdir(path.dirname(copy), { recursive: true, mode: 0o700 });
      await copyFile(file.source, copy);
      await chmod(copy, 0o600);
      members.push({ path: file.path, kind: file.kind, ...(await digestFile(copy)) });
    }
    const dump = path.join(partial, DUMP_FILE);
    await dumpDatabase(pgDump, request.databaseUrl, dump, request.environment);
    await chmod(dump, 0o600);
    members.unshift({ path: DUMP_FILE, kind: 'database', ...(await digestFile(dump)) });
    const manifest: BackupManifest = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      createdAt: new Date(request.nowMs).toISOString(),
      poolVersion: request.poolVersion,
      schemaMigration: facts.schemaMigration,
      database: {
        dumpFormat: 'custom',
        pgDumpVersion: pgDump.version,
        pgDumpMajor: pgDump.major,
        serverVersion: facts.serverVersion,
        serverMajor: facts.serverMajor,
      },
      signingKey: { fingerprint: key.signer.fingerprint, publicKey: key.signer.publicKey.toString('base64') },
      members,
    };
    const signed = signManifest(manifest, key.signer);
    await writePrivate(path.join(partial, MANIFEST_FILE), signed.bytes);
    await writePrivate(path.join(partial, SIGNATURE_FILE), signed.signature);
    await rename(partial, directory);
    return { directory, manifest };
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** Written and flushed to disk, 0600. */
async function writePrivate(file: string, content: Buffer | string): Promise<void> {
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A regular file's content, at most `limit` bytes; a link or a folder in its place is refused. */
async function readRegular(file: string, limit: number): Promise<Buffer> {
  let stats;
  try {
    stats = await lstat(file);
  } catch {
    throw new BackupError(`${file} is missing: not a whole backup`);
  }
  if (!stats.isFile()) {
    throw new BackupError(`${file} is not a regular file`);
  }
  if (stats.size > limit) {
    throw new BackupError(`${file} is ${String(stats.size)} bytes, more than a backup's ${String(limit)}`);
  }
  return readFile(file);
}

/**
 * The backup in `directory`, its manifest's signature checked and every member there
 * whole (size and SHA-256), under the key whose fingerprint is one of `trusted`. Throws
 * a BackupError that says what is wrong.
 */
export async function openBackup(directory: string, trusted: readonly string[]): Promise<BackupManifest> {
  const bytes = await readRegular(path.join(directory, MANIFEST_FILE), MAX_MANIFEST_BYTES);
  const signature = await readRegular(path.join(directory, SIGNATURE_FILE), 1_024);
  const manifest = readManifest(bytes, signature.toString('utf8'));
  const { fingerprint } = manifest.signingKey;
  if (trusted.length === 0) {
    throw new BackupError(
      `the backup is signed by report key ${fingerprint}, and nothing here says that key is the pool's: ` +
        "check it against the fingerprint printed on the pool's reports (or by `hashwatt report key show`), then pass --fingerprint " +
        fingerprint,
    );
  }
  if (!trusted.includes(fingerprint)) {
    throw new BackupError(
      `the backup is signed by report key ${fingerprint}, not by the pool's (${trusted.join(', ')}): refused as forged. ` +
        'If it is yours after all, pass --fingerprint with the key it names',
    );
  }
  for (const member of manifest.members) {
    const file = path.join(directory, ...member.path.split('/'));
    let stats;
    try {
      stats = await lstat(file);
    } catch {
      throw new BackupError(`${member.path} is missing from the backup`);
    }
    if (!stats.isFile()) {
      throw new BackupError(`${member.path} is not a regular file`);
    }
    if (stats.size !== member.bytes) {
      throw new BackupError(
        `${member.path} is ${String(stats.size)} bytes, the manifest says ${String(member.bytes)}: the backup is truncated or damaged`,
      );
    }
    if ((await digestFile(file)).sha256 !== member.sha256) {
      throw new BackupError(
        `${member.path} does not have the SHA-256 the manifest gives: the backup is damaged`,
      );
    }
  }
  return manifest;
}

export interface RestoreRequest {
  readonly directory: string;
  readonly databaseUrl: string;
  readonly destination: Destination;
  /** Report key fingerprints a backup may be signed by (pinned by the user, or the key files here). */
  readonly trusted: readonly string[];
  /** Replace a database that is not empty, and key files that differ. */
  readonly force: boolean;
  readonly pgBinDir?: string;
  /** The process's environment: pg_restore runs with its PATH. */
  readonly environment: Environment;
  readonly nowMs: number;
}

export interface Restored {
  readonly manifest: BackupManifest;
  readonly pgRestore: string;
  readonly replacedDatabase: boolean;
  readonly placements: readonly Placement[];
  readonly rows: Record<string, number | null>;
}

/** [PostgreSQL: Appendix A] invalid_catalog_name: the database does not exist. */
const NO_SUCH_DATABASE = '3D000';

/** Restores the backup in `request.directory`: the database first, then dataDir's files. */
export async function restoreBackup(request: RestoreRequest): Promise<Restored> {
  const manifest = await openBackup(request.directory, request.trusted);
  let facts;
  try {
    facts = await databaseFacts(request.databaseUrl);
  } catch (error) {
    if ((error as { code?: string }).code !== NO_SUCH_DATABASE) {
      throw error;
    }
    await recreateDatabase(request.databaseUrl);
    facts = await databaseFacts(request.databaseUrl);
  }
  const source = manifest.database;
  if (facts.serverMajor < source.serverMajor) {
    throw new BackupError(
      `the backup is of PostgreSQL ${source.serverVersion}, the database to restore into runs ${facts.serverVersion}: restore into PostgreSQL ${String(source.serverMajor)} or newer`,
    );
  }
  if (facts.relations > 0 && !request.force) {
    throw new BackupError(
      `the database to restore into is not empty (${String(facts.relations)} tables, views and sequences${facts.schemaMigration ? `, schema at ${facts.schemaMigration.name}` : ''}): ` +
        'pass --force to replace it, or --into URL to restore into an empty database',
    );
  }
  const pgRestore = await findPgTool('pg_restore', source.pgDumpMajor, request.pgBinDir);
  const files = manifest.members.filter((member) => member.kind !== 'database');
  const memberFile = (member: BackupMember): string =>
    path.join(request.directory, ...member.path.split('/'));
  if (!request.force) {
    for (const member of files.filter((entry) => KEY_KINDS.has(entry.kind))) {
      const to = destinationOf(member.kind, member.path, request.destination);
      if (await differs(memberFile(member), to)) {
        throw new BackupError(
          `${to} holds another key than the backup's ${member.path}: pass --force to put the backup's in its place (the other is kept beside it)`,
        );
      }
    }
  }
  if (facts.relations > 0) {
    await recreateDatabase(request.databaseUrl);
  }
  const dump = manifest.members.find((member) => member.kind === 'database');
  // readManifest() refuses a manifest without exactly one.
  if (dump === undefined) {
    throw new BackupError('manifest: lists no database dump');
  }
  await restoreDatabase(pgRestore, request.databaseUrl, memberFile(dump), request.environment);
  const placements: Placement[] = [];
  for (const member of files) {
    placements.push(
      await placeMember(member.kind, member.path, memberFile(member), request.destination, request.nowMs),
    );
  }
  return {
    manifest,
    pgRestore: `${pgRestore.file} (${pgRestore.version})`,
    replacedDatabase: facts.relations > 0,
    placements,
    rows: await rowCounts(request.databaseUrl, COUNTED_TABLES),
  };
}

/** Key fingerprints of the key files at `signingKeyFile` and retired beside it: what a backup made here is signed by. */
export async function localKeyFingerprints(destination: Destination): Promise<string[]> {
  const fingerprints: string[] = [];
  for (const file of await dataFiles(destination)) {
    if (file.kind === 'signing-key' || file.kind === 'retired-signing-key') {
      try {
        const read = readSigningKey(file.source);
        if (read.kind === 'key') {
          fingerprints.push(read.signer.fingerprint);
        }
      } catch {
        // A file that holds no Ed25519 key vouches for no backup.
      }
    }
  }
  return fingerprints;
}

/**
 * The files of dataDir a backup carries and where each goes back: the report signing
 * key (and the retired ones kept beside it), the key that seals alert subscriptions'
 * secrets (and its retired ones: without it a restored pool cannot sign a webhook),
 * Stratum V2's Noise keys and certificate,
 * the share journals (shares miners were told
 * are accepted and the database may not hold yet), the block journal and the found blocks
 * still waiting for the node. The layout is the one roles/ gives dataDir
 * (roles/stratum-node.ts, roles/books.ts); the stratum-instance file is left out on
 * purpose, so that a restored node never claims the id of a node still running.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { MemberKind } from './manifest.ts';

/** A file of dataDir to back up, and its path inside the backup. */
export interface DataFile {
  readonly source: string;
  readonly path: string;
  readonly kind: MemberKind;
}

/** Stratum V2's Noise key files, where the configuration puts them. */
export interface Sv2KeyFiles {
  readonly staticKeyFile: string;
  readonly certificateFile: string;
  /** Often moved offline after the first certificate: backed up only when it is there. */
  readonly authorityKeyFile: string;
}

/** Where a restore puts what it takes from a backup. */
export interface Destination {
  readonly dataDir: string;
  readonly signingKeyFile: string;
  /** alerts.secretKeyFile, or dataDir/alert-secret.key. */
  readonly alertSecretKeyFile: string;
  readonly sv2: Sv2KeyFiles;
}

/** The Stratum V2 key files' kinds, their paths in a backup, and where each is configured. */
const SV2_MEMBERS = [
  { kind: 'sv2-static-key', path: 'keys/sv2-static-key.pem', file: 'staticKeyFile' },
  { kind: 'sv2-certificate', path: 'keys/sv2-certificate.json', file: 'certificateFile' },
  { kind: 'sv2-authority-key', path: 'keys/sv2-authority-key.pem', file: 'authorityKeyFile' },
] as const satisfies readonly { kind: MemberKind; path: string; file: keyof Sv2KeyFiles }[];

/** The kinds a restore replaces only when told to (--force): keys and what certifies them. */
export const KEY_KINDS: ReadonlySet<MemberKind> = new Set([
  'signing-key',
  'retired-signing-key',
  'alert-secret-key',
  'retired-alert-secret-key',
  ...SV2_MEMBERS.map((member) => member.kind),
]);

export interface Placement {
  readonly path: string;
  readonly to: string;
  /** written; kept (the same file was there); renumbered (a different journal file had its name); merged (lines appended). */
  readonly outcome: 'written' | 'kept' | 'renumbered' | 'merged';
}

const NODE_FOLDER = /^node-(\d{1,3})$/;
const JOURNAL_FILE = /^journal-(\d{12})\.ndjson$/;
const PENDING_FILE = /^[0-9a-f]{64}\.json$/;
const RETIRED_SUFFIX = /\.retired-([0-9a-z]{1,16})$/;
/** secret-keys.ts names a retired alert key by its 16-hex id. */
const RETIRED_ALERT_KEY = /\.retired-([0-9a-f]{16})$/;

async function names(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return [];
    }
    throw error;
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await lstat(file)).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return false;
    }
    throw error;
  }
}

/** `folder/node-N/<name>` files whose names match `pattern`, as members under `prefix`. */
async function perNode(
  dataDir: string,
  prefix: string,
  pattern: RegExp,
  kind: MemberKind,
): Promise<DataFile[]> {
  const files: DataFile[] = [];
  for (const node of (await names(path.join(dataDir, prefix))).filter((name) => NODE_FOLDER.test(name))) {
    const folder = path.join(dataDir, prefix, node);
    for (const name of (await names(folder)).filter((entry) => pattern.test(entry))) {
      if (await isFile(path.join(folder, name))) {
        files.push({ source: path.join(folder, name), path: `${prefix}/${node}/${name}`, kind });
      }
    }
  }
  return files;
}

/**
 * What of dataDir goes into a backup. The share journals come first: a batch stored
 * while the backup runs is then in the copied journal or in the dump taken after it, and
 * one in both is stored once (by its id) when the restored pool replays it.
 */
export async function dataFiles(destination: Destination): Promise<DataFile[]> {
  const { dataDir, signingKeyFile } = destination;
  const keyFolder = path.dirname(signingKeyFile);
  const keyName = path.basename(signingKeyFile);
  const retired: DataFile[] = [];
  for (const name of await names(keyFolder)) {
    const suffix = RETIRED_SUFFIX.exec(name);
    if (
      suffix?.[1] !== undefined &&
      name === `${keyName}${suffix[0]}` &&
      (await isFile(path.join(keyFolder, name)))
    ) {
      retired.push({
        source: path.join(keyFolder, name),
        path: `keys/retired-${suffix[1]}.pem`,
        kind: 'retired-signing-key',
      });
    }
  }
  const { alertSecretKeyFile } = destination;
  const alertKeys: DataFile[] = (await isFile(alertSecretKeyFile))
    ? [{ source: alertSecretKeyFile, path: 'keys/alert-secret.key', kind: 'alert-secret-key' }]
    : [];
  const alertKeyName = path.basename(alertSecretKeyFile);
  for (const name of await names(path.dirname(alertSecretKeyFile))) {
    const id = RETIRED_ALERT_KEY.exec(name)?.[1];
    const source = path.join(path.dirname(alertSecretKeyFile), name);
    if (id !== undefined && name === `${alertKeyName}.retired-${id}` && (await isFile(source))) {
      alertKeys.push({
        source,
        path: `keys/alert-secret-retired-${id}.key`,
        kind: 'retired-alert-secret-key',
      });
    }
  }
  const blockJournal = path.join(dataDir, 'blocks.jsonl');
  const sv2: DataFile[] = [];
  for (const member of SV2_MEMBERS) {
    const source = destination.sv2[member.file];
    if (await isFile(source)) {
      sv2.push({ source, path: member.path, kind: member.kind });
    }
  }
  return [
    ...(await perNode(dataDir, 'journal', JOURNAL_FILE, 'share-journal')),
    ...((await isFile(blockJournal))
      ? [{ source: blockJournal, path: 'blocks.jsonl', kind: 'block-journal' as const }]
      : []),
    ...(await perNode(dataDir, 'blocks-pending', PENDING_FILE, 'pending-block')),
    { source: signingKeyFile, path: 'keys/report-signing-key.pem', kind: 'signing-key' },
    ...retired,
    ...alertKeys,
    ...sv2,
  ];
}

/** SHA-256 (hex) and size of a file, read as a stream. */
export async function digestFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(createReadStream(file), async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      hash.update(chunk);
      bytes += chunk.length;
    }
  });
  return { sha256: hash.digest('hex'), bytes };
}

/** `from` copied to `to` whole (through a temporary name), 0600, its folder made 0700 when new. */
async function placeCopy(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true, mode: 0o700 });
  const partial = `${to}.${randomUUID()}.partial`;
  try {
    await copyFile(from, partial);
    await chmod(partial, 0o600);
    await rename(partial, to);
  } finally {
    await rm(partial, { force: true });
  }
}

async function sameContent(a: string, b: string): Promise<boolean> {
  const [left, right] = await Promise.all([digestFile(a), digestFile(b)]);
  return left.sha256 === right.sha256;
}

/** The journal file name after the last one in `folder`. */
async function nextJournalName(folder: string): Promise<string> {
  const sequences = (await names(folder))
    .map((name) => JOURNAL_FILE.exec(name)?.[1])
    .filter((sequence): sequence is string => sequence !== undefined)
    .map(Number);
  return `journal-${String(Math.max(0, ...sequences) + 1).padStart(12, '0')}.ndjson`;
}

/** Where a member of `kind` at `memberPath` goes back to. */
export function destinationOf(kind: MemberKind, memberPath: string, destination: Destination): string {
  switch (kind) {
    case 'signing-key':
      return destination.signingKeyFile;
    case 'retired-signing-key':
      return `${destination.signingKeyFile}.retired-${memberPath.slice('keys/retired-'.length, -'.pem'.length)}`;
    case 'alert-secret-key':
      return destination.alertSecretKeyFile;
    case 'retired-alert-secret-key':
      return `${destination.alertSecretKeyFile}.retired-${memberPath.slice('keys/alert-secret-retired-'.length, -'.key'.length)}`;
    case 'sv2-static-key':
    case 'sv2-certificate':
    case 'sv2-authority-key': {
      const member = SV2_MEMBERS.find((candidate) => candidate.kind === kind);
      // SV2_MEMBERS has every sv2 kind.
      return destination.sv2[member?.file ?? 'staticKeyFile'];
    }
    case 'database':
      throw new Error('the database dump is restored by pg_restore, not copied');
    default:
      return path.join(destination.dataDir, ...memberPath.split('/'));
  }
}

/**
 * Puts one verified member (`from`, a file of the backup) back, losing nothing that is
 * there: a journal file of the same name but other content is added under the next
 * sequence number (its batches are stored once by their ids), the block journal's missing
 * lines are appended. A key file that differs is moved aside as `<file>.before-restore-<time>`,
 * only when `replaceKeys` (the caller refuses otherwise, before anything is written).
 */
export async function placeMember(
  kind: MemberKind,
  memberPath: string,
  from: string,
  destination: Destination,
  nowMs: number,
): Promise<Placement> {
  const to = destinationOf(kind, memberPath, destination);
  if (!(await isFile(to))) {
    await placeCopy(from, to);
    return { path: memberPath, to, outcome: 'written' };
  }
  if (await sameContent(from, to)) {
    return { path: memberPath, to, outcome: 'kept' };
  }
  switch (kind) {
    case 'share-journal': {
      const renamed = path.join(path.dirname(to), await nextJournalName(path.dirname(to)));
      await placeCopy(from, renamed);
      return { path: memberPath, to: renamed, outcome: 'renumbered' };
    }
    case 'block-journal': {
      const there = await readFile(to, 'utf8');
      const present = new Set(there.split('\n'));
      const missing = (await readFile(from, 'utf8'))
        .split('\n')
        .filter((line) => line !== '' && !present.has(line));
      if (missing.length === 0) {
        return { path: memberPath, to, outcome: 'kept' };
      }
      // A last line a crash tore stays a line of its own, not the start of the first appended.
      const separator = there === '' || there.endsWith('\n') ? '' : '\n';
      await writeFile(to, separator + missing.map((line) => `${line}\n`).join(''), {
        flag: 'a',
        mode: 0o600,
      });
      return { path: memberPath, to, outcome: 'merged' };
    }
    default: {
      // A pending block's file is named by its hash: another content is the same block.
      if (kind === 'pending-block') {
        return { path: memberPath, to, outcome: 'kept' };
      }
      await rename(to, `${to}.before-restore-${new Date(nowMs).toISOString().replace(/[-:.]/g, '')}`);
      await placeCopy(from, to);
      return { path: memberPath, to, outcome: 'written' };
    }
  }
}

/** Whether a file is at `file` whose content differs from `from`'s: a key a restore would replace. */
export async function differs(from: string, file: string): Promise<boolean> {
  return (await isFile(file)) && !(await sameContent(from, file));
}

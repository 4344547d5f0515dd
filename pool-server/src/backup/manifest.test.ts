import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signerFromKey } from '../farms/reports/signing.ts';
import { readManifest, signManifest, type BackupManifest } from './manifest.ts';
import { parseToolVersion } from './pg-tools.ts';

const signer = signerFromKey(generateKeyPairSync('ed25519').privateKey);
const SHA = 'ab'.repeat(32);

function manifestWith(members: readonly unknown[]): BackupManifest {
  return {
    format: 'hashwatt-backup',
    formatVersion: 1,
    createdAt: '2026-12-07T08:00:00.000Z',
    poolVersion: '0.1.0',
    schemaMigration: { version: 30, name: '0030_example.sql' },
    database: {
      dumpFormat: 'custom',
      pgDumpVersion: '15.20',
      pgDumpMajor: 15,
      serverVersion: '15.20',
      serverMajor: 15,
    },
    signingKey: { fingerprint: signer.fingerprint, publicKey: signer.publicKey.toString('base64') },
    members: members as BackupManifest['members'],
  };
}

/** A manifest signed by its own key, as a forger holding that key would sign it. */
function read(members: readonly unknown[]): BackupManifest {
  const signed = signManifest(manifestWith(members), signer);
  return readManifest(signed.bytes, signed.signature);
}

const DUMP = { path: 'database.dump', kind: 'database', bytes: 10, sha256: SHA };

describe('a backup manifest', () => {
  it('reads back what was signed', () => {
    const members = [
      DUMP,
      { path: 'journal/node-1/journal-000000000001.ndjson', kind: 'share-journal', bytes: 5, sha256: SHA },
    ];
    expect(read(members).members).toEqual(members);
  });

  it.each([
    [
      'a path out of the backup',
      { path: '../../etc/cron.d/x', kind: 'share-journal', bytes: 1, sha256: SHA },
      'has a path',
    ],
    ['an absolute path', { path: '/etc/passwd', kind: 'block-journal', bytes: 1, sha256: SHA }, 'has a path'],
    [
      'a path of another kind',
      { path: 'blocks.jsonl', kind: 'signing-key', bytes: 1, sha256: SHA },
      'has a path',
    ],
    ['an unknown kind', { path: 'x', kind: 'script', bytes: 1, sha256: SHA }, 'unknown kind'],
    ['a negative size', { path: 'blocks.jsonl', kind: 'block-journal', bytes: -1, sha256: SHA }, 'no size'],
    ['no digest', { path: 'blocks.jsonl', kind: 'block-journal', bytes: 1, sha256: 'x' }, 'no SHA-256'],
    ['the dump twice', DUMP, 'lists a member twice'],
  ])('refuses %s, even signed', (_name, member, problem) => {
    expect(() => read([DUMP, member])).toThrow(problem);
  });

  it('refuses one without a dump, and one whose signature does not hold', () => {
    expect(() => read([])).toThrow('lists no database dump');
    const signed = signManifest(manifestWith([DUMP]), signer);
    const edited = Buffer.from(signed.bytes.toString().replace('0.1.0', '0.1.1'));
    expect(() => readManifest(edited, signed.signature)).toThrow('changed after the backup was made');
    expect(() => readManifest(Buffer.from('{"format"'), signed.signature)).toThrow('not JSON');
  });
});

describe('pg_dump --version', () => {
  it.each([
    ['pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)', { major: 15, version: '15.20' }],
    ['pg_restore (PostgreSQL) 18.4', { major: 18, version: '18.4' }],
    ['pg_dump (PostgreSQL) 19devel', { major: 19, version: '19' }],
    ['bash: pg_dump: command not found', undefined],
  ])('%s', (line, expected) => {
    expect(parseToolVersion(line)).toEqual(expected);
  });
});

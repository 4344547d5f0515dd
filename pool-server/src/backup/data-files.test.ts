import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { AlertSecretKeys } from '../alerts/secret-keys.ts';
import { dataFiles, destinationOf, KEY_KINDS, type Destination } from './data-files.ts';
import { memberPathAllowed } from './manifest.ts';

const folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

async function destinationIn(): Promise<Destination> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-backup-files-'));
  folders.push(dataDir);
  await mkdir(dataDir, { recursive: true });
  const signingKeyFile = path.join(dataDir, 'report-signing-key.pem');
  await writeFile(signingKeyFile, 'a key', { mode: 0o600 });
  return {
    dataDir,
    signingKeyFile,
    alertSecretKeyFile: path.join(dataDir, 'alert-secret.key'),
    sv2: {
      staticKeyFile: path.join(dataDir, 'sv2-static-key.pem'),
      certificateFile: path.join(dataDir, 'sv2-certificate.json'),
      authorityKeyFile: path.join(dataDir, 'sv2-authority-key.pem'),
    },
  };
}

describe("a backup's alert secret keys", () => {
  test('carries the current key and the retired ones, each back to where the pool reads it', async () => {
    const destination = await destinationIn();
    const old = AlertSecretKeys.open(destination.alertSecretKeyFile);
    const { keys } = AlertSecretKeys.rotate(destination.alertSecretKeyFile);
    const members = (await dataFiles(destination)).filter((file) => file.kind.includes('alert-secret'));
    expect(members).toEqual([
      { source: destination.alertSecretKeyFile, path: 'keys/alert-secret.key', kind: 'alert-secret-key' },
      {
        source: `${destination.alertSecretKeyFile}.retired-${old.currentId}`,
        path: `keys/alert-secret-retired-${old.currentId}.key`,
        kind: 'retired-alert-secret-key',
      },
    ]);
    for (const member of members) {
      expect(memberPathAllowed(member.kind, member.path)).toBe(true);
      expect(destinationOf(member.kind, member.path, destination)).toBe(member.source);
      // A restore puts a key over a different one only when told to (--force).
      expect(KEY_KINDS.has(member.kind)).toBe(true);
    }
    expect(keys.currentId).not.toBe(old.currentId);
  });

  test('has none to carry before the pool made one', async () => {
    const destination = await destinationIn();
    expect((await dataFiles(destination)).map((file) => file.kind)).toEqual(['signing-key']);
  });
});

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { AlertSecretKeys } from './secret-keys.ts';

const folders: string[] = [];
function keyFile(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'hashwatt-alert-key-'));
  folders.push(folder);
  return path.join(folder, 'alert-secret.key');
}
afterEach(() => {
  for (const folder of folders.splice(0)) {
    rmSync(folder, { recursive: true, force: true });
  }
});

const SECRET = 'q3J0VGhpcy1pcy1hLXdlYmhvb2stc2VjcmV0LXRoYXQ';

describe('the alert secret key', () => {
  test('is made on first use, 32 bytes in base64, readable by its owner alone', () => {
    const file = keyFile();
    const keys = AlertSecretKeys.open(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(keys.currentId).toMatch(/^[0-9a-f]{16}$/);
    // Opened again, the same key.
    expect(AlertSecretKeys.open(file).currentId).toBe(keys.currentId);
  });

  test('seals a secret that only its own subscription, under this key, opens', () => {
    const keys = AlertSecretKeys.open(keyFile());
    const sealed = keys.seal(SECRET, '12');
    expect(sealed).toMatch(new RegExp(`^hwseal1\\.${keys.currentId}\\.[\\w-]{16}\\.[\\w-]+\\.[\\w-]{22}$`));
    expect(sealed).not.toContain(SECRET);
    // A fresh nonce each time: the same secret never seals the same way twice.
    expect(keys.seal(SECRET, '12')).not.toBe(sealed);
    expect(keys.open(sealed, '12')).toBe(SECRET);
    expect(() => keys.open(sealed, '13')).toThrow(
      /^the secret of subscription 13 does not open under alert secret key [0-9a-f]{16}: the key file or the row was changed$/,
    );
    const [prefix, id, nonce, body = '', tag] = sealed.split('.');
    const flipped = `${body.startsWith('A') ? 'B' : 'A'}${body.slice(1)}`;
    expect(() => keys.open([prefix, id, nonce, flipped, tag].join('.'), '12')).toThrow(/does not open/);
    expect(() => keys.open(SECRET, '12')).toThrow(/^the secret of subscription 12 is not in a sealed form$/);
  });

  test('another key says which key the secret needs, and where it looked', () => {
    const file = keyFile();
    const sealed = AlertSecretKeys.open(keyFile()).seal(SECRET, '12');
    const other = AlertSecretKeys.open(file);
    expect(() => other.open(sealed, '12')).toThrow(
      new RegExp(
        `sealed under alert secret key [0-9a-f]{16}, but ${file} holds key ${other.currentId} and no key retired beside it is [0-9a-f]{16}: put that key file back \\(a backup carries it\\)$`,
      ),
    );
  });

  test('a rotated key is kept beside the new one and still opens what it sealed', () => {
    const file = keyFile();
    const old = AlertSecretKeys.open(file);
    const sealed = old.seal(SECRET, '5');
    const { keys, retiredAs } = AlertSecretKeys.rotate(file);
    expect(retiredAs).toBe(`${file}.retired-${old.currentId}`);
    expect(statSync(retiredAs).mode & 0o777).toBe(0o600);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(keys.currentId).not.toBe(old.currentId);
    expect(keys.open(sealed, '5')).toBe(SECRET);
    expect(keys.seal(SECRET, '5').split('.')[1]).toBe(keys.currentId);
  });

  test('a process running when the key was rotated finds the new key on disk, and seals with it', () => {
    const file = keyFile();
    const running = AlertSecretKeys.open(file);
    const { keys } = AlertSecretKeys.rotate(file);
    expect(running.open(keys.seal(SECRET, '3'), '3')).toBe(SECRET);
    expect(running.currentId).toBe(keys.currentId);
  });

  test('refuses a key file that is not 32 bytes of base64, naming it', () => {
    const file = keyFile();
    writeFileSync(file, 'not a key\n', { mode: 0o600 });
    expect(() => AlertSecretKeys.open(file)).toThrow(
      `${file} is not an alert secret key: it must hold 32 bytes in base64`,
    );
    writeFileSync(file, `${Buffer.alloc(16).toString('base64')}\n`);
    expect(() => AlertSecretKeys.open(file)).toThrow(/is not an alert secret key/);
  });
});

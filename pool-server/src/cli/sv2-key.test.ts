import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAuthorityPublicKey } from '../stratum/v2/noise/authority-key.ts';
import { runCommand } from './index.ts';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) {
    rmSync(folder, { recursive: true, force: true });
  }
});

function scratch(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'hashwatt-sv2-cli-'));
  folders.push(folder);
  return folder;
}

/** Runs `hashwatt …args` in process with dataDir in a fresh folder. */
function cli(dataDir: string) {
  return async (...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> => {
    const out: string[] = [];
    const err: string[] = [];
    const status = await runCommand(args, {
      env: { HASHWATT_DATA_DIR: dataDir, HASHWATT_LOG_LEVEL: 'warn' },
      stdin: Readable.from([]),
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text) },
    });
    return { status, stdout: out.join(''), stderr: err.join('') };
  };
}

describe('hashwatt sv2', () => {
  it('makes an authority key, then the static key and certificate it signs, shows and renews them', async () => {
    const root = scratch();
    const dataDir = path.join(root, 'data');
    const run = cli(dataDir);
    const authorityFile = path.join(root, 'offline', 'authority.pem');

    const created = await run('sv2', 'authority', 'create', '--out', authorityFile);
    expect(created.status).toBe(0);
    const publicKey = /authority public key (\w+)/.exec(created.stdout)?.[1] as string;
    expect(parseAuthorityPublicKey(publicKey).ok).toBe(true);
    expect(statSync(authorityFile).mode & 0o777).toBe(0o600);

    const rotated = await run('sv2', 'key', 'rotate', '--authority-key', authorityFile, '--days', '30');
    expect(rotated.stderr).toBe('');
    expect(rotated.status).toBe(0);
    expect(rotated.stdout).toContain(`signed by authority ${publicKey}`);
    expect(statSync(path.join(dataDir, 'sv2-static-key.pem')).mode & 0o777).toBe(0o600);

    const shown = await run('sv2', 'key', 'show');
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain(`authority public key ${publicKey}`);
    const staticKey = /static public key ([0-9a-f]{64})/.exec(shown.stdout)?.[1] as string;

    const renewed = await run('sv2', 'certificate', 'renew', '--authority-key', authorityFile);
    expect(renewed.status).toBe(0);
    expect(renewed.stdout).toContain(`new certificate for static key ${staticKey}`);

    const again = await run('sv2', 'key', 'rotate', '--authority-key', authorityFile);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/the old static key is kept as .*sv2-static-key\.pem\.retired-[0-9a-f]{16}/);
    expect(again.stdout).not.toContain(staticKey);
  });

  it('says what is wrong: a bad --days, an authority key that is not there', async () => {
    const root = scratch();
    const run = cli(path.join(root, 'data'));
    const badDays = await run('sv2', 'key', 'rotate', '--days', 'ten');
    expect(badDays.status).toBe(2);
    expect(badDays.stderr).toBe('sv2 key rotate: --days ten: a whole number of days from 1 to 3650\n');
    const absent = path.join(root, 'absent.pem');
    const noAuthority = await run('sv2', 'certificate', 'renew', '--authority-key', absent);
    expect(noAuthority.status).toBe(1);
    expect(noAuthority.stderr).toBe(`sv2 certificate renew: ${absent} cannot be read (ENOENT)\n`);
    const noCertificate = await run('sv2', 'key', 'show');
    expect(noCertificate.status).toBe(1);
    expect(noCertificate.stderr).toMatch(/sv2-certificate\.json cannot be read \(ENOENT\)/);
  });
});

/**
 * scripts/test-prerequisites.sh, which `pnpm test` and .ci/run start with, run on a file
 * system and PATH of the test's own: programs present or missing under
 * HASHWATT_PREREQUISITES_ROOT, and `id` and `apt-get` stand-ins that say who runs it and
 * record what apt was asked, so nothing is installed or removed.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const SCRIPT = path.resolve(import.meta.dirname, '../../../scripts/test-prerequisites.sh');
const EVERY_PACKAGE = 'poppler-utils chromium haproxy nats-server';

describe('the tests’ prerequisites', () => {
  let folder: string;
  let root: string;
  let bin: string;
  let aptCalls: string;

  const executable = (file: string, text: string): void => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    chmodSync(file, 0o755);
  };
  const install = (...files: string[]): void => {
    for (const file of files) {
      executable(path.join(root, file), '#!/bin/sh\n');
    }
  };
  const runAs = (uid: number, { apt = true } = {}) => {
    executable(path.join(bin, 'id'), `#!/bin/sh\necho ${String(uid)}\n`);
    if (apt) {
      executable(path.join(bin, 'apt-get'), `#!/bin/sh\necho "$DEBIAN_FRONTEND $*" >> ${aptCalls}\n`);
    }
    return spawnSync('/bin/bash', [SCRIPT], {
      encoding: 'utf8',
      env: { PATH: bin, HASHWATT_PREREQUISITES_ROOT: root },
    });
  };
  const aptWasAsked = (): string[] =>
    existsSync(aptCalls) ? readFileSync(aptCalls, 'utf8').trim().split('\n') : [];

  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'hashwatt-prerequisites-'));
    root = path.join(folder, 'root');
    bin = path.join(folder, 'bin');
    aptCalls = path.join(folder, 'apt-calls');
    mkdirSync(root);
  });
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('finds everything where Debian puts it, and asks apt nothing', () => {
    install('/usr/bin/pdftotext', '/usr/bin/chromium', '/usr/sbin/haproxy', '/usr/sbin/nats-server');
    const run = runAs(0);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(aptWasAsked()).toEqual([]);
  });

  it('finds a program on PATH too, but Chromium only at /usr/bin/chromium, where the tests drive it', () => {
    install('/usr/bin/pdftotext', '/usr/sbin/haproxy');
    executable(path.join(bin, 'nats-server'), '#!/bin/sh\n');
    executable(path.join(bin, 'chromium'), '#!/bin/sh\n');
    const run = runAs(1000);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('sudo apt-get install -y chromium\n');
  });

  it('as root with apt, installs only what is missing, the package lists updated first', () => {
    install('/usr/bin/pdftotext', '/usr/sbin/nats-server');
    const run = runAs(0);
    expect(run.status, run.stderr).toBe(0);
    expect(aptWasAsked()).toEqual([
      'noninteractive update -qq',
      'noninteractive install -y -qq chromium haproxy',
    ]);
  });

  it('as another user, stops with one message naming the command to run', () => {
    const run = runAs(1000);
    expect(run.status).toBe(1);
    expect(aptWasAsked()).toEqual([]);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `The tests need Debian packages that are missing: ${EVERY_PACKAGE}. Install them, then run again:\n` +
        `  sudo apt-get update && sudo apt-get install -y ${EVERY_PACKAGE}\n`,
    );
  });

  it('as root without apt, names the command without sudo', () => {
    install('/usr/bin/pdftotext', '/usr/bin/chromium', '/usr/sbin/nats-server');
    const run = runAs(0, { apt: false });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('  apt-get update && apt-get install -y haproxy\n');
  });
});

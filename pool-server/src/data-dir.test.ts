import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeDataDirPrivate } from './data-dir.ts';

const modeOf = async (target: string): Promise<string> => ((await stat(target)).mode & 0o7777).toString(8);

describe('makeDataDirPrivate', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'hashwatt-data-dir-')), 'data');
  });
  afterEach(async () => {
    await rm(path.dirname(dataDir), { recursive: true, force: true });
  });

  it('makes folders 0700 and files 0600, as a umask of 0 would have left them open', async () => {
    await mkdir(path.join(dataDir, 'journal', 'node-1'), { recursive: true });
    await writeFile(path.join(dataDir, 'report-signing-key.pem'), 'key');
    await writeFile(path.join(dataDir, 'journal', 'node-1', 'journal-000000000001.ndjson'), '{}\n');
    for (const [target, mode] of [
      [dataDir, 0o777],
      [path.join(dataDir, 'journal'), 0o755],
      [path.join(dataDir, 'journal', 'node-1'), 0o777],
      [path.join(dataDir, 'report-signing-key.pem'), 0o644],
      [path.join(dataDir, 'journal', 'node-1', 'journal-000000000001.ndjson'), 0o666],
    ] as const) {
      await chmod(target, mode);
    }

    const fixes = await makeDataDirPrivate(dataDir, []);

    expect(fixes.map((fix) => [path.relative(dataDir, fix.path), fix.was, fix.now]).sort()).toEqual(
      [
        ['', '777', '700'],
        ['journal', '755', '700'],
        ['journal/node-1', '777', '700'],
        ['journal/node-1/journal-000000000001.ndjson', '666', '600'],
        ['report-signing-key.pem', '644', '600'],
      ].sort(),
    );
    expect(await modeOf(dataDir)).toBe('700');
    expect(await modeOf(path.join(dataDir, 'report-signing-key.pem'))).toBe('600');
    expect(await makeDataDirPrivate(dataDir, [])).toEqual([]);
  });

  it('leaves a private dataDir as it is, group search included, and the folders it is told to skip', async () => {
    await mkdir(path.join(dataDir, 'postgres', 'base'), { recursive: true });
    await writeFile(path.join(dataDir, 'stratum-instance'), 'id');
    await chmod(dataDir, 0o710);
    await chmod(path.join(dataDir, 'stratum-instance'), 0o400);
    await chmod(path.join(dataDir, 'postgres'), 0o750);
    await chmod(path.join(dataDir, 'postgres', 'base'), 0o755);

    expect(await makeDataDirPrivate(dataDir, [path.join(dataDir, 'postgres')])).toEqual([]);
    expect(await modeOf(path.join(dataDir, 'postgres', 'base'))).toBe('755');
  });

  it('takes rights from group and others only: an owner’s script stays runnable', async () => {
    await mkdir(dataDir, { mode: 0o700 });
    await writeFile(path.join(dataDir, 'hook.sh'), '#!/bin/sh\n');
    await chmod(path.join(dataDir, 'hook.sh'), 0o775);

    expect(await makeDataDirPrivate(dataDir, [])).toEqual([
      { path: path.join(dataDir, 'hook.sh'), was: '775', now: '700' },
    ]);
  });

  it('refuses a folder others share, as /tmp, rather than take it from them', async () => {
    await mkdir(dataDir);
    await chmod(dataDir, 0o1777);

    await expect(makeDataDirPrivate(dataDir, [])).rejects.toThrow(
      `${dataDir} is a folder others share (like /tmp): give dataDir a folder of its own`,
    );
    expect(await modeOf(dataDir)).toBe('1777');
  });

  it('makes a missing dataDir 0700', async () => {
    expect(await makeDataDirPrivate(dataDir, [])).toEqual([]);
    expect(await modeOf(dataDir)).toBe('700');
  });
});

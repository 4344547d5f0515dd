import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { journalSizes } from './metrics-sources.ts';

describe('journalSizes', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-journals-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("gives each node's files, bytes and when its least recently written file was written", async () => {
    const node = path.join(dataDir, 'journal', 'node-3');
    await mkdir(node, { recursive: true });
    await writeFile(path.join(node, 'journal-000000000001.ndjson'), 'x'.repeat(100));
    await writeFile(path.join(node, 'journal-000000000002.ndjson'), 'y'.repeat(50));
    const sealedAt = new Date('2026-12-07T08:00:00Z');
    await utimes(path.join(node, 'journal-000000000001.ndjson'), sealedAt, sealedAt);
    await mkdir(path.join(dataDir, 'journal', 'node-4'));
    await mkdir(path.join(dataDir, 'journal', 'not-a-node'));

    const sizes = await journalSizes(dataDir);
    expect(sizes.sort((a, b) => a.nodeId - b.nodeId)).toEqual([
      { nodeId: 3, files: 2, bytes: 150, oldestWrittenMs: sealedAt.getTime() },
      { nodeId: 4, files: 0, bytes: 0, oldestWrittenMs: null },
    ]);
  });

  it('finds none where no Stratum node ever journalled', async () => {
    expect(await journalSizes(dataDir)).toEqual([]);
  });
});

import type * as fsPromises from 'node:fs/promises';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DiskHealth } from '../../db/disk-health.ts';
import { BlockJournal } from './block-journal.ts';
import type { BlockOutcome } from '../../chain/block-submitter.ts';
import { PATIENCE_MS } from '../../../test/helpers/eventually.ts';

// The journal's file: a full disk where a test says so, the real one otherwise.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof fsPromises>();
  return { ...actual, open: vi.fn(actual.open) };
});
const actualOpen = (await vi.importActual<typeof fsPromises>('node:fs/promises')).open;

/**
 * A disk with room for `roomBytes` more: an append takes what fits, then fails with
 * ENOSPC, as write(2) does on a full file system.
 */
function fillDisk(roomBytes: number): { free(): void } {
  vi.mocked(open).mockImplementation(async (file, flags) => {
    const handle = await actualOpen(file, flags);
    const appendFile = async (text: string): Promise<void> => {
      await handle.appendFile(text.slice(0, roomBytes));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    return Object.assign(Object.create(handle) as FileHandle, {
      appendFile,
      sync: () => handle.sync(),
      close: () => handle.close(),
    });
  });
  return {
    free() {
      vi.mocked(open).mockImplementation(actualOpen);
    },
  };
}

const block = (height: number): BlockOutcome => ({
  hash: height.toString(16).padStart(64, '0'),
  height,
  reward: 3_150_000_000n,
  fees: 25_000_000n,
  networkDifficulty: 86_388_558_925_171,
  finder: { account: 'bc1qxhmdufsvnuaaaer4ynz88fspdsxq2h9e9cetdj', worker: 'rig1' },
  solo: false,
  foundAtMs: Date.UTC(2026, 10, 26, 12, 0, 0),
  status: 'accepted',
  detail: '',
});

describe('BlockJournal on a disk that fills', () => {
  let folder: string;
  let file: string;
  const changes: DiskHealth[] = [];

  beforeEach(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-block-journal-'));
    file = path.join(folder, 'blocks.jsonl');
    changes.length = 0;
    vi.mocked(open).mockImplementation(actualOpen);
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('lets a block go on when the disk refuses it, keeps it, and writes it whole once the disk takes it', async () => {
    const journal = new BlockJournal(file, { retryIntervalMs: 10, onHealthChange: (h) => changes.push(h) });
    await journal.record(block(1));
    // Room for part of a line: a torn fragment stays in the file.
    const disk = fillDisk(20);
    await expect(journal.record(block(2))).resolves.toBeUndefined();
    await journal.record(block(3));
    expect(journal.unwritten).toBe(2);
    expect(journal.health).toMatchObject({ writable: false, problem: 'ENOSPC' });
    expect(changes.map((health) => health.writable)).toEqual([false]);
    disk.free();
    // Writable again once a retry's write has reached the disk, not merely started.
    await vi.waitFor(
      () => {
        expect(journal.health.writable).toBe(true);
        expect(journal.unwritten).toBe(0);
      },
      { timeout: PATIENCE_MS },
    );
    const { blocks, unreadable } = await journal.read();
    expect(blocks.map((written) => written.height)).toEqual([1, 2, 3]);
    // The torn fragments stand on lines of their own, never glued to a whole line.
    expect(unreadable).toBeGreaterThan(0);
    expect(changes.map((health) => health.writable)).toEqual([false, true]);
  });

  it('counts the lines of a write under way as unwritten until the disk has them', async () => {
    const journal = new BlockJournal(file);
    let opened!: () => void;
    const opening = new Promise<void>((resolve) => {
      opened = resolve;
    });
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    vi.mocked(open).mockImplementationOnce(async (target, flags) => {
      opened();
      await held;
      return actualOpen(target, flags);
    });
    const recording = journal.record(block(1));
    await opening;
    expect(journal.unwritten).toBe(1);
    release();
    await recording;
    expect(journal.unwritten).toBe(0);
  });
});

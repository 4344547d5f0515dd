import type * as fs from 'node:fs';
import type * as fsPromises from 'node:fs/promises';
import { appendFileSync, close, fdatasync, fdatasyncSync, readFileSync, writeSync } from 'node:fs';
import { mkdtemp, open as openFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PATIENCE_MS } from '../../test/helpers/eventually.ts';
import { SLICE_MS, TimeSlices } from '../db/time-slices.ts';
import type { DiskHealth } from '../db/disk-health.ts';
import { ShareJournal, type JournalSettings } from './share-journal.ts';

// The journal's disk calls, watched (and held or failed where a test says so); they do the real work otherwise.
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof fs>();
  return {
    ...actual,
    fdatasync: vi.fn(actual.fdatasync),
    fdatasyncSync: vi.fn(actual.fdatasyncSync),
    close: vi.fn(actual.close),
    writeSync: vi.fn(actual.writeSync),
  };
});
// The probe's file: refused while the test's disk is full.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof fsPromises>();
  return { ...actual, open: vi.fn(actual.open) };
});
const actualFs = await vi.importActual<typeof fs>('node:fs');
const actualOpen = (await vi.importActual<typeof fsPromises>('node:fs/promises')).open;

const noSpace = (): NodeJS.ErrnoException =>
  Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/**
 * A disk that fills: while full, a write takes what fits of its first `roomBytes`
 * bytes (then nothing) and fails with ENOSPC, and a new file cannot be written.
 */
function fillDisk(roomBytes = 0): { free(): void } {
  let room = roomBytes;
  vi.mocked(writeSync).mockImplementation((fd: number, data: string | Buffer, offset: number | null = 0) => {
    // A commit is written as a string; the rest of a short write as bytes from an offset.
    const buffer = typeof data === 'string' ? Buffer.from(data) : data;
    const from = typeof data === 'string' ? 0 : (offset ?? 0);
    const fits = Math.min(room, buffer.length - from);
    if (fits === 0) {
      throw noSpace();
    }
    room -= fits;
    return actualFs.writeSync(fd, buffer, from, fits);
  });
  vi.mocked(openFile).mockImplementation(() => Promise.reject(noSpace()));
  return {
    free() {
      vi.mocked(writeSync).mockImplementation(actualFs.writeSync);
      vi.mocked(openFile).mockImplementation(actualOpen);
    },
  };
}

type FlushCallback = (error: NodeJS.ErrnoException | null) => void;

/** Flushes held by holdNextFlush, let go after each test whatever it asserted. */
const releases: (() => void)[] = [];

/** Holds the next flush to disk until release() is called: a disk that is slow to answer. */
function holdNextFlush(): { fd: () => number | undefined; release: () => void } {
  let held: { fd: number; callback: FlushCallback } | undefined;
  vi.mocked(fdatasync).mockImplementationOnce((fd: number, callback: FlushCallback) => {
    held = { fd, callback };
  });
  const release = (): void => {
    if (held) {
      actualFs.fdatasync(held.fd, held.callback);
      held = undefined;
    }
  };
  releases.push(release);
  return { fd: () => held?.fd, release };
}

const closedFds = (): number[] => vi.mocked(close).mock.calls.map(([fd]) => fd);

describe('share journal', () => {
  let directory: string;
  let journal: ShareJournal | undefined;
  const flushErrors: Error[] = [];
  const healthChanges: DiskHealth[] = [];

  const open = (settings: Partial<JournalSettings> = {}): ShareJournal => {
    journal = new ShareJournal({
      directory,
      fsync: 'interval',
      fsyncIntervalMs: 60_000,
      onFlushError: (error) => flushErrors.push(error),
      onHealthChange: (health) => healthChanges.push(health),
      probeIntervalMs: 10,
      ...settings,
    });
    return journal;
  };

  beforeEach(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-journal-'));
    vi.clearAllMocks();
    vi.mocked(writeSync).mockImplementation(actualFs.writeSync);
    vi.mocked(openFile).mockImplementation(actualOpen);
    flushErrors.length = 0;
    healthChanges.length = 0;
  });

  afterEach(async () => {
    for (const release of releases.splice(0)) {
      release();
    }
    await journal?.close();
    journal = undefined;
    await rm(directory, { recursive: true, force: true });
  });

  it('writes what was appended at commit, one file per rotation, read back in order and removed', async () => {
    const writing = open();
    writing.append(['b', 'first', 1]);
    writing.appendJson('["s",1]');
    expect(writing.files()).toEqual([]);
    writing.commit();
    const first = writing.rotate();
    writing.append(['b', 'second', 1]);
    writing.commit();
    expect(first).toEqual({ name: 'journal-000000000001.ndjson', sequence: 1 });
    expect(writing.files().map((file) => file.sequence)).toEqual([1, 2]);
    expect(await writing.read(writing.files()[0] ?? { name: '', sequence: 0 })).toEqual([
      ['b', 'first', 1],
      ['s', 1],
    ]);
    await writing.remove(first ?? { name: '', sequence: 0 });
    expect(writing.files().map((file) => file.sequence)).toEqual([2]);
  });

  it('reads a file up to a line a crash cut short, and the next run starts a new file after it', async () => {
    const name = 'journal-000000000007.ndjson';
    appendFileSync(path.join(directory, name), '["b","x",1]\n["s",1]\n["s",2]\n["s",3');
    const reopened = open();
    expect(await reopened.read({ name, sequence: 7 })).toEqual([
      ['b', 'x', 1],
      ['s', 1],
      ['s', 2],
    ]);
    reopened.append(['s', 4]);
    reopened.commit();
    expect(reopened.current?.sequence).toBe(8);
  });

  it('reads a file of many thousand lines whole and in order, across the slices it is parsed in', async () => {
    const writing = open();
    for (let index = 0; index < 4_500; index++) {
      writing.append(['s', index]);
    }
    const file = writing.rotate();
    // A slice's time passes every ten readings of the clock (one every 64 lines): the file
    // is parsed in several slices.
    let clock = 0;
    const now = vi.spyOn(performance, 'now').mockImplementation(() => (clock += SLICE_MS / 10));
    const cuts = vi.spyOn(TimeSlices.prototype, 'next');
    const records = await writing.read(file ?? { name: '', sequence: 0 });
    const cutCount = cuts.mock.calls.length;
    now.mockRestore();
    cuts.mockRestore();
    expect(cutCount).toBeGreaterThanOrEqual(5);
    expect(records).toHaveLength(4_500);
    expect(records.map((record) => (record as [string, number])[1])).toEqual(
      Array.from({ length: 4_500 }, (_, index) => index),
    );
  });

  it('returns from rotate before the closed file is flushed to disk, closes it after, and close() waits for it', async () => {
    const writing = open();
    const disk = holdNextFlush();
    writing.append(['s', 1]);
    const file = writing.rotate();
    expect(file?.sequence).toBe(1);
    await vi.waitFor(
      () => {
        expect(disk.fd()).toBeTypeOf('number');
      },
      { timeout: PATIENCE_MS },
    );
    const fd = disk.fd();
    // The next file is written while the first is still being flushed.
    writing.append(['s', 2]);
    writing.commit();
    expect(writing.current?.sequence).toBe(2);
    let closed = false;
    const closing = writing.close().then(() => {
      closed = true;
    });
    await sleep(20);
    expect(closed).toBe(false);
    expect(closedFds()).not.toContain(fd);
    disk.release();
    await closing;
    expect(closedFds()).toContain(fd);
    expect(flushErrors).toEqual([]);
  });

  it('reports a flush that fails and closes the file all the same', async () => {
    const writing = open();
    vi.mocked(fdatasync).mockImplementationOnce((_fd: number, callback: FlushCallback) => {
      callback(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    });
    writing.append(['s', 1]);
    writing.rotate();
    await writing.close();
    expect(flushErrors.map((error) => error.message)).toEqual(['EIO: i/o error, fdatasync']);
    expect(closedFds()).toHaveLength(1);
  });

  /** A journal on a 10 ms interval with one record written, once the timer's flush of it has started and is held. */
  const intervalFlushHeld = async (): Promise<{
    writing: ShareJournal;
    disk: ReturnType<typeof holdNextFlush>;
  }> => {
    const writing = open({ fsyncIntervalMs: 10 });
    const disk = holdNextFlush();
    writing.append(['s', 1]);
    writing.commit();
    await vi.waitFor(
      () => {
        expect(disk.fd()).toBeTypeOf('number');
      },
      { timeout: PATIENCE_MS },
    );
    return { writing, disk };
  };

  it('flushes the open file on the interval, one flush at a time, without closing it', async () => {
    const { writing, disk } = await intervalFlushHeld();
    expect(fdatasync).toHaveBeenCalledTimes(1);
    writing.append(['s', 2]);
    writing.commit();
    // Written again, but the first flush has not answered: no second one is started beside it.
    await sleep(60);
    expect(fdatasync).toHaveBeenCalledTimes(1);
    disk.release();
    await vi.waitFor(
      () => {
        expect(fdatasync).toHaveBeenCalledTimes(2);
      },
      { timeout: PATIENCE_MS },
    );
    expect(closedFds()).toEqual([]);
    expect(writing.current?.sequence).toBe(1);
  });

  it('closes a rotated file only after the interval flush under way on it has answered', async () => {
    const { writing, disk } = await intervalFlushHeld();
    const fd = disk.fd();
    writing.rotate();
    await sleep(30);
    expect(closedFds()).not.toContain(fd);
    disk.release();
    await writing.close();
    expect(closedFds()).toContain(fd);
  });

  it('flushes at every commit before it returns under the always policy', () => {
    const writing = open({ fsync: 'always' });
    writing.append(['s', 1]);
    writing.commit();
    expect(fdatasyncSync).toHaveBeenCalledTimes(1);
    writing.append(['s', 2]);
    writing.commit();
    expect(fdatasyncSync).toHaveBeenCalledTimes(2);
    // Nothing left unflushed when the file closes.
    writing.rotate();
    expect(fdatasync).not.toHaveBeenCalled();
  });

  it('leaves flushing to the OS under the never policy', async () => {
    const writing = open({ fsync: 'never', fsyncIntervalMs: 10 });
    writing.append(['s', 1]);
    writing.commit();
    await sleep(40);
    writing.rotate();
    await writing.close();
    expect(fdatasync).not.toHaveBeenCalled();
    expect(fdatasyncSync).not.toHaveBeenCalled();
    expect(closedFds()).toHaveLength(1);
  });

  describe('on a disk that fills', () => {
    const fileText = (writing: ShareJournal): string =>
      readFileSync(path.join(directory, writing.current?.name ?? ''), 'utf8');

    it('refuses the commit a full disk cuts short, and keeps only whole commits in the file', async () => {
      const writing = open();
      writing.append(['b', 'batch', 1]);
      writing.append(['s', 1]);
      expect(writing.commit()).toBe(true);
      const before = fileText(writing);
      // Room for half a line: the write is torn, then refused.
      fillDisk(4);
      writing.append(['s', 2]);
      writing.append(['s', 3]);
      expect(writing.commit()).toBe(false);
      expect(fileText(writing)).toBe(before);
      expect(writing.health).toMatchObject({ writable: false, problem: 'ENOSPC' });
      expect(writing.health.unwritableSinceMs).toBeTypeOf('number');
      expect(await writing.read(writing.current ?? { name: '', sequence: 0 })).toEqual([
        ['b', 'batch', 1],
        ['s', 1],
      ]);
    });

    it('tells of the fault once, refuses every commit meanwhile without writing, and resumes once a probe passes', async () => {
      const writing = open();
      writing.append(['b', 'batch', 1]);
      expect(writing.commit()).toBe(true);
      const disk = fillDisk();
      for (let share = 1; share <= 5; share++) {
        writing.append(['s', share]);
        expect(writing.commit()).toBe(false);
      }
      // The first commit found the disk full; the others were refused without a write.
      expect(writeSync).toHaveBeenCalledTimes(2);
      expect(healthChanges).toEqual([writing.health]);
      expect(healthChanges[0]?.writable).toBe(false);
      // Probes fail while the disk stays full: no second report.
      await sleep(50);
      expect(healthChanges).toHaveLength(1);
      disk.free();
      await vi.waitFor(
        () => {
          expect(writing.health.writable).toBe(true);
        },
        { timeout: PATIENCE_MS },
      );
      expect(healthChanges.map((health) => health.writable)).toEqual([false, true]);
      expect(healthChanges[1]?.unwritableSinceMs).toBeUndefined();
      writing.append(['s', 6]);
      expect(writing.commit()).toBe(true);
      expect(await writing.read(writing.current ?? { name: '', sequence: 0 })).toEqual([
        ['b', 'batch', 1],
        ['s', 6],
      ]);
      expect(await readdir(directory)).toEqual([writing.current?.name]);
    });

    it('takes a flush that failed for a fault too: no share is taken until a probe passes', async () => {
      const writing = open();
      vi.mocked(fdatasync).mockImplementationOnce((_fd: number, callback: FlushCallback) => {
        callback(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
      });
      writing.append(['s', 1]);
      expect(writing.commit()).toBe(true);
      // The probes fail too while the test looks.
      const disk = fillDisk();
      writing.rotate();
      await vi.waitFor(
        () => {
          expect(healthChanges.map((health) => health.problem)).toEqual(['EIO']);
        },
        { timeout: PATIENCE_MS },
      );
      writing.append(['s', 2]);
      expect(writing.commit()).toBe(false);
      disk.free();
      await vi.waitFor(
        () => {
          expect(writing.health.writable).toBe(true);
        },
        { timeout: PATIENCE_MS },
      );
      writing.append(['s', 3]);
      expect(writing.commit()).toBe(true);
    });

    it('refuses a commit under the always policy whose flush fails, and cuts its lines back', () => {
      const writing = open({ fsync: 'always' });
      writing.append(['s', 1]);
      expect(writing.commit()).toBe(true);
      const before = fileText(writing);
      vi.mocked(fdatasyncSync).mockImplementationOnce(() => {
        throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      });
      writing.append(['s', 2]);
      expect(writing.commit()).toBe(false);
      expect(fileText(writing)).toBe(before);
      expect(writing.health.problem).toBe('EIO');
    });
  });
});

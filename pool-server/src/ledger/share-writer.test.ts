import type * as fs from 'node:fs';
import { writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SHARE } from '../../test/helpers/share-writer.ts';
import { ShareJournal } from './share-journal.ts';
import type { BatchSink, ShareBatch } from './share-store.ts';
import { ShareWriter } from './share-writer.ts';

// The journal's writes: failed (a full disk) where a test says so; real otherwise.
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof fs>();
  return { ...actual, writeSync: vi.fn(actual.writeSync) };
});
const actualFs = await vi.importActual<typeof fs>('node:fs');

/** A sink that keeps the size of every batch it is given, in order; `held`: stores finish on release(). */
class SizesSink implements BatchSink {
  readonly sizes: number[] = [];
  held = false;
  readonly #releases: (() => void)[] = [];

  store(batch: ShareBatch): Promise<'stored'> {
    this.sizes.push(batch.shares.length);
    if (!this.held) {
      return Promise.resolve('stored');
    }
    return new Promise((resolve) => {
      this.#releases.push(() => {
        resolve('stored');
      });
    });
  }

  release(): void {
    for (const release of this.#releases.splice(0)) {
      release();
    }
  }
}

/** Until every sealed batch is stored and the store loop has ended. */
async function stored(writer: ShareWriter): Promise<void> {
  await until(() => writer.waiting === 0);
  await nextTurn();
}

/** Waits for the writer's real disk work (which fake timers do not move) until `done`. */
async function until(done: () => boolean): Promise<void> {
  for (let turn = 0; !done(); turn++) {
    if (turn > 10_000) {
      throw new Error('the writer never got there');
    }
    await nextTurn();
  }
}

describe('ShareWriter sealing', () => {
  let directory: string;
  let writer: ShareWriter | undefined;
  beforeEach(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-writer-'));
    vi.mocked(writeSync).mockImplementation(actualFs.writeSync);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await writer?.close();
    writer = undefined;
    await rm(directory, { recursive: true, force: true });
  });

  async function started(sink: BatchSink): Promise<ShareWriter> {
    const journal = new ShareJournal({
      directory,
      fsync: 'never',
      fsyncIntervalMs: 1_000,
      onFlushError(error) {
        throw error;
      },
    });
    writer = new ShareWriter(
      sink,
      journal,
      {
        nodeId: 1,
        flushIntervalMs: 50,
        maxBatchShares: 100,
        degradedFlushIntervalMs: 200,
        retryIntervalMs: 100,
      },
      pino({ level: 'silent' }),
    );
    await writer.start();
    return writer;
  }

  const add = (into: ShareWriter, count: number): void => {
    for (let index = 0; index < count; index++) {
      into.addShare(SHARE);
    }
    into.commit();
  };

  /**
   * A full batch whose store is held, then `waiting` shares after it and `ms` of time: the
   * next batch waits for the store. The writer, and the held batch's id.
   */
  async function behindHeldStore(
    sink: SizesSink,
    waiting: number,
    ms: number,
  ): Promise<{ shares: ShareWriter; first: string | undefined }> {
    sink.held = true;
    const shares = await started(sink);
    add(shares, 100);
    const first = shares.lastSealed;
    add(shares, waiting);
    await vi.advanceTimersByTimeAsync(ms);
    expect(shares.lastSealed).toBe(first);
    return { shares, first };
  }

  // When a batch is sealed shows in lastSealed at once; the sink sees it only after the
  // journal's file work (real disk I/O) for the batch before, so it is read after a flush.
  it('seals a batch when its interval runs out', async () => {
    const sink = new SizesSink();
    const shares = await started(sink);
    add(shares, 30);
    await vi.advanceTimersByTimeAsync(49);
    expect(shares.lastSealed).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(shares.lastSealed).toBeDefined();
    await shares.flush();
    expect(sink.sizes).toEqual([30]);
  });

  it('gives the batch after a full one the whole interval, so a steady load makes no remnant batches', async () => {
    const sink = new SizesSink();
    const shares = await started(sink);
    await vi.advanceTimersByTimeAsync(30);
    add(shares, 100);
    const first = shares.lastSealed;
    expect(first).toBeDefined();
    await stored(shares);
    await vi.advanceTimersByTimeAsync(10);
    add(shares, 40);
    // 79 ms: past the interval that began at the start, not the one that began with the full batch.
    await vi.advanceTimersByTimeAsync(39);
    expect(shares.lastSealed).toBe(first);
    add(shares, 60);
    const second = shares.lastSealed;
    expect(second).not.toBe(first);
    await stored(shares);
    await vi.advanceTimersByTimeAsync(49);
    expect(shares.lastSealed).toBe(second);
    add(shares, 7);
    await vi.advanceTimersByTimeAsync(1);
    expect(shares.lastSealed).not.toBe(second);
    await shares.flush();
    expect(sink.sizes).toEqual([100, 100, 7]);
  });

  it('gives the batch after one sealed when the store became free the whole interval', async () => {
    const sink = new SizesSink();
    // Its interval runs out at 50 ms while the store is busy: it is sealed when the store is free, at 90 ms.
    const { shares, first } = await behindHeldStore(sink, 20, 90);
    sink.held = false;
    sink.release();
    await until(() => shares.lastSealed !== first);
    const second = shares.lastSealed;
    await stored(shares);
    add(shares, 5);
    await vi.advanceTimersByTimeAsync(49);
    expect(shares.lastSealed).toBe(second);
    await vi.advanceTimersByTimeAsync(1);
    expect(shares.lastSealed).not.toBe(second);
    await shares.flush();
    expect(sink.sizes).toEqual([100, 20, 5]);
  });

  it('lets a batch fill past its size while the store is busy, to four times it, and seals it once the store is free', async () => {
    const sink = new SizesSink();
    // Full, and its interval has run out too: it waits for the store.
    const { shares, first } = await behindHeldStore(sink, 150, 50);
    sink.release();
    await until(() => shares.lastSealed !== first);
    const second = shares.lastSealed;
    add(shares, 399);
    expect(shares.lastSealed).toBe(second);
    add(shares, 1);
    expect(shares.lastSealed).not.toBe(second);
    sink.held = false;
    sink.release();
    await shares.flush();
    expect(sink.sizes).toEqual([100, 150, 400]);
  });

  it('drops what the journal could not take, never stores it, and says so at the next commit', async () => {
    const sink = new SizesSink();
    const shares = await started(sink);
    for (let index = 0; index < 3; index++) {
      shares.addShare(SHARE);
    }
    expect(shares.commit()).toBe(true);
    vi.mocked(writeSync).mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    shares.addShare(SHARE);
    shares.addShare(SHARE);
    expect(shares.commit()).toBe(false);
    await shares.flush();
    expect(sink.sizes).toEqual([3]);
    // A batch that fills up seals inside addShare: its commit fails there, and the next commit() says so.
    for (let index = 0; index < 100; index++) {
      shares.addShare(SHARE);
    }
    expect(shares.commit()).toBe(false);
    await shares.flush();
    // A batch the journal never held a line of is dropped whole.
    expect(sink.sizes).toEqual([3]);
    expect(shares.commit()).toBe(true);
  });
});

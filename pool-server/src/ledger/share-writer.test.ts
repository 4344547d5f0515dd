import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SHARE } from '../../test/helpers/share-writer.ts';
import { ShareJournal } from './share-journal.ts';
import type { BatchSink, ShareBatch } from './share-store.ts';
import { ShareWriter } from './share-writer.ts';

/** A sink that keeps the size of every batch it is given, in order. */
class SizesSink implements BatchSink {
  readonly sizes: number[] = [];

  store(batch: ShareBatch): Promise<'stored'> {
    this.sizes.push(batch.shares.length);
    return Promise.resolve('stored');
  }
}

describe('ShareWriter sealing', () => {
  let directory: string;
  let writer: ShareWriter | undefined;
  beforeEach(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-writer-'));
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
    await vi.advanceTimersByTimeAsync(10);
    add(shares, 40);
    // 79 ms: past the interval that began at the start, not the one that began with the full batch.
    await vi.advanceTimersByTimeAsync(39);
    expect(shares.lastSealed).toBe(first);
    add(shares, 60);
    const second = shares.lastSealed;
    expect(second).not.toBe(first);
    await vi.advanceTimersByTimeAsync(49);
    expect(shares.lastSealed).toBe(second);
    add(shares, 7);
    await vi.advanceTimersByTimeAsync(1);
    expect(shares.lastSealed).not.toBe(second);
    await shares.flush();
    expect(sink.sizes).toEqual([100, 100, 7]);
  });
});

import { mkdtemp, readdir, rm, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MeterSample } from '@hashwatt/schemas';
import { DiskQueue, type Reading } from './disk-queue.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hashwatt-queue-'));
  dirs.push(dir);
  return dir;
}

function meter(i: number): Reading {
  const sample: MeterSample = {
    meter: 'hall-a',
    at: new Date(Date.UTC(2026, 10, 25, 0, 0, i)).toISOString(),
    energyWh: i,
    powerW: 1,
  };
  return { kind: 'meter', sample };
}

const energies = (readings: readonly Reading[]): number[] =>
  readings.map((reading) => (reading.kind === 'meter' ? reading.sample.energyWh : -1));

const limits = { maxBytes: 1 << 20, segmentBytes: 1 << 16 };

describe('DiskQueue', () => {
  it('gives readings back in order, in batches, and forgets only what was acknowledged', async () => {
    const queue = await DiskQueue.open(await freshDir(), limits);
    await queue.append([meter(1), meter(2), meter(3)]);
    await queue.append([meter(4)]);
    const first = await queue.next(3);
    expect(energies(first?.readings ?? [])).toEqual([1, 2, 3]);
    await queue.ack(first?.id ?? '');
    const second = await queue.next(3);
    expect(energies(second?.readings ?? [])).toEqual([4]);
    await queue.ack(second?.id ?? '');
    expect(await queue.next(3)).toBeUndefined();
  });

  it('hands out the same batch, same id, until it is acknowledged, across a restart', async () => {
    const dir = await freshDir();
    const queue = await DiskQueue.open(dir, limits);
    await queue.append([meter(1), meter(2), meter(3)]);
    const sent = await queue.next(2);
    await queue.append([meter(4)]);
    expect(await queue.next(10)).toEqual(sent);
    const reopened = await DiskQueue.open(dir, limits);
    expect(await reopened.next(10)).toEqual(sent);
    await reopened.ack('not the batch in flight');
    expect((await reopened.next(10))?.id).toBe(sent?.id);
    await reopened.ack(sent?.id ?? '');
    expect(energies((await reopened.next(10))?.readings ?? [])).toEqual([3, 4]);
  });

  it('makes batches no larger in bytes than asked, and cuts the one in flight under a new id', async () => {
    const dir = await freshDir();
    const queue = await DiskQueue.open(dir, limits);
    await queue.append(Array.from({ length: 10 }, (_, i) => meter(i + 1)));
    const lineBytes = JSON.stringify(meter(1)).length + 1;
    const small = await queue.next(10, 3 * lineBytes);
    expect(energies(small?.readings ?? [])).toEqual([1, 2, 3]);
    await queue.ack(small?.id ?? '');
    const large = await queue.next(10);
    const cut = await queue.shrink(large?.id ?? '', 2);
    expect(energies(cut?.readings ?? [])).toEqual([4, 5]);
    expect(cut?.id).not.toBe(large?.id);
    // The cut batch is the one in flight now, across a restart too; the old id is forgotten.
    const reopened = await DiskQueue.open(dir, limits);
    expect(await reopened.next(10)).toEqual(cut);
    await reopened.ack(large?.id ?? '');
    expect((await reopened.next(10))?.id).toBe(cut?.id);
    await reopened.ack(cut?.id ?? '');
    expect(energies((await reopened.next(10))?.readings ?? [])).toEqual([6, 7, 8, 9, 10]);
  });

  it('cuts off the half line a crash left, keeping every whole reading', async () => {
    const dir = await freshDir();
    const queue = await DiskQueue.open(dir, limits);
    await queue.append([meter(1), meter(2)]);
    const [segment] = (await readdir(dir)).filter((name) => name.endsWith('.jsonl'));
    await appendFile(join(dir, segment ?? ''), '{"kind":"meter","sample":{"met');
    const reopened = await DiskQueue.open(dir, limits);
    await reopened.append([meter(3)]);
    expect(energies((await reopened.next(10))?.readings ?? [])).toEqual([1, 2, 3]);
  });

  it('drops its oldest readings when full, counts every one, and says so in each batch', async () => {
    const dir = await freshDir();
    const small = { maxBytes: 4_096, segmentBytes: 1_024 };
    const queue = await DiskQueue.open(dir, small);
    for (let i = 1; i <= 100; i += 1) {
      await queue.append([meter(i)]);
    }
    expect(queue.bytes()).toBeLessThanOrEqual(small.maxBytes);
    const batch = await queue.next(1_000);
    const kept = energies(batch?.readings ?? []);
    // The newest readings are kept, in order, and every reading is either kept or counted.
    expect(kept.at(-1)).toBe(100);
    expect(kept).toEqual(kept.slice().sort((a, b) => a - b));
    expect(queue.dropped() + kept.length).toBe(100);
    expect(batch?.dropped).toBe(queue.dropped());
    expect(queue.dropped()).toBeGreaterThan(0);
    const reopened = await DiskQueue.open(dir, small);
    expect(reopened.dropped()).toBe(queue.dropped());
  });

  it('refuses limits that cannot hold two segments', async () => {
    await expect(DiskQueue.open(await freshDir(), { maxBytes: 1_000, segmentBytes: 1_000 })).rejects.toThrow(
      /at least two segments/,
    );
  });
});

import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MeterReadFailure, MeterSample, MinerSample } from '@hashwatt/schemas';

/**
 * The agent's readings on disk until the server has them. Readings are appended as
 * JSON lines to numbered segment files; a batch taken for upload is written down
 * (its id and extent) before it is sent, so after a crash or a timeout the very same
 * batch, with the same id, is sent again and the server stores it once. The queue is
 * bounded: when it must, it drops its oldest segment, counts the readings it held,
 * and that count goes upstream with every batch. Nothing is dropped silently.
 */

export type Reading =
  | { readonly kind: 'miner'; readonly sample: MinerSample }
  | { readonly kind: 'meter'; readonly sample: MeterSample }
  | { readonly kind: 'meter-failure'; readonly failure: MeterReadFailure };

export interface QueueLimits {
  /** All segments together stay under this. */
  readonly maxBytes: number;
  /** A segment is closed at this size; the oldest whole segment is what gets dropped. */
  readonly segmentBytes: number;
}

export interface Batch {
  readonly id: string;
  readonly readings: readonly Reading[];
  /** Readings dropped since the queue was created. */
  readonly dropped: number;
}

interface Position {
  readonly segment: number;
  readonly offset: number;
}

interface State {
  head: Position;
  inflight?: { readonly id: string; readonly end: Position; readonly count: number };
  dropped: number;
}

const STATE = 'state.json';
const WRITE_CHUNK = 1 << 20;
const segmentName = (segment: number): string => `${String(segment).padStart(10, '0')}.jsonl`;

export class DiskQueue {
  readonly #dir: string;
  readonly #limits: QueueLimits;
  #state: State;
  /** Segment number -> its size in bytes. */
  readonly #segments: Map<number, number>;
  #writing = Promise.resolve();

  private constructor(dir: string, limits: QueueLimits, state: State, segments: Map<number, number>) {
    this.#dir = dir;
    this.#limits = limits;
    this.#state = state;
    this.#segments = segments;
  }

  static async open(dir: string, limits: QueueLimits): Promise<DiskQueue> {
    if (limits.segmentBytes * 2 > limits.maxBytes) {
      throw new RangeError('queue.maxBytes must hold at least two segments');
    }
    // Private whatever the umask: the pool keeps it under its dataDir (the demo's agent).
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const segments = new Map<number, number>();
    for (const name of (await readdir(dir)).filter((file) => /^\d{10}\.jsonl$/.test(file)).sort()) {
      segments.set(Number(name.slice(0, 10)), (await stat(join(dir, name))).size);
    }
    const last = Math.max(0, ...segments.keys());
    if (segments.size > 0) {
      segments.set(last, await dropTornLine(join(dir, segmentName(last))));
    }
    const state = await readState(dir, Math.min(...segments.keys(), last));
    return new DiskQueue(dir, limits, state, segments);
  }

  /** Appends readings; they survive a restart once this resolves. */
  append(readings: readonly Reading[]): Promise<void> {
    const work = this.#writing.then(() => this.#append(readings));
    this.#writing = work.catch(() => undefined);
    return work;
  }

  async #append(readings: readonly Reading[]): Promise<void> {
    if (readings.length === 0) {
      return;
    }
    let segment = Math.max(this.#state.head.segment, ...this.#segments.keys());
    if ((this.#segments.get(segment) ?? 0) >= this.#limits.segmentBytes) {
      segment += 1;
    }
    // Written a megabyte at a time: a farm's cycle is tens of MB of JSON, never held whole.
    let written = 0;
    const file = await open(join(this.#dir, segmentName(segment)), 'a', 0o600);
    try {
      let pending = '';
      for (const reading of readings) {
        pending += `${JSON.stringify(reading)}\n`;
        if (pending.length >= WRITE_CHUNK) {
          written += (await file.write(pending)).bytesWritten;
          pending = '';
        }
      }
      if (pending.length > 0) {
        written += (await file.write(pending)).bytesWritten;
      }
      await file.sync();
    } finally {
      await file.close();
    }
    this.#segments.set(segment, (this.#segments.get(segment) ?? 0) + written);
    await this.#enforceLimit();
  }

  /** Drops the oldest segments while the queue is over its size; counts what they held. */
  async #enforceLimit(): Promise<void> {
    while (this.bytes() > this.#limits.maxBytes && this.#segments.size > 1) {
      const oldest = Math.min(...this.#segments.keys());
      const lines = await this.#linesOf(
        oldest,
        oldest === this.#state.head.segment ? this.#state.head.offset : 0,
      );
      await rm(join(this.#dir, segmentName(oldest)), { force: true });
      this.#segments.delete(oldest);
      const next = Math.min(...this.#segments.keys());
      // A batch in flight that starts in the dropped segment is given up: its survivors go in a new batch.
      const inflightLost = this.#state.head.segment <= oldest;
      this.#state = {
        head: this.#state.head.segment <= oldest ? { segment: next, offset: 0 } : this.#state.head,
        dropped: this.#state.dropped + lines.length,
        ...(this.#state.inflight && !inflightLost && { inflight: this.#state.inflight }),
      };
      await this.#saveState();
    }
  }

  /**
   * The next batch to upload, at most `max` readings whose JSON lines add up to at most
   * `maxBytes` (the first reading is taken whatever its size): the one in flight if there
   * is one (same id, same readings), else a new one, written down before it is returned.
   */
  async next(max: number, maxBytes = Number.POSITIVE_INFINITY): Promise<Batch | undefined> {
    await this.#writing;
    const inflight = this.#state.inflight;
    if (inflight) {
      const { readings } = await this.#read(this.#state.head, inflight.count);
      return { id: inflight.id, readings, dropped: this.#state.dropped };
    }
    return this.#takeBatch(max, maxBytes);
  }

  /**
   * The batch in flight, which the server refused unread (too large), becomes its first
   * `count` readings under a new id; the others go in the batches after it. Under the
   * old id the server stored nothing, so no reading is stored twice.
   */
  async shrink(id: string, count: number): Promise<Batch | undefined> {
    await this.#writing;
    if (this.#state.inflight?.id !== id) {
      return this.next(count);
    }
    this.#state = { head: this.#state.head, dropped: this.#state.dropped };
    return this.#takeBatch(count, Number.POSITIVE_INFINITY);
  }

  async #takeBatch(max: number, maxBytes: number): Promise<Batch | undefined> {
    const { readings, end } = await this.#read(this.#state.head, max, maxBytes);
    if (readings.length === 0) {
      return undefined;
    }
    const id = randomUUID();
    this.#state = { ...this.#state, inflight: { id, end, count: readings.length } };
    await this.#saveState();
    return { id, readings, dropped: this.#state.dropped };
  }

  /** The server has the batch: its readings leave the queue. */
  async ack(id: string): Promise<void> {
    await this.#writing;
    const inflight = this.#state.inflight;
    if (inflight?.id !== id) {
      return;
    }
    this.#state = { head: inflight.end, dropped: this.#state.dropped };
    await this.#saveState();
    for (const segment of [...this.#segments.keys()]) {
      const newest = Math.max(...this.#segments.keys());
      if (segment < inflight.end.segment && segment !== newest) {
        await rm(join(this.#dir, segmentName(segment)), { force: true });
        this.#segments.delete(segment);
      }
    }
  }

  bytes(): number {
    let total = 0;
    for (const size of this.#segments.values()) {
      total += size;
    }
    return total;
  }

  dropped(): number {
    return this.#state.dropped;
  }

  async #read(
    from: Position,
    max: number,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Promise<{ readings: Reading[]; end: Position }> {
    const readings: Reading[] = [];
    let position = from;
    let bytes = 0;
    let full = false;
    for (const segment of [...this.#segments.keys()].sort((a, b) => a - b)) {
      if (segment < position.segment || full) {
        continue;
      }
      const offset = segment === position.segment ? position.offset : 0;
      const lines = await this.#linesOf(segment, offset);
      let consumed = offset;
      for (const line of lines) {
        const size = Buffer.byteLength(line) + 1;
        full = readings.length >= max || (readings.length > 0 && bytes + size > maxBytes);
        if (full) {
          break;
        }
        readings.push(JSON.parse(line) as Reading);
        bytes += size;
        consumed += size;
      }
      position = { segment, offset: consumed };
    }
    return { readings, end: position };
  }

  async #linesOf(segment: number, offset: number): Promise<string[]> {
    let content: Buffer;
    try {
      content = await readFile(join(this.#dir, segmentName(segment)));
    } catch {
      return [];
    }
    const text = content.subarray(offset).toString('utf8');
    return text.split('\n').slice(0, -1);
  }

  async #saveState(): Promise<void> {
    const temporary = join(this.#dir, `${STATE}.tmp`);
    await writeFile(temporary, JSON.stringify(this.#state), { mode: 0o600 });
    await rename(temporary, join(this.#dir, STATE));
  }
}

async function readState(dir: string, firstSegment: number): Promise<State> {
  try {
    return JSON.parse(await readFile(join(dir, STATE), 'utf8')) as State;
  } catch {
    return { head: { segment: firstSegment, offset: 0 }, dropped: 0 };
  }
}

/** A crash mid-append can leave half a line at the end: it is cut off, never read. */
async function dropTornLine(path: string): Promise<number> {
  const content = await readFile(path);
  const end = content.lastIndexOf(0x0a) + 1;
  if (end < content.length) {
    const file = await open(path, 'r+');
    try {
      await file.truncate(end);
    } finally {
      await file.close();
    }
  }
  return end;
}

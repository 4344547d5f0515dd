import { close, fdatasync, fdatasyncSync, mkdirSync, openSync, readdirSync, writeSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { TimeSlices } from '../db/time-slices.ts';

/**
 * The write-ahead journal of accepted shares: what a miner was told is accepted is
 * in this file before the reply leaves, so a crash (even SIGKILL) loses none of it.
 * Records are JSON lines; a torn last line is a write the crash interrupted, before
 * any reply. Files rotate at batch boundaries, so each holds whole batches, and are
 * deleted once the database holds all of them.
 */
export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface JournalSettings {
  readonly directory: string;
  /**
   * always: fdatasync on every commit, before the replies (safe against power loss, slow);
   * interval: every fsyncIntervalMs and when a file is closed; never: the OS decides.
   */
  readonly fsync: FsyncPolicy;
  readonly fsyncIntervalMs: number;
  /** A flush to disk that failed: what is in the file may not survive a power loss. */
  readonly onFlushError: (error: Error) => void;
}

/** A file of the journal and what it holds. */
export interface JournalFile {
  readonly name: string;
  readonly sequence: number;
}

const FILE_NAME = /^journal-(\d{12})\.ndjson$/;

const flushFile = promisify(fdatasync);
const closeFile = promisify(close);

export class ShareJournal {
  readonly #settings: JournalSettings;
  #fd: number | undefined;
  #current: JournalFile | undefined;
  #nextSequence: number;
  #pending: string[] = [];
  /** Written since the open file's last flush to disk (the interval policy's only). */
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  /** The open file's flush to disk under way: the timer starts no second one, and rotate() waits for it. */
  #flushing: Promise<void> | undefined;
  /** Flushes (and closes of rotated files) under way, off the event loop: close() waits for them. */
  readonly #background = new Set<Promise<void>>();

  constructor(settings: JournalSettings) {
    this.#settings = settings;
    mkdirSync(settings.directory, { recursive: true });
    const existing = this.files();
    this.#nextSequence = (existing.at(-1)?.sequence ?? 0) + 1;
    if (settings.fsync === 'interval') {
      this.#timer = setInterval(() => {
        this.#flushOpenFile();
      }, settings.fsyncIntervalMs);
      this.#timer.unref();
    }
  }

  /** Journal files on disk, oldest first (the current one last). */
  files(): JournalFile[] {
    return readdirSync(this.#settings.directory)
      .map((name) => FILE_NAME.exec(name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => ({ name: match[0], sequence: Number(match[1]) }))
      .sort((a, b) => a.sequence - b.sequence);
  }

  get current(): JournalFile | undefined {
    return this.#current;
  }

  /** Queues a record; it reaches the file at the next commit(). */
  append(record: unknown): void {
    this.appendJson(JSON.stringify(record));
  }

  /** Queues a record already encoded as one line of JSON (no newline in it). */
  appendJson(json: string): void {
    this.#pending.push(`${json}\n`);
  }

  /** Writes what was appended, in one write, before the replies it covers are sent. */
  commit(): void {
    if (this.#pending.length === 0) {
      return;
    }
    const text = this.#pending.join('');
    this.#pending = [];
    const fd = this.#open();
    const bytes = Buffer.from(text);
    for (let written = 0; written < bytes.length;) {
      written += writeSync(fd, bytes, written);
    }
    if (this.#settings.fsync === 'always') {
      // The replies wait for the disk: this policy's promise is that a power loss loses none of them.
      fdatasyncSync(fd);
    } else if (this.#settings.fsync === 'interval') {
      this.#dirty = true;
    }
  }

  /**
   * Closes the current file; the next commit starts a new one. Returns the closed file.
   * Its flush to disk and its close happen off the event loop: a flush takes milliseconds,
   * the Stratum thread's replies would wait for it, and nothing in the file waits for it
   * (its replies left at commit; its batch is stored from memory or read back from the page cache).
   */
  rotate(): JournalFile | undefined {
    this.commit();
    const closed = this.#current;
    const fd = this.#fd;
    if (fd !== undefined) {
      const flush = this.#dirty;
      const before = this.#flushing;
      this.#fd = undefined;
      this.#current = undefined;
      this.#dirty = false;
      this.#flushing = undefined;
      // close() waits for it; a failure goes to onFlushError.
      void this.#inBackground(async () => {
        try {
          await before;
          if (flush) {
            await flushFile(fd);
          }
        } finally {
          await closeFile(fd);
        }
      });
    }
    return closed;
  }

  /** The records of a file, up to a torn last line. */
  async read(file: JournalFile): Promise<unknown[]> {
    const records: unknown[] = [];
    const text = await readFile(path.join(this.#settings.directory, file.name), 'utf8');
    // A batch read back is parsed on the Stratum thread: miners are answered between slices.
    const slices = new TimeSlices();
    for (const line of text.split('\n')) {
      if (line === '') {
        continue;
      }
      if (slices.due()) {
        await slices.next();
      }
      try {
        records.push(JSON.parse(line));
      } catch {
        break; // a write cut short by a crash: nothing after it was ever acknowledged
      }
    }
    return records;
  }

  async remove(file: JournalFile): Promise<void> {
    await rm(path.join(this.#settings.directory, file.name), { force: true });
  }

  /** Closes the current file and waits until every file's flush to disk is done. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.rotate();
    await Promise.all(this.#background);
  }

  /** The interval policy's flush of the open file, off the event loop; writes go on meanwhile. */
  #flushOpenFile(): void {
    const fd = this.#fd;
    if (fd === undefined || !this.#dirty || this.#flushing) {
      return;
    }
    this.#dirty = false;
    const flushing = this.#inBackground(() => flushFile(fd));
    this.#flushing = flushing;
    void flushing.finally(() => {
      if (this.#flushing === flushing) {
        this.#flushing = undefined;
      }
    });
  }

  /** Runs disk work off the event loop; a failure is reported, never thrown at the Stratum thread. */
  #inBackground(work: () => Promise<void>): Promise<void> {
    const done = work().catch((error: unknown) => {
      this.#settings.onFlushError(error instanceof Error ? error : new Error(String(error)));
    });
    this.#background.add(done);
    void done.finally(() => this.#background.delete(done));
    return done;
  }

  #open(): number {
    if (this.#fd === undefined) {
      const sequence = this.#nextSequence++;
      const name = `journal-${String(sequence).padStart(12, '0')}.ndjson`;
      this.#fd = openSync(path.join(this.#settings.directory, name), 'a');
      this.#current = { name, sequence };
    }
    return this.#fd;
  }
}

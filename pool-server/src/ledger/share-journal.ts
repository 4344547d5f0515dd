import {
  close,
  fdatasync,
  fdatasyncSync,
  ftruncate,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  writeSync,
} from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { DiskHealthTracker, type DiskHealth, type DiskHealthListener } from '../db/disk-health.ts';
import { TimeSlices } from '../db/time-slices.ts';

/**
 * The write-ahead journal of accepted shares: what a miner was told is accepted is
 * in this file before the reply leaves, so a crash (even SIGKILL) loses none of it.
 * Records are JSON lines; a torn last line is a write the crash interrupted, before
 * any reply. Files rotate at batch boundaries, so each holds whole batches, and are
 * deleted once the database holds all of them.
 *
 * A write that fails (a full disk, an I/O error) loses only what it was to write: the
 * file is cut back to its last whole commit, commit() says false (the caller tells the
 * miners their shares were not taken), and the journal refuses every commit until a
 * probe write, tried every probeIntervalMs, succeeds: a disk that is full stays full for
 * a while, and a share taken now and then in between would only be luck.
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
  /** The journal could not be written (a fault starts), or can be again: once each, not per commit. */
  readonly onHealthChange?: DiskHealthListener;
  /** While the journal cannot be written, a probe write is tried this often (default PROBE_INTERVAL_MS). */
  readonly probeIntervalMs?: number;
}

/** A file of the journal and what it holds. */
export interface JournalFile {
  readonly name: string;
  readonly sequence: number;
}

const FILE_NAME = /^journal-(\d{12})\.ndjson$/;
const PROBE_FILE = 'probe.tmp';
/**
 * A probe writes more than a busy turn's commit does (about 300 shares): a disk with a
 * page or two freed by a stored batch would pass a small probe and fail the next commit.
 */
const PROBE_BYTES = 64 * 1024;
const PROBE_INTERVAL_MS = 1_000;

const flushFile = promisify(fdatasync);
const closeFile = promisify(close);
const truncateFile = promisify(ftruncate);

export class ShareJournal {
  readonly #settings: JournalSettings;
  #fd: number | undefined;
  #current: JournalFile | undefined;
  #nextSequence: number;
  /** The lines appended since the last commit, as one string: a commit writes it as it is. */
  #pending = '';
  /** Written since the open file's last flush to disk (the interval policy's only). */
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  /** The open file's flush to disk under way: the timer starts no second one, and rotate() waits for it. */
  #flushing: Promise<void> | undefined;
  /** Flushes (and closes of rotated files) under way, off the event loop: close() waits for them. */
  readonly #background = new Set<Promise<void>>();
  /** Bytes of whole commits in the open file: a failed write is cut back to this. */
  #committedBytes = 0;
  /** A failed write's remains could not be cut off yet: done before anything else is written. */
  #tornTail = false;
  readonly #health: DiskHealthTracker;
  #probeTimer: NodeJS.Timeout | undefined;

  constructor(settings: JournalSettings) {
    this.#settings = settings;
    this.#health = new DiskHealthTracker((health, error) => {
      this.#watchForRecovery(health);
      settings.onHealthChange?.(health, error);
    });
    // Private whatever the umask: the journal is the pool's record of who earned what.
    mkdirSync(settings.directory, { recursive: true, mode: 0o700 });
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

  get health(): DiskHealth {
    return this.#health.health;
  }

  /** Queues a record; it reaches the file at the next commit(). */
  append(record: unknown): void {
    this.appendJson(JSON.stringify(record));
  }

  /** Queues a record already encoded as one line of JSON (no newline in it). */
  appendJson(json: string): void {
    this.#pending += `${json}\n`;
  }

  /**
   * Writes what was appended, in one write, before the replies it covers are sent.
   * False when it is not in the file (nor any of it): the journal cannot be written
   * now, and those replies must say so.
   */
  commit(): boolean {
    if (this.#pending === '') {
      return true;
    }
    const text = this.#pending;
    this.#pending = '';
    if (!this.#health.health.writable) {
      return false;
    }
    try {
      const fd = this.#open();
      if (this.#tornTail) {
        ftruncateSync(fd, this.#committedBytes);
        this.#tornTail = false;
      }
      // A turn's lines go out as the string they are, without a Buffer made of them first:
      // this runs on the Stratum thread once a turn, before the turn's replies.
      let written = writeSync(fd, text);
      const length = Buffer.byteLength(text);
      if (written < length) {
        const bytes = Buffer.from(text);
        while (written < length) {
          written += writeSync(fd, bytes, written);
        }
      }
      if (this.#settings.fsync === 'always') {
        // The replies wait for the disk: this policy's promise is that a power loss loses none of them.
        fdatasyncSync(fd);
      } else if (this.#settings.fsync === 'interval') {
        this.#dirty = true;
      }
      this.#committedBytes += length;
      return true;
    } catch (error) {
      this.#cutBack();
      this.#health.failed(error);
      return false;
    }
  }

  /**
   * A failed write may have left part of a line: cut back to the last whole commit, or a
   * later commit's lines would follow a torn one, which read() takes for a crash's end.
   */
  #cutBack(): void {
    if (this.#fd === undefined) {
      return;
    }
    try {
      ftruncateSync(this.#fd, this.#committedBytes);
    } catch {
      this.#tornTail = true;
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
      const tornTail = this.#tornTail;
      const committedBytes = this.#committedBytes;
      this.#fd = undefined;
      this.#current = undefined;
      this.#dirty = false;
      this.#flushing = undefined;
      this.#committedBytes = 0;
      this.#tornTail = false;
      // close() waits for it; a failure goes to onFlushError.
      void this.#inBackground(async () => {
        try {
          await before;
          if (tornTail) {
            await truncateFile(fd, committedBytes);
          }
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
    clearInterval(this.#probeTimer);
    this.#probeTimer = undefined;
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
      // What the disk did not keep, it may not keep next either: no share is taken until a probe passes.
      this.#health.failed(error);
    });
    this.#background.add(done);
    void done.finally(() => this.#background.delete(done));
    return done;
  }

  /** A fault under way is probed on a timer, off the event loop; its end stops the probes. */
  #watchForRecovery(health: DiskHealth): void {
    clearInterval(this.#probeTimer);
    this.#probeTimer = undefined;
    if (health.writable) {
      return;
    }
    let probing = false;
    this.#probeTimer = setInterval(() => {
      if (probing) {
        return;
      }
      probing = true;
      void this.#probe()
        .then(
          () => {
            this.#health.succeeded();
          },
          () => undefined,
        )
        .finally(() => {
          probing = false;
        });
    }, this.#settings.probeIntervalMs ?? PROBE_INTERVAL_MS);
    this.#probeTimer.unref();
  }

  /** Writes and flushes a probe file beside the journal's, and removes it: resolves when the disk took it. */
  async #probe(): Promise<void> {
    const file = path.join(this.#settings.directory, PROBE_FILE);
    try {
      const handle = await open(file, 'w', 0o600);
      try {
        await handle.writeFile(Buffer.alloc(PROBE_BYTES));
        await handle.datasync();
      } finally {
        await handle.close();
      }
    } finally {
      await rm(file, { force: true });
    }
  }

  #open(): number {
    if (this.#fd === undefined) {
      const sequence = this.#nextSequence++;
      const name = `journal-${String(sequence).padStart(12, '0')}.ndjson`;
      this.#fd = openSync(path.join(this.#settings.directory, name), 'a', 0o600);
      this.#current = { name, sequence };
      this.#committedBytes = 0;
    }
    return this.#fd;
  }
}

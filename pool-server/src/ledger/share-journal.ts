import {
  closeSync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

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
  /** always: fdatasync on every commit (safe against power loss, slow); interval: every fsyncIntervalMs; never: the OS decides. */
  readonly fsync: FsyncPolicy;
  readonly fsyncIntervalMs: number;
}

/** A file of the journal and what it holds. */
export interface JournalFile {
  readonly name: string;
  readonly sequence: number;
}

const FILE_NAME = /^journal-(\d{12})\.ndjson$/;

export class ShareJournal {
  readonly #settings: JournalSettings;
  #fd: number | undefined;
  #current: JournalFile | undefined;
  #nextSequence: number;
  #pending: string[] = [];
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(settings: JournalSettings) {
    this.#settings = settings;
    mkdirSync(settings.directory, { recursive: true });
    const existing = this.files();
    this.#nextSequence = (existing.at(-1)?.sequence ?? 0) + 1;
    if (settings.fsync === 'interval') {
      this.#timer = setInterval(() => {
        this.sync();
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
    this.#dirty = true;
    if (this.#settings.fsync === 'always') {
      this.sync();
    }
  }

  sync(): void {
    if (this.#fd !== undefined && this.#dirty) {
      fdatasyncSync(this.#fd);
      this.#dirty = false;
    }
  }

  /** Closes the current file; the next commit starts a new one. Returns the closed file. */
  rotate(): JournalFile | undefined {
    this.commit();
    const closed = this.#current;
    if (this.#fd !== undefined) {
      this.sync();
      closeSync(this.#fd);
    }
    this.#fd = undefined;
    this.#current = undefined;
    return closed;
  }

  /** The records of a file, up to a torn last line. */
  read(file: JournalFile): unknown[] {
    const records: unknown[] = [];
    const text = readFileSync(path.join(this.#settings.directory, file.name), 'utf8');
    for (const line of text.split('\n')) {
      if (line === '') {
        continue;
      }
      try {
        records.push(JSON.parse(line));
      } catch {
        break; // a write cut short by a crash: nothing after it was ever acknowledged
      }
    }
    return records;
  }

  remove(file: JournalFile): void {
    rmSync(path.join(this.#settings.directory, file.name), { force: true });
  }

  close(): void {
    this.rotate();
    clearInterval(this.#timer);
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

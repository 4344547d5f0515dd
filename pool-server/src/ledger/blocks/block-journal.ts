import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DiskHealthTracker, type DiskHealth, type DiskHealthListener } from '../../db/disk-health.ts';
import type { BlockOutcome, BlockRecorder, BlockStatus, FoundBlock } from '../../chain/block-submitter.ts';

const STATUSES: readonly BlockStatus[] = ['accepted', 'stale', 'rejected', 'unknown'];
const SATOSHIS = /^[0-9]{1,20}$/;
const RETRY_INTERVAL_MS = 1_000;

export interface JournalContents {
  readonly blocks: readonly BlockOutcome[];
  /** Lines that are not a block: a write torn by a crash, or an edit by hand. */
  readonly unreadable: number;
}

/** A found block as JSON (its amounts as decimal strings): a journal line, or a message to the writers. */
export function blockToJson(block: FoundBlock): Record<string, unknown> {
  return { ...block, reward: block.reward.toString(), fees: block.fees.toString() };
}

/** A journal line back into a block, or undefined when it is not one. */
function parseLine(line: string): BlockOutcome | undefined {
  try {
    return blockFromJson(JSON.parse(line));
  } catch {
    return undefined;
  }
}

/** blockToJson's output of a found block (no outcome yet) back into one, or undefined. */
export function foundBlockFromJson(value: unknown): FoundBlock | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const entry = value as Record<string, unknown>;
  const finder = entry.finder as Record<string, unknown> | null | undefined;
  if (
    typeof entry.hash !== 'string' ||
    typeof entry.height !== 'number' ||
    typeof entry.reward !== 'string' ||
    !SATOSHIS.test(entry.reward) ||
    typeof entry.networkDifficulty !== 'number' ||
    typeof entry.foundAtMs !== 'number' ||
    typeof finder?.account !== 'string' ||
    typeof finder.worker !== 'string'
  ) {
    return undefined;
  }
  return {
    hash: entry.hash,
    height: entry.height,
    reward: BigInt(entry.reward),
    // Journals written before fees were recorded count them as unknown: zero.
    fees: typeof entry.fees === 'string' && SATOSHIS.test(entry.fees) ? BigInt(entry.fees) : 0n,
    networkDifficulty: entry.networkDifficulty,
    finder: { account: finder.account, worker: finder.worker },
    solo: entry.solo === true,
    foundAtMs: entry.foundAtMs,
  };
}

/** blockToJson's output of a block with its outcome back into one, or undefined. */
export function blockFromJson(value: unknown): BlockOutcome | undefined {
  const block = foundBlockFromJson(value);
  const entry = value as Record<string, unknown>;
  const status = STATUSES.find((known) => known === entry.status);
  if (block === undefined || status === undefined) {
    return undefined;
  }
  return { ...block, status, detail: typeof entry.detail === 'string' ? entry.detail : '' };
}

export interface BlockJournalOptions {
  /** Lines the disk refused are written again this often (and at the next record), in order. */
  readonly retryIntervalMs?: number;
  /** The journal could not be written (a fault starts), or can be again: once each, not per block. */
  readonly onHealthChange?: DiskHealthListener;
}

/**
 * Found blocks as JSON lines in a file, each flushed to disk before it counts: written
 * before the database is asked, so a block found while the database is away reaches the
 * ledger later, and an audit trail after.
 *
 * A write the disk refuses (full, failing) must not stop the block on its way: record()
 * resolves all the same, so the caller hands the block to the books, and the line waits
 * in memory, written again every retryIntervalMs until the disk takes it. A refused write
 * may leave part of a line; the next starts on a line of its own, and read() counts the
 * fragment as unreadable. Lines are only appended, never cut back: Stratum processes of
 * one host share the file.
 */
export class BlockJournal implements BlockRecorder {
  readonly #file: string;
  readonly #retryIntervalMs: number;
  readonly #health: DiskHealthTracker;
  /** Lines not on disk yet, oldest first. */
  #unwritten: string[] = [];
  /** Lines of the write under way: not on disk until it ends, so they count as unwritten. */
  #writingLines = 0;
  #tornTail = false;
  /** Writes run one at a time, in order. */
  #writing: Promise<void> = Promise.resolve();
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(file: string, options: BlockJournalOptions = {}) {
    this.#file = file;
    this.#retryIntervalMs = options.retryIntervalMs ?? RETRY_INTERVAL_MS;
    this.#health = new DiskHealthTracker((health, error) => options.onHealthChange?.(health, error));
  }

  get health(): DiskHealth {
    return this.#health.health;
  }

  /** Blocks recorded that the disk has not taken yet (kept in memory, retried). */
  get unwritten(): number {
    return this.#unwritten.length + this.#writingLines;
  }

  async record(outcome: BlockOutcome): Promise<void> {
    this.#unwritten.push(
      `${JSON.stringify({ ...blockToJson(outcome), recordedAt: new Date().toISOString() })}\n`,
    );
    await this.#writeUnwritten();
  }

  #writeUnwritten(): Promise<void> {
    this.#writing = this.#writing.then(() => this.#write());
    return this.#writing;
  }

  async #write(): Promise<void> {
    const lines = this.#unwritten;
    if (lines.length === 0) {
      return;
    }
    this.#unwritten = [];
    this.#writingLines = lines.length;
    try {
      await mkdir(path.dirname(this.#file), { recursive: true });
      const handle = await open(this.#file, 'a');
      try {
        await handle.appendFile(`${this.#tornTail ? '\n' : ''}${lines.join('')}`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      this.#tornTail = false;
      this.#health.succeeded();
    } catch (error) {
      // Written again whole: a line that did reach the disk is then there twice, which
      // readers take as one (the books and the stream keep one block per hash).
      this.#unwritten = [...lines, ...this.#unwritten];
      this.#tornTail = true;
      this.#health.failed(error);
      this.#retryLater();
    } finally {
      this.#writingLines = 0;
    }
  }

  #retryLater(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      void this.#writeUnwritten();
    }, this.#retryIntervalMs);
    this.#retryTimer.unref();
  }

  /** Every block written down, oldest first; a missing journal holds none. */
  async read(): Promise<JournalContents> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return { blocks: [], unreadable: 0 };
      }
      throw error;
    }
    const blocks: BlockOutcome[] = [];
    let unreadable = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') {
        continue;
      }
      const block = parseLine(line);
      if (block) {
        blocks.push(block);
      } else {
        unreadable++;
      }
    }
    return { blocks, unreadable };
  }
}

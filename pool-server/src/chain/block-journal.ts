import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BlockOutcome, BlockRecorder, BlockStatus, FoundBlock } from './block-submitter.ts';

const STATUSES: readonly BlockStatus[] = ['accepted', 'stale', 'rejected', 'unknown'];
const SATOSHIS = /^[0-9]{1,20}$/;

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

/**
 * Found blocks as JSON lines in a file, each flushed to disk before it counts: written
 * before the database is asked, so a block found while the database is away reaches the
 * ledger later, and an audit trail after.
 */
export class BlockJournal implements BlockRecorder {
  readonly #file: string;

  constructor(file: string) {
    this.#file = file;
  }

  async record(outcome: BlockOutcome): Promise<void> {
    // Private whatever the umask: dataDir's files are the pool's alone.
    await mkdir(path.dirname(this.#file), { recursive: true, mode: 0o700 });
    const handle = await open(this.#file, 'a', 0o600);
    try {
      const line = JSON.stringify({ ...blockToJson(outcome), recordedAt: new Date().toISOString() });
      await handle.appendFile(`${line}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
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

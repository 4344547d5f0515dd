import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { PendingBlock, PendingBlockStore } from '../../chain/block-submitter.ts';
import { blockToJson, foundBlockFromJson } from './block-journal.ts';

const HASH = /^[0-9a-f]{64}$/;
/** Empty for a block the pool cannot build, only watch for (BlockSubmitter.submit). */
const BLOCK_HEX = /^([0-9a-f]{2})*$/;

/**
 * Found blocks whose fate the node has not told yet, one file each under `directory`,
 * flushed to disk: a block the node could not take before a crash or a stop is offered
 * again at the next start. A settled block's file is removed.
 */
export class PendingBlocks implements PendingBlockStore {
  readonly #directory: string;

  constructor(directory: string) {
    this.#directory = directory;
  }

  async add(pending: PendingBlock): Promise<void> {
    const { block, blockHex } = pending;
    if (!HASH.test(block.hash)) {
      throw new Error(`a found block's hash must be 64 hex digits, not ${JSON.stringify(block.hash)}`);
    }
    await mkdir(this.#directory, { recursive: true, mode: 0o700 });
    const file = this.#file(block.hash);
    const partial = `${file}.partial`;
    const handle = await open(partial, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify({ block: blockToJson(block), blockHex }));
      await handle.sync();
    } finally {
      await handle.close();
    }
    // Renamed whole, so a crash mid-write leaves no half a block to read back.
    await rename(partial, file);
  }

  async remove(hash: string): Promise<void> {
    await rm(this.#file(hash), { force: true });
  }

  /** Every pending block, and how many files could not be read as one (left in place for a person). */
  async list(): Promise<{ readonly blocks: PendingBlock[]; readonly unreadable: string[] }> {
    let names: string[];
    try {
      names = await readdir(this.#directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return { blocks: [], unreadable: [] };
      }
      throw error;
    }
    const blocks: PendingBlock[] = [];
    const unreadable: string[] = [];
    for (const name of names.filter((candidate) => candidate.endsWith('.json')).sort()) {
      const pending = parsePending(await readFile(path.join(this.#directory, name), 'utf8'));
      if (pending) {
        blocks.push(pending);
      } else {
        unreadable.push(name);
      }
    }
    return { blocks, unreadable };
  }

  #file(hash: string): string {
    return path.join(this.#directory, `${hash}.json`);
  }
}

function parsePending(text: string): PendingBlock | undefined {
  try {
    const value = JSON.parse(text) as { block?: unknown; blockHex?: unknown };
    const block = foundBlockFromJson(value.block);
    const { blockHex } = value;
    if (!block || typeof blockHex !== 'string' || !BLOCK_HEX.test(blockHex)) {
      return undefined;
    }
    return { block, blockHex };
  } catch {
    return undefined;
  }
}

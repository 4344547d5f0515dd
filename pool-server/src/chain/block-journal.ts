import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import type { BlockOutcome, BlockRecorder } from './block-submitter.ts';

/**
 * Found blocks as JSON lines in a file, each flushed to disk before it counts: the
 * pool's record of its blocks until the database's recorder takes over (issue 4),
 * and an audit trail after.
 */
export class BlockJournal implements BlockRecorder {
  readonly #file: string;

  constructor(file: string) {
    this.#file = file;
  }

  async record(outcome: BlockOutcome): Promise<void> {
    await mkdir(path.dirname(this.#file), { recursive: true });
    const handle = await open(this.#file, 'a');
    try {
      const line = JSON.stringify({
        ...outcome,
        reward: outcome.reward.toString(),
        recordedAt: new Date().toISOString(),
      });
      await handle.appendFile(`${line}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

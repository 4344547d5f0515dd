import type { JournalContents } from './block-journal.ts';
import type { BlockOutcome, BlockRecorder } from '../../chain/block-submitter.ts';

export interface BlockRelayParts {
  /** On disk first: a block found while the database or NATS is away reaches the books later. */
  readonly journal: {
    record(outcome: BlockOutcome): Promise<void>;
    read(): Promise<JournalContents>;
  };
  /** The node's share writer: the PPLNS window ends with the block's own share. */
  readonly writer: { flush(): Promise<void>; readonly lastSealed: string | undefined };
  /** `afterBatch`: the batch with the block's share, stored before the block is. */
  hand(outcome: BlockOutcome, afterBatch: string | undefined): Promise<void>;
}

/**
 * How a Stratum node's found blocks reach the books: written to its journal, then handed
 * on (to the database, or to the writers through NATS) after the batch that holds the
 * block's share. With NATS the stream may not have taken a block, so journalled blocks
 * are handed again (`resendJournalled`); a block is handed once by this node, with its
 * batch when it was found here, because the stream's duplicate check keeps only the
 * first message for a block.
 */
export class BlockRelay implements BlockRecorder {
  readonly #parts: BlockRelayParts;
  /** Blocks handed on or being handed: a resend leaves them alone. */
  readonly #handed = new Set<string>();

  constructor(parts: BlockRelayParts) {
    this.#parts = parts;
  }

  async record(outcome: BlockOutcome): Promise<void> {
    const { journal, writer } = this.#parts;
    // Before the journal: a resend in the meantime would hand the block on without its
    // batch, and the stream would then drop this message, the one that carries it.
    this.#handed.add(outcome.hash);
    try {
      await journal.record(outcome);
      await writer.flush();
      await this.#parts.hand(outcome, writer.lastSealed);
    } catch (error) {
      this.#handed.delete(outcome.hash);
      throw error;
    }
  }

  /** Hands on the journalled blocks this node has not handed yet, oldest first. */
  async resendJournalled(): Promise<void> {
    const { blocks } = await this.#parts.journal.read();
    for (const block of blocks.filter((candidate) => !this.#handed.has(candidate.hash))) {
      await this.#parts.hand(block, undefined);
      this.#handed.add(block.hash);
    }
  }
}

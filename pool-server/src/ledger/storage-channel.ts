/**
 * How a Stratum thread hands its sealed share batches, found blocks and template facts
 * to the thread that stores them, over a MessagePort, and hears back once each is
 * stored. The share journal stays the spool: a batch is let go only when the other side
 * answers that the database has it, and the writer hands over one batch at a time, so
 * the channel never holds more than a batch and the blocks found meanwhile.
 */
import type { Logger } from 'pino';
import type { BlockOutcome } from '../chain/block-submitter.ts';
import { ShareColumns, type PackedShares } from './share-columns.ts';
import type { BatchSink, RejectRecord, ShareBatch, ShareRecord } from './share-store.ts';
import type { NetworkFacts } from './share-stream.ts';
import type { ProtocolRecord } from './worker-protocols.ts';

/** One end of a MessagePort (or a worker's parentPort), as far as the channel uses it. */
export interface ChannelPort {
  postMessage(value: unknown, transferList?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
}

type Handoff =
  | {
      readonly kind: 'batch';
      readonly id: string;
      readonly nodeId: number;
      /** Columns when the batch was filled in memory; records when it was read back from its journal file. */
      readonly shares: PackedShares | readonly ShareRecord[];
      readonly rejects: readonly RejectRecord[];
      readonly protocols: readonly ProtocolRecord[];
    }
  | { readonly kind: 'block'; readonly outcome: BlockOutcome }
  | { readonly kind: 'network'; readonly facts: NetworkFacts };

interface Request {
  readonly channel: 'storage';
  readonly request: number;
  readonly handoff: Handoff;
}

interface Answer {
  readonly channel: 'storage';
  readonly request: number;
  readonly stored?: 'stored' | 'duplicate';
  /** Why it was not stored: the sender keeps it and tries again. */
  readonly problem?: string;
}

function isStorageMessage(
  value: unknown,
): value is { readonly channel: 'storage'; readonly request: number } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { channel?: unknown }).channel === 'storage' &&
    typeof (value as { request?: unknown }).request === 'number'
  );
}

const isAnswer = (value: unknown): value is Answer => isStorageMessage(value) && !('handoff' in value);

const isRequest = (value: unknown): value is Request =>
  isStorageMessage(value) && typeof (value as { handoff?: { kind?: unknown } }).handoff?.kind === 'string';

/** The Stratum thread's end: a BatchSink whose batches the other thread stores. */
export class StorageChannel implements BatchSink {
  readonly #port: ChannelPort;
  readonly #pending = new Map<number, { resolve(answer: Answer): void; reject(error: Error): void }>();
  #next = 0;
  #closed: string | undefined;
  readonly #listener = (value: unknown): void => {
    if (!isAnswer(value)) {
      return;
    }
    const waiting = this.#pending.get(value.request);
    this.#pending.delete(value.request);
    waiting?.resolve(value);
  };

  constructor(port: ChannelPort) {
    this.#port = port;
    port.on('message', this.#listener);
  }

  async store(batch: ShareBatch): Promise<'stored' | 'duplicate'> {
    const { shares } = batch;
    const handoff: Handoff =
      shares instanceof ShareColumns
        ? {
            kind: 'batch',
            id: batch.id,
            nodeId: batch.nodeId,
            shares: shares.pack(),
            rejects: batch.rejects,
            protocols: batch.protocols ?? [],
          }
        : {
            kind: 'batch',
            id: batch.id,
            nodeId: batch.nodeId,
            shares: Array.from({ length: shares.length }, (_, index) => shares.at(index) as ShareRecord),
            rejects: batch.rejects,
            protocols: batch.protocols ?? [],
          };
    const answer = await this.#send(handoff);
    return answer.stored ?? 'stored';
  }

  /** A found block, sent once the batch with its share is stored (BlockRelay flushes first). */
  async block(outcome: BlockOutcome): Promise<void> {
    await this.#send({ kind: 'block', outcome });
  }

  async network(facts: NetworkFacts): Promise<void> {
    await this.#send({ kind: 'network', facts });
  }

  /** No more answers will come (the storing side is gone): whatever waits fails, to be tried again from the journal. */
  close(reason: string): void {
    this.#closed = reason;
    this.#port.off('message', this.#listener);
    for (const waiting of this.#pending.values()) {
      waiting.reject(new Error(reason));
    }
    this.#pending.clear();
  }

  #send(handoff: Handoff): Promise<Answer> {
    if (this.#closed !== undefined) {
      return Promise.reject(new Error(this.#closed));
    }
    const request = this.#next++;
    return new Promise<Answer>((resolve, reject) => {
      this.#pending.set(request, {
        resolve(answer) {
          if (answer.problem === undefined) {
            resolve(answer);
          } else {
            reject(new Error(answer.problem));
          }
        },
        reject,
      });
      const transfer =
        handoff.kind === 'batch' && !Array.isArray(handoff.shares)
          ? [
              (handoff.shares as PackedShares).numbers.buffer,
              (handoff.shares as PackedShares).flags.buffer,
              (handoff.shares as PackedShares).senders.buffer,
            ]
          : [];
      this.#port.postMessage({ channel: 'storage', request, handoff } satisfies Request, transfer);
    });
  }
}

/** What the storing side does with each handoff. */
export interface StorageHandlers {
  readonly shares: BatchSink;
  block(outcome: BlockOutcome): Promise<void>;
  network(facts: NetworkFacts): Promise<void>;
}

function batchOf(handoff: Extract<Handoff, { kind: 'batch' }>): ShareBatch {
  const { shares } = handoff;
  return {
    id: handoff.id,
    nodeId: handoff.nodeId,
    shares: Array.isArray(shares) ? shares : ShareColumns.unpack(shares as PackedShares),
    rejects: handoff.rejects,
    protocols: handoff.protocols,
  };
}

/**
 * The storing side: each handoff arriving on `port` is stored through `handlers` and
 * answered, a failure with its reason (the sender keeps what failed and tries again).
 * The returned function stops serving.
 */
export function serveStorageChannel(port: ChannelPort, handlers: StorageHandlers, log: Logger): () => void {
  const answer = (message: Answer): void => {
    port.postMessage(message);
  };
  const listener = (value: unknown): void => {
    if (!isRequest(value)) {
      return;
    }
    const { request, handoff } = value;
    const stored = async (): Promise<Answer['stored']> => {
      switch (handoff.kind) {
        case 'batch':
          return handlers.shares.store(batchOf(handoff));
        case 'block':
          await handlers.block(handoff.outcome);
          return undefined;
        case 'network':
          await handlers.network(handoff.facts);
          return undefined;
        default:
          throw new Error(`no handoff of kind ${String((handoff as { kind: unknown }).kind)}`);
      }
    };
    stored().then(
      (result) => {
        answer({ channel: 'storage', request, ...(result && { stored: result }) });
      },
      (error: unknown) => {
        const problem = error instanceof Error ? error.message : String(error);
        // The Stratum thread's writer says the database is away, once; this says what failed.
        log.debug(
          { kind: handoff.kind, problem },
          'ledger: a handoff from the Stratum thread was not stored',
        );
        answer({ channel: 'storage', request, problem });
      },
    );
  };
  port.on('message', listener);
  return () => {
    port.off('message', listener);
  };
}

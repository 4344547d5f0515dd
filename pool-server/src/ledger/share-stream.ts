import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamClient,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { BatchSink, ShareBatch } from './share-store.ts';

/**
 * Accepted shares between Stratum nodes and ledger writers, through NATS JetStream (an
 * existing distributed engine, not a protocol of our own). A Stratum node's share
 * writer publishes each sealed batch with its id as the message id: JetStream drops a
 * batch published twice within the duplicate window, and the node's journal keeps a
 * batch on disk until the stream has acknowledged it (NATS away: the journal waits).
 * Writers pull batches with explicit acks and store them by id, so a batch delivered
 * twice (a writer died before its ack) is stored once.
 */

export interface ShareStreamSettings {
  /** The stream's name, e.g. HASHWATT_SHARES. */
  readonly stream: string;
  /** Subjects are `<subjectPrefix>.<node id>`. */
  readonly subjectPrefix: string;
  /** Batches published again within this window are recognised as duplicates. */
  readonly duplicateWindowSeconds: number;
}

const NANOS_PER_SECOND = 1_000_000_000;

/** Makes the stream, or brings its settings up to date: a work queue, each batch for one writer. */
export async function ensureShareStream(nc: NatsConnection, settings: ShareStreamSettings): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config = {
    name: settings.stream,
    subjects: [`${settings.subjectPrefix}.>`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    duplicate_window: settings.duplicateWindowSeconds * NANOS_PER_SECOND,
  };
  try {
    await jsm.streams.info(settings.stream);
    await jsm.streams.update(settings.stream, config);
  } catch (error) {
    if (!/stream not found/i.test((error as Error).message)) {
      throw error;
    }
    await jsm.streams.add(config);
  }
}

/** A Stratum node's sink: its batches into the stream, acknowledged by JetStream before the journal lets them go. */
export class JetStreamShareSink implements BatchSink {
  readonly #js: JetStreamClient;
  readonly #subject: string;

  constructor(nc: NatsConnection, settings: ShareStreamSettings, nodeId: number) {
    this.#js = jetstream(nc);
    this.#subject = `${settings.subjectPrefix}.${String(nodeId)}`;
  }

  async store(batch: ShareBatch): Promise<'stored' | 'duplicate'> {
    const ack = await this.#js.publish(this.#subject, JSON.stringify(batch), { msgID: batch.id });
    return ack.duplicate ? 'duplicate' : 'stored';
  }
}

export interface RunningShareConsumer {
  stop(): Promise<void>;
}

/**
 * A writer: pulls batches from the stream's durable consumer, stores each (by id, so
 * once), and acknowledges it only then. A batch it cannot store goes back to the
 * stream for later (nak with a delay), never dropped.
 */
export async function consumeShares(
  nc: NatsConnection,
  settings: ShareStreamSettings & { readonly durable: string },
  sink: BatchSink,
  log: Logger,
): Promise<RunningShareConsumer> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.consumers.info(settings.stream, settings.durable);
  } catch {
    await jsm.consumers.add(settings.stream, {
      durable_name: settings.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: 30 * NANOS_PER_SECOND,
    });
  }
  const consumer = await jetstream(nc).consumers.get(settings.stream, settings.durable);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 64 });
  const done = (async () => {
    for await (const message of messages) {
      let batch: ShareBatch;
      try {
        batch = message.json<ShareBatch>();
      } catch (error) {
        // Not a batch of ours: logged and terminated, so it is not delivered again forever.
        log.error({ err: error, seq: message.seq }, 'share stream: a message that is not a share batch');
        message.term();
        continue;
      }
      try {
        await sink.store(batch);
        message.ack();
      } catch (error) {
        log.warn(
          { err: error, batch: batch.id },
          'share stream: cannot store a batch; it is delivered again later',
        );
        message.nak(1_000);
      }
    }
  })();
  return {
    async stop() {
      await messages.close();
      await done;
    },
  };
}

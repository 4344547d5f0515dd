import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { blockFromJson, blockToJson } from './blocks/block-journal.ts';
import type { BlockOutcome, BlockRecorder } from '../chain/block-submitter.ts';
import type { Database } from '../db/pool.ts';
import { ShareBatchSchema, type BatchSink, type ShareBatch } from './share-store.ts';

/**
 * The ledger's traffic between Stratum nodes and writers, through NATS JetStream (an
 * existing distributed engine, not a protocol of our own). A Stratum node publishes each
 * sealed share batch with its id as the message id, so JetStream drops a batch published
 * twice within the duplicate window; its journal keeps the batch on disk until the stream
 * has acknowledged it, which is the spool while NATS is away. Found blocks and the
 * network facts of templates travel the same way. Writers pull with explicit acks and
 * store by id, so a message delivered twice (a writer died before its ack) is stored once.
 */

export interface LedgerStreamSettings {
  /** The stream's name, e.g. HASHWATT_LEDGER. */
  readonly stream: string;
  /** Subjects are `<subjectPrefix>.<node id>.<kind>`. */
  readonly subjectPrefix: string;
  /** Messages published again within this window are recognised as duplicates. */
  readonly duplicateWindowSeconds: number;
}

export interface BusSettings extends LedgerStreamSettings {
  readonly url: string;
  /** How the server lists this connection: role and node. */
  readonly name: string;
}

/** What a template told about the network, for the economics (farms/network.ts records it). */
const NetworkFactsSchema = Type.Object({
  height: Type.Integer({ minimum: 0 }),
  difficulty: Type.Number({ minimum: 0 }),
  feesSats: Type.Number({ minimum: 0 }),
  atMs: Type.Number(),
});
export type NetworkFacts = Readonly<Static<typeof NetworkFactsSchema>>;

type Kind = 'batch' | 'block' | 'network';

/**
 * The most records (shares and rejects) a Stratum node puts in one batch when it sends
 * through NATS: a batch is one message, and a record is at most a few hundred bytes of
 * JSON, so a batch stays well under NATS's default max_payload of 1 MiB.
 */
export const SHARES_PER_MESSAGE = 1_000;

const NANOS_PER_SECOND = 1_000_000_000;
/** How long a writer has to acknowledge a message before JetStream hands it to another. */
const ACK_WAIT_SECONDS = 10;
/** A publish not acknowledged by then failed: the journal keeps the batch. */
const PUBLISH_TIMEOUT_MS = 5_000;
const READY_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;
/**
 * A block whose batch has not been stored after this many deliveries (a second apart)
 * is recorded anyway: its batch was lost to something no retry mends, and the block
 * itself must not wait for ever.
 */
const MAX_BLOCK_WAITS = 300;

const subjectOf = (settings: LedgerStreamSettings, nodeId: number, kind: Kind): string =>
  `${settings.subjectPrefix}.${String(nodeId)}.${kind}`;

/** Makes the stream, or brings its settings up to date: a work queue, each message for one writer. */
export async function ensureLedgerStream(nc: NatsConnection, settings: LedgerStreamSettings): Promise<void> {
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

/**
 * The connection to NATS, made in the background: a Stratum node starts and serves
 * miners while NATS is away (its shares wait in the journal), and the client reconnects
 * for as long as the process lives.
 */
export class LedgerBus {
  readonly settings: BusSettings;
  readonly #log: Logger;
  readonly #ready: Promise<NatsConnection>;
  #connection: NatsConnection | undefined;
  #closed = false;

  constructor(settings: BusSettings, log: Logger) {
    this.settings = settings;
    this.#log = log;
    this.#ready = this.#open();
    // Whoever needs the connection awaits ready(); a failure before then is logged there.
    this.#ready.catch(() => undefined);
  }

  /** The connection, once NATS has answered and the stream exists. */
  ready(): Promise<NatsConnection> {
    return this.#ready;
  }

  /** The connection when it is up now; undefined while NATS has not been reached yet. */
  get connection(): NatsConnection | undefined {
    return this.#connection;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#connection?.drain();
  }

  async #open(): Promise<NatsConnection> {
    const { url, name } = this.settings;
    const nc = await connect({
      servers: url,
      name,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: READY_RETRY_MS,
    });
    void this.#watch(nc);
    for (;;) {
      if (this.#isClosed()) {
        await nc.close();
        throw new Error('the ledger bus was closed before its stream was ready');
      }
      try {
        await ensureLedgerStream(nc, this.settings);
        break;
      } catch (error) {
        this.#log.warn({ problem: (error as Error).message }, 'nats: the ledger stream is not ready yet');
        await new Promise((resolve) => setTimeout(resolve, READY_RETRY_MS));
      }
    }
    this.#connection = nc;
    this.#log.info({ server: nc.getServer(), stream: this.settings.stream }, 'nats: connected');
    return nc;
  }

  #isClosed(): boolean {
    return this.#closed;
  }

  async #watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.#log.warn({ server: status.server }, 'nats: disconnected; shares wait in the journal');
      } else if (status.type === 'reconnect') {
        this.#log.info({ server: status.server }, 'nats: reconnected');
      }
    }
  }
}

/** What a Stratum node sends to the writers. */
export class LedgerPublisher implements BatchSink {
  readonly #bus: LedgerBus;
  readonly #nodeId: number;

  constructor(bus: LedgerBus, nodeId: number) {
    this.#bus = bus;
    this.#nodeId = nodeId;
  }

  /** A sealed batch, acknowledged by the stream before the journal lets it go. */
  async store(batch: ShareBatch): Promise<'stored' | 'duplicate'> {
    const duplicate = await this.#publish('batch', JSON.stringify(batch), batch.id);
    return duplicate ? 'duplicate' : 'stored';
  }

  /**
   * A found block, after the batch that holds its share (`afterBatch`): the writer
   * records the block only once that batch is stored, whatever order they arrive in.
   */
  async block(outcome: BlockOutcome, afterBatch: string | undefined): Promise<void> {
    await this.#publish(
      'block',
      JSON.stringify({ block: blockToJson(outcome), afterBatch }),
      `block-${outcome.hash}`,
    );
  }

  async network(facts: NetworkFacts): Promise<void> {
    await this.#publish('network', JSON.stringify(facts), undefined);
  }

  async #publish(kind: Kind, payload: string, msgID: string | undefined): Promise<boolean> {
    const nc = this.#bus.connection;
    if (!nc || nc.isClosed()) {
      throw new Error(`NATS at ${this.#bus.settings.url} has not been reached yet`);
    }
    const bytes = Buffer.byteLength(payload);
    const limit = nc.info?.max_payload ?? Number.POSITIVE_INFINITY;
    if (bytes > limit) {
      // Sent again it would fail again: say so, the journal keeps it for a server that takes it.
      throw new Error(
        `a ${kind} of ${String(bytes)} bytes is over the NATS server's max_payload of ${String(limit)}`,
      );
    }
    const ack = await jetstream(nc).publish(subjectOf(this.#bus.settings, this.#nodeId, kind), payload, {
      ...(msgID !== undefined && { msgID }),
      timeout: PUBLISH_TIMEOUT_MS,
    });
    return ack.duplicate;
  }
}

/** What a writer does with each kind of message; a block answers 'wait' while its batch is not stored. */
export interface LedgerHandlers {
  batch(batch: ShareBatch): Promise<unknown>;
  block(
    outcome: BlockOutcome,
    afterBatch: string | undefined,
    deliveries: number,
  ): Promise<'recorded' | 'wait'>;
  network(facts: NetworkFacts): Promise<void>;
}

/**
 * The writer's side: batches stored by id, blocks recorded once and only after the batch
 * with their share (so a PPLNS window ends with the block's own share), network facts
 * handed to whoever keeps them.
 */
export function writerHandlers(
  db: Database,
  shares: BatchSink,
  blocks: BlockRecorder,
  network: (facts: NetworkFacts) => Promise<void>,
  log: Logger,
): LedgerHandlers {
  const exists = async (sql: string, value: string): Promise<boolean> =>
    ((await db.query(sql, [value])).rowCount ?? 0) > 0;
  return {
    batch: (batch) => shares.store(batch),
    async block(outcome, afterBatch, deliveries) {
      if (await exists('SELECT 1 FROM blocks WHERE hash = $1', outcome.hash)) {
        return 'recorded';
      }
      if (
        afterBatch !== undefined &&
        !(await exists('SELECT 1 FROM share_batches WHERE id = $1', afterBatch))
      ) {
        if (deliveries < MAX_BLOCK_WAITS) {
          return 'wait';
        }
        log.error(
          { hash: outcome.hash, afterBatch },
          'ledger stream: the batch before this block never arrived; the block is recorded without it',
        );
      }
      await blocks.record(outcome);
      return 'recorded';
    },
    network,
  };
}

/** A message's kind from its subject's last token. */
function kindOf(subject: string): Kind | undefined {
  const kind = subject.slice(subject.lastIndexOf('.') + 1);
  return kind === 'batch' || kind === 'block' || kind === 'network' ? kind : undefined;
}

/**
 * How long a message that failed `deliveries` times waits before the next try: a second,
 * doubling to a minute, so a database away for long (or a message it can never take)
 * is retried for ever without a storm of retries and warnings.
 */
export function retryDelay(deliveries: number): number {
  return Math.min(MAX_RETRY_MS, READY_RETRY_MS * 2 ** Math.min(Math.max(deliveries - 1, 0), 6));
}

/** What became of a message: handled, to wait for its batch, or not one of ours (terminated, never retried). */
async function handle(message: JsMsg, handlers: LedgerHandlers): Promise<'done' | 'wait' | 'foreign'> {
  const kind = kindOf(message.subject);
  let value: unknown;
  try {
    value = message.json();
  } catch {
    return 'foreign';
  }
  if (kind === 'batch' && Value.Check(ShareBatchSchema, value)) {
    await handlers.batch(value);
    return 'done';
  }
  if (kind === 'network' && Value.Check(NetworkFactsSchema, value)) {
    await handlers.network(value);
    return 'done';
  }
  if (kind === 'block' && typeof value === 'object' && value !== null) {
    const { block, afterBatch } = value as { block?: unknown; afterBatch?: unknown };
    const outcome = blockFromJson(block);
    if (outcome && (afterBatch === undefined || typeof afterBatch === 'string')) {
      const result = await handlers.block(outcome, afterBatch, message.info.deliveryCount);
      return result === 'recorded' ? 'done' : 'wait';
    }
  }
  return 'foreign';
}

export interface RunningLedgerConsumer {
  stop(): Promise<void>;
}

/**
 * A writer: pulls from the stream's durable consumer, handles each message and
 * acknowledges it only then. A message it cannot handle now (the database is away, a
 * block's batch has not arrived) goes back to the stream for later, never dropped.
 */
export async function consumeLedger(
  bus: LedgerBus,
  writerName: string,
  handlers: LedgerHandlers,
  log: Logger,
): Promise<RunningLedgerConsumer> {
  const nc = await bus.ready();
  const { stream } = bus.settings;
  const jsm = await jetstreamManager(nc);
  const consumerConfig = {
    durable_name: writerName,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: ACK_WAIT_SECONDS * NANOS_PER_SECOND,
  };
  try {
    await jsm.consumers.info(stream, writerName);
  } catch {
    await jsm.consumers.add(stream, consumerConfig);
  }
  const consumer = await jetstream(nc).consumers.get(stream, writerName);
  const messages = await consumer.consume({ max_messages: 64 });
  const done = (async () => {
    for await (const message of messages) {
      try {
        const result = await handle(message, handlers);
        if (result === 'done') {
          message.ack();
        } else if (result === 'wait') {
          message.nak(READY_RETRY_MS);
        } else {
          log.error(
            { subject: message.subject, seq: message.seq },
            'ledger stream: a message that is not a share batch, a block or network facts; dropped',
          );
          message.term();
        }
      } catch (error) {
        const retryMs = retryDelay(message.info.deliveryCount);
        log.warn(
          { problem: (error as Error).message, subject: message.subject, seq: message.seq, retryMs },
          'ledger stream: cannot store a message now; it is delivered again later',
        );
        message.nak(retryMs);
      }
    }
  })();
  log.info({ stream, consumer: writerName }, 'ledger: consuming the ledger stream');
  return {
    async stop() {
      await messages.close();
      await done;
    },
  };
}

import type { Logger } from 'pino';
import { Subscriber } from 'zeromq';
import { prepareTemplate, type PreparedTemplate } from '../work/template.ts';
import type { BitcoinRpcClient } from './rpc-client.ts';

export interface TemplateSourceOptions {
  /** getbestblockhash is polled this often, so a new block is seen within it even without ZMQ. */
  readonly pollIntervalMs: number;
  /** A fresh template this often, for new transactions and fees. */
  readonly refreshIntervalMs: number;
  /** [BIP22] long polling: the node answers when its template changes. */
  readonly longpoll: boolean;
  readonly longpollTimeoutMs: number;
  /** bitcoind's -zmqpubhashblock endpoint, e.g. tcp://127.0.0.1:28332. */
  readonly zmqUrl: string | undefined;
}

/**
 * A template as the pool uses it, whether it starts a new block, and the node's
 * getblocktemplate result it came from (what other Stratum processes are sent).
 */
export type TemplateListener = (template: PreparedTemplate, newBlock: boolean, raw: RawTemplate) => void;

/** Where a Stratum node's templates come from: the node itself, or the process that asks it. */
export interface TemplateFeed {
  onTemplate(listener: TemplateListener): void;
  /** Resolves with the first template; later ones reach the listeners. */
  start(): Promise<PreparedTemplate>;
  stop(): void;
}

/** [BIP9, BIP145] the pool understands segwit; getblocktemplate refuses clients that do not say so. */
const TEMPLATE_REQUEST = { rules: ['segwit'] };
const RETRY_AFTER_ERROR_MS = 1_000;

/** bitcoind's getblocktemplate result, as JSON; prepareTemplate checks the rest. */
export interface RawTemplate {
  readonly previousblockhash?: unknown;
  readonly longpollid?: unknown;
}

/**
 * Keeps the pool on the node's best template: getblocktemplate at start, on every new
 * block (ZMQ hashblock, longpoll return or the getbestblockhash poll, whichever is
 * first) and on a timer. When the node is away, the last template stays current.
 */
export class TemplateSource implements TemplateFeed {
  readonly #rpc: BitcoinRpcClient;
  readonly #options: TemplateSourceOptions;
  readonly #log: Logger;
  readonly #listeners: TemplateListener[] = [];
  readonly #timers: NodeJS.Timeout[] = [];
  #current: PreparedTemplate | undefined;
  #prevhash: string | undefined;
  #longpollId: string | undefined;
  #fetching: Promise<void> | undefined;
  #fetchAgain = false;
  #running = false;
  #zmq: Subscriber | undefined;
  #nodeDown = false;
  /** Ends the held longpoll at stop: the node is not kept waiting on a pool that has gone. */
  readonly #stopped = new AbortController();

  constructor(rpc: BitcoinRpcClient, options: TemplateSourceOptions, log: Logger) {
    this.#rpc = rpc;
    this.#options = options;
    this.#log = log;
  }

  get current(): PreparedTemplate | undefined {
    return this.#current;
  }

  onTemplate(listener: TemplateListener): void {
    this.#listeners.push(listener);
  }

  /** Fetches the first template (throwing if the node cannot give one), then keeps it fresh. */
  async start(): Promise<PreparedTemplate> {
    this.#running = true;
    await this.#fetchTemplate(true);
    const first = this.#current;
    if (!first) {
      throw new Error('bitcoind gave no usable block template');
    }
    this.#every(this.#options.pollIntervalMs, () => this.#pollTip());
    this.#every(this.#options.refreshIntervalMs, () => this.refresh());
    if (this.#options.longpoll) {
      void this.#longpollLoop();
    }
    if (this.#options.zmqUrl !== undefined) {
      void this.#listenZmq(this.#options.zmqUrl);
    }
    return first;
  }

  stop(): void {
    this.#running = false;
    this.#stopped.abort();
    for (const timer of this.#timers) {
      clearInterval(timer);
    }
    this.#zmq?.close();
  }

  /** Asks the node for a fresh template now; concurrent requests are merged. */
  refresh(): Promise<void> {
    if (this.#fetching) {
      this.#fetchAgain = true;
      return this.#fetching;
    }
    this.#fetching = (async () => {
      do {
        this.#fetchAgain = false;
        try {
          await this.#fetchTemplate(false);
        } catch (error) {
          this.#nodeTrouble(error);
        }
      } while (this.#wantsAnotherFetch());
    })().finally(() => {
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  /** Read through a method: the flags change while a fetch is awaited. */
  #wantsAnotherFetch(): boolean {
    return this.#fetchAgain && this.#running;
  }

  #isRunning(): boolean {
    return this.#running;
  }

  #every(ms: number, task: () => Promise<void>): void {
    const timer = setInterval(() => {
      void task();
    }, ms);
    timer.unref();
    this.#timers.push(timer);
  }

  async #pollTip(): Promise<void> {
    try {
      const best = await this.#rpc.call<string>('getbestblockhash', [], { retries: 0 });
      this.#nodeBack();
      if (best !== this.#prevhash) {
        await this.refresh();
      }
    } catch (error) {
      this.#nodeTrouble(error);
    }
  }

  async #fetchTemplate(first: boolean): Promise<void> {
    // The first fetch may wait out a node that is starting; later ones must not pile up.
    const raw = await this.#rpc.call<RawTemplate>(
      'getblocktemplate',
      [TEMPLATE_REQUEST],
      first ? {} : { retries: 0 },
    );
    this.#nodeBack();
    this.#accept(raw);
  }

  #accept(raw: RawTemplate): void {
    const template = prepareTemplate(raw);
    const prevhash = typeof raw.previousblockhash === 'string' ? raw.previousblockhash : undefined;
    const longpollId = typeof raw.longpollid === 'string' ? raw.longpollid : undefined;
    const newBlock = prevhash !== this.#prevhash;
    // Same tip and same longpollid: the node's template has not changed.
    if (!newBlock && longpollId !== undefined && longpollId === this.#longpollId) {
      return;
    }
    this.#current = template;
    this.#prevhash = prevhash;
    this.#longpollId = longpollId;
    if (newBlock) {
      this.#log.info({ height: template.height, prevhash }, 'chain: new block to build on');
    }
    for (const listener of this.#listeners) {
      listener(template, newBlock, raw);
    }
  }

  async #longpollLoop(): Promise<void> {
    while (this.#running) {
      try {
        const raw = await this.#rpc.call<RawTemplate>(
          'getblocktemplate',
          [{ ...TEMPLATE_REQUEST, longpollid: this.#longpollId }],
          {
            timeoutMs: this.#options.longpollTimeoutMs,
            retries: 0,
            lane: 'longpoll',
            signal: this.#stopped.signal,
          },
        );
        if (this.#isRunning()) {
          this.#accept(raw);
        }
      } catch (error) {
        if (!this.#isRunning()) {
          return;
        }
        // A longpoll timing out is the node having nothing new; anything else is trouble.
        if ((error as { kind?: string }).kind !== 'timeout') {
          this.#nodeTrouble(error);
          await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_ERROR_MS));
        }
      }
    }
  }

  async #listenZmq(url: string): Promise<void> {
    const subscriber = new Subscriber();
    this.#zmq = subscriber;
    subscriber.connect(url);
    subscriber.subscribe('hashblock');
    this.#log.info({ url }, 'chain: listening for new blocks on ZMQ');
    try {
      for await (const [topic, hash] of subscriber) {
        this.#log.debug({ topic: topic?.toString(), hash: hash?.toString('hex') }, 'chain: ZMQ');
        void this.refresh();
      }
    } catch (error) {
      if (this.#isRunning()) {
        this.#log.warn({ err: error }, 'chain: the ZMQ subscription ended; polling still notices new blocks');
      }
    }
  }

  #nodeTrouble(error: unknown): void {
    if (!this.#nodeDown) {
      this.#nodeDown = true;
      this.#log.warn(
        { err: error },
        'chain: cannot get templates from the node; miners keep the current job',
      );
    }
  }

  #nodeBack(): void {
    if (this.#nodeDown) {
      this.#nodeDown = false;
      this.#log.info('chain: the node answers again');
    }
  }
}

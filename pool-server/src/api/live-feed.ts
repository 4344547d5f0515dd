import type { ServerResponse } from 'node:http';

/** A Server-Sent Events stream's writer: `event:` and `data:` lines, a blank line after each. */
export class EventStream {
  readonly #response: ServerResponse;

  constructor(response: ServerResponse) {
    this.#response = response;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Proxies such as nginx would otherwise hold events back.
      'x-accel-buffering': 'no',
    });
  }

  send(event: string, data: unknown): void {
    this.#response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** A comment line: keeps idle connections open through proxies. */
  ping(): void {
    this.#response.write(': ping\n\n');
  }

  end(): void {
    this.#response.end();
  }
}

export interface LiveEvent {
  readonly event: string;
  readonly data: unknown;
}

export interface LiveSource {
  /** What a new subscriber is sent at once. */
  snapshot(): Promise<readonly LiveEvent[]>;
  /** Events due now for this topic, each sent to every subscriber of it. */
  poll(): Promise<readonly LiveEvent[]>;
}

const PINGS_EVERY = 3;

/**
 * Topics ("pool", "miner:<account>") with their subscribers. A topic is polled every
 * `intervalMs` while it has subscribers, once for all of them, whatever their number.
 */
export class LiveFeed {
  readonly #intervalMs: number;
  readonly #topics = new Map<
    string,
    { readonly source: LiveSource; readonly streams: Set<EventStream>; timer: NodeJS.Timeout; ticks: number }
  >();
  readonly #onError: (error: unknown) => void;

  constructor(intervalMs: number, onError: (error: unknown) => void) {
    this.#intervalMs = intervalMs;
    this.#onError = onError;
  }

  get subscribers(): number {
    let count = 0;
    for (const topic of this.#topics.values()) {
      count += topic.streams.size;
    }
    return count;
  }

  /** Adds a stream to a topic, sends it the topic's snapshot; returns what removes it. */
  async subscribe(key: string, source: () => LiveSource, stream: EventStream): Promise<() => void> {
    let topic = this.#topics.get(key);
    if (!topic) {
      const created = {
        source: source(),
        streams: new Set<EventStream>(),
        timer: setInterval(() => {
          void this.#tick(created);
        }, this.#intervalMs),
        ticks: 0,
      };
      created.timer.unref();
      this.#topics.set(key, created);
      topic = created;
    }
    topic.streams.add(stream);
    const joined = topic;
    for (const { event, data } of await topic.source.snapshot()) {
      stream.send(event, data);
    }
    return () => {
      joined.streams.delete(stream);
      if (joined.streams.size === 0) {
        clearInterval(joined.timer);
        this.#topics.delete(key);
      }
    };
  }

  /** Ends every stream: the server is closing. */
  close(): void {
    for (const topic of this.#topics.values()) {
      clearInterval(topic.timer);
      for (const stream of topic.streams) {
        stream.end();
      }
    }
    this.#topics.clear();
  }

  async #tick(topic: {
    readonly source: LiveSource;
    readonly streams: Set<EventStream>;
    ticks: number;
  }): Promise<void> {
    try {
      const events = await topic.source.poll();
      for (const stream of topic.streams) {
        for (const { event, data } of events) {
          stream.send(event, data);
        }
        if (events.length === 0 && ++topic.ticks % PINGS_EVERY === 0) {
          stream.ping();
        }
      }
    } catch (error) {
      this.#onError(error);
    }
  }
}

/**
 * [Bitcoin Core src/httpserver.cpp: WorkQueue] RPC requests are worked on by a fixed number of
 * threads; the others wait in a queue of bounded depth, and a request finding it full is
 * refused. A call that waits (a held longpoll) keeps its thread the whole time.
 */
export class WorkQueue {
  readonly #threads: number;
  readonly #depth: number;
  readonly #waiting: (() => Promise<void>)[] = [];
  #running = 0;
  #idleWaiters: (() => void)[] = [];

  /** [Bitcoin Core src/httpserver.cpp: InitHTTPServer, StartHTTPServer] both at least 1. */
  constructor(threads: number, depth: number) {
    this.#threads = Math.max(1, Math.floor(threads));
    this.#depth = Math.max(1, Math.floor(depth));
  }

  /** Requests being worked on. */
  get running(): number {
    return this.#running;
  }

  /** Requests waiting for a thread. */
  get queued(): number {
    return this.#waiting.length;
  }

  /**
   * Queues `work`, which must not reject. False, and nothing queued, when the queue is full:
   * [Bitcoin Core src/httpserver.cpp: WorkQueue::Enqueue] refuses at queue.size() >= maxDepth,
   * counting only requests no thread has taken yet.
   */
  enqueue(work: () => Promise<void>): boolean {
    if (this.#waiting.length >= this.#depth) {
      return false;
    }
    this.#waiting.push(work);
    this.#pump();
    return true;
  }

  /** Resolves once nothing runs or waits, as Core's shutdown joins its workers after they drain the queue. */
  idle(): Promise<void> {
    if (this.#running === 0 && this.#waiting.length === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
    });
  }

  #pump(): void {
    while (this.#running < this.#threads) {
      const work = this.#waiting.shift();
      if (!work) {
        break;
      }
      this.#running++;
      void work().finally(() => {
        this.#running--;
        this.#pump();
      });
    }
    if (this.#running === 0 && this.#waiting.length === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) {
        wake();
      }
    }
  }
}

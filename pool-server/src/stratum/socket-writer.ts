import type { Socket } from 'node:net';

/**
 * Writes what the pool sends a miner (V1 lines, V2 frames) with backpressure: a peer that
 * does not read is paused (its requests would only queue more replies), then cut off once
 * it holds more than maxQueuedBytes or has not drained for drainTimeoutMs.
 */
export class SocketWriter {
  readonly #socket: Socket;
  readonly #limits: { readonly drainTimeoutMs: number; readonly maxQueuedBytes: number };
  readonly #abort: (reason: string) => void;
  #drainTimer: NodeJS.Timeout | undefined;

  constructor(
    socket: Socket,
    limits: { readonly drainTimeoutMs: number; readonly maxQueuedBytes: number },
    abort: (reason: string) => void,
  ) {
    this.#socket = socket;
    this.#limits = limits;
    this.#abort = abort;
  }

  write(data: string | Buffer): void {
    if (this.#socket.writableEnded || this.#socket.destroyed) {
      return;
    }
    if (this.#socket.write(data)) {
      return;
    }
    if (this.#socket.writableLength > this.#limits.maxQueuedBytes) {
      this.#abort('not reading what the pool sends');
      return;
    }
    if (this.#drainTimer === undefined) {
      this.#socket.pause();
      this.#drainTimer = setTimeout(() => {
        this.#abort('not reading what the pool sends');
      }, this.#limits.drainTimeoutMs);
      this.#socket.once('drain', () => {
        clearTimeout(this.#drainTimer);
        this.#drainTimer = undefined;
        this.#socket.resume();
      });
    }
  }

  /** The socket closed: nothing is waiting to drain. */
  closed(): void {
    clearTimeout(this.#drainTimer);
  }
}

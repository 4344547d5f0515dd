/**
 * The bytes of one device reply as they arrive: one buffer that doubles as it fills, up
 * to the reply's limit. A reply costs copying linear in its size (never everything
 * received so far again per chunk), and the buffer never holds more than the limit.
 */
export class ReplyBuffer {
  #bytes: Buffer;
  #length = 0;
  #copiedBytes = 0;

  constructor(
    readonly maxBytes: number,
    initialBytes = 16 * 1024,
  ) {
    this.#bytes = Buffer.allocUnsafe(Math.min(initialBytes, maxBytes));
  }

  /** Bytes received. */
  get length(): number {
    return this.#length;
  }

  /** Bytes the buffer holds allocated: never more than `maxBytes`. */
  get capacity(): number {
    return this.#bytes.length;
  }

  /** Every byte copied so far, growth included: under three times `length`. */
  get copiedBytes(): number {
    return this.#copiedBytes;
  }

  /** Adds `chunk`; false, keeping none of it, when the reply would pass `maxBytes`. */
  append(chunk: Uint8Array): boolean {
    const needed = this.#length + chunk.length;
    if (needed > this.maxBytes) {
      return false;
    }
    if (needed > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.maxBytes, Math.max(needed, this.#bytes.length * 2)));
      this.#bytes.copy(grown, 0, 0, this.#length);
      this.#copiedBytes += this.#length;
      this.#bytes = grown;
    }
    this.#bytes.set(chunk, this.#length);
    this.#copiedBytes += chunk.length;
    this.#length = needed;
    return true;
  }

  /** The reply so far, without a copy: valid until the next `append`. */
  view(): Buffer {
    return this.#bytes.subarray(0, this.#length);
  }
}

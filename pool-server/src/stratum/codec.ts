/**
 * [stratum] newline-delimited JSON framing: bytes in, lines out, no socket. A line
 * (or a partial line still waiting for its newline) longer than maxLineBytes is an
 * overflow, after which the caller must drop the connection.
 */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export class LineDecoder {
  readonly #maxLineBytes: number;
  /** The partial line carried over from earlier chunks. */
  #pending: Buffer | undefined;

  constructor(maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Bytes of a line still waiting for its newline. */
  get pendingBytes(): number {
    return this.#pending?.length ?? 0;
  }

  /**
   * Feeds a chunk, calling onLine for every complete, non-empty line (without its
   * \r?\n). Returns false on overflow; lines before the overflow were delivered.
   */
  push(chunk: Buffer, onLine: (line: string) => void): boolean {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    while (newline !== -1) {
      let delivered: boolean;
      if (this.#pending) {
        const line = Buffer.concat([this.#pending, chunk.subarray(start, newline)]);
        this.#pending = undefined;
        delivered = this.#deliver(line, 0, line.length, onLine);
      } else {
        // A line read whole is decoded from the chunk in place: no Buffer is made for it.
        delivered = this.#deliver(chunk, start, newline, onLine);
      }
      if (!delivered) {
        return false;
      }
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      const pendingLength = (this.#pending?.length ?? 0) + rest.length;
      if (pendingLength > this.#maxLineBytes) {
        this.#pending = undefined;
        return false;
      }
      // Copied: the socket may reuse the chunk's memory.
      this.#pending = this.#pending ? Buffer.concat([this.#pending, rest]) : Buffer.from(rest);
    }
    return true;
  }

  /** Hands on bytes [start, end) of `bytes` as a line (less a trailing \r); false when it is too long. */
  #deliver(bytes: Buffer, start: number, end: number, onLine: (line: string) => void): boolean {
    if (end - start > this.#maxLineBytes) {
      return false;
    }
    const last = end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
    if (last > start) {
      // Decoding whole lines keeps multi-byte characters split across chunks intact.
      onLine(bytes.toString('utf8', start, last));
    }
    return true;
  }
}

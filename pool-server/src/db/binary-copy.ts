/**
 * Rows in PostgreSQL's binary COPY format ("COPY … FROM STDIN WITH (FORMAT binary)"):
 * the server stores them without parsing text, which makes share ingest about 40 %
 * cheaper than the text format on both sides. Only fixed-width types, so a batch's
 * size is known before it is written.
 */
import { setImmediate } from 'node:timers/promises';

export type CopyColumn = 'timestamptz' | 'int8' | 'int4' | 'int2' | 'float8' | 'bool' | 'uuid';

const WIDTH: Readonly<Record<CopyColumn, number>> = {
  timestamptz: 8,
  int8: 8,
  int4: 4,
  int2: 2,
  float8: 8,
  bool: 1,
  uuid: 16,
};

/** "PGCOPY\n\377\r\n\0", then the flags and the header extension length, both 0. */
const SIGNATURE = Buffer.from('5047434f50590aff0d0a00', 'hex');
const HEADER_BYTES = SIGNATURE.length + 8;
/** PostgreSQL counts time from 2000-01-01 UTC, in microseconds. */
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);

/** Where a buffer sits in its COPY stream: the first carries the header, the last the trailer. */
export interface StreamPart {
  readonly first: boolean;
  readonly last: boolean;
}

const WHOLE: StreamPart = { first: true, last: true };

/**
 * Rows are written column by column in the order of `columns`; finish() checks that
 * exactly `rowCount` whole rows were written. A stream may be cut into several
 * buffers (`part`), so that a big one is encoded a slice at a time.
 */
export class BinaryCopyBuffer {
  readonly #columns: readonly CopyColumn[];
  readonly #buffer: Buffer;
  readonly #part: StreamPart;
  #offset: number;
  /** The last UUID written and its bytes: a batch's rows all carry the batch's id. */
  #uuidText = '';
  readonly #uuidBytes = Buffer.alloc(16);

  constructor(columns: readonly CopyColumn[], rowCount: number, part: StreamPart = WHOLE) {
    this.#columns = columns;
    this.#part = part;
    const rowBytes = 2 + columns.reduce((sum, column) => sum + 4 + WIDTH[column], 0);
    this.#buffer = Buffer.allocUnsafe(
      (part.first ? HEADER_BYTES : 0) + rowCount * rowBytes + (part.last ? 2 : 0),
    );
    this.#offset = 0;
    if (part.first) {
      SIGNATURE.copy(this.#buffer, 0);
      this.#buffer.writeInt32BE(0, SIGNATURE.length);
      this.#buffer.writeInt32BE(0, SIGNATURE.length + 4);
      this.#offset = HEADER_BYTES;
    }
  }

  row(): this {
    this.#offset = this.#buffer.writeInt16BE(this.#columns.length, this.#offset);
    return this;
  }

  /** A time in milliseconds since the Unix epoch. */
  timestamptz(ms: number): this {
    this.#field(8);
    // Microseconds fit a double exactly for ±285 years; two halves spare a BigInt a row.
    const micros = Math.round(ms - POSTGRES_EPOCH_MS) * 1000;
    const high = Math.floor(micros / 2 ** 32);
    this.#offset = this.#buffer.writeInt32BE(high, this.#offset);
    this.#offset = this.#buffer.writeUInt32BE(micros - high * 2 ** 32, this.#offset);
    return this;
  }

  /** A bigint, given as one or as the decimal text pg returns for one. */
  int8(value: bigint | string | number): this {
    this.#field(8);
    this.#offset = this.#buffer.writeBigInt64BE(
      typeof value === 'bigint' ? value : BigInt(value),
      this.#offset,
    );
    return this;
  }

  int4(value: number): this {
    this.#field(4);
    this.#offset = this.#buffer.writeInt32BE(value, this.#offset);
    return this;
  }

  int2(value: number): this {
    this.#field(2);
    this.#offset = this.#buffer.writeInt16BE(value, this.#offset);
    return this;
  }

  float8(value: number): this {
    this.#field(8);
    this.#offset = this.#buffer.writeDoubleBE(value, this.#offset);
    return this;
  }

  bool(value: boolean): this {
    this.#field(1);
    this.#offset = this.#buffer.writeUInt8(value ? 1 : 0, this.#offset);
    return this;
  }

  /** A UUID as its canonical text (the 16 bytes it stands for are written). */
  uuid(value: string): this {
    if (value !== this.#uuidText) {
      this.#uuidText = '';
      if (this.#uuidBytes.write(value.replaceAll('-', ''), 'hex') !== 16) {
        throw new Error(`binary COPY: "${value}" is not a UUID`);
      }
      this.#uuidText = value;
    }
    this.#field(16);
    this.#offset += this.#uuidBytes.copy(this.#buffer, this.#offset);
    return this;
  }

  /** The buffer's part of the COPY stream, with the trailer when it is the last. */
  finish(): Buffer {
    const end = this.#part.last ? this.#buffer.writeInt16BE(-1, this.#offset) : this.#offset;
    if (end !== this.#buffer.length) {
      throw new Error(
        `binary COPY: ${String(this.#buffer.length - end)} bytes left unwritten; a row or a field is missing`,
      );
    }
    return this.#buffer;
  }

  #field(width: number): void {
    this.#offset = this.#buffer.writeInt32BE(width, this.#offset);
  }
}

/** Rows per slice of a big COPY stream: small enough that a slice never holds the event loop for long. */
export const ROWS_PER_SLICE = 1_000;

/**
 * The COPY stream of `rowCount` rows, encoded ROWS_PER_SLICE rows at a time with the
 * event loop served between slices: a Stratum process storing 10,000 shares at once
 * would hold every miner's reply for the ~10 ms the encoding takes.
 */
export async function* binaryCopySlices(
  columns: readonly CopyColumn[],
  rowCount: number,
  writeRow: (rows: BinaryCopyBuffer, index: number) => void,
): AsyncGenerator<Buffer> {
  for (let start = 0; start === 0 || start < rowCount; start += ROWS_PER_SLICE) {
    if (start > 0) {
      await setImmediate(); // the event loop serves what waits (Stratum sockets) first
    }
    const end = Math.min(rowCount, start + ROWS_PER_SLICE);
    const rows = new BinaryCopyBuffer(columns, end - start, { first: start === 0, last: end === rowCount });
    for (let index = start; index < end; index++) {
      writeRow(rows.row(), index);
    }
    yield rows.finish();
  }
}

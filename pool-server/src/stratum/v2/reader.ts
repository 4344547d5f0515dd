/**
 * The reading side shared by the Stratum V2 codecs: a bounds-checked cursor, and the
 * decode errors, which are values at every boundary of this folder (`catchDecode`).
 */

/** What went wrong with a peer's bytes; `field` is the spec's name, dotted from the message. */
export type Sv2DecodeErrorKind =
  | 'truncated'
  | 'length-over-bound'
  | 'invalid-option-length'
  | 'invalid-utf8'
  | 'trailing-bytes'
  | 'unknown-message-type'
  | 'unknown-extension'
  | 'frame-too-large';

export interface Sv2DecodeError {
  readonly kind: Sv2DecodeErrorKind;
  readonly field: string;
  /** The length (or byte count) found; for `truncated`, the bytes needed. */
  readonly length?: number;
  /** The bound it broke; for `truncated`, the bytes that were left. */
  readonly max?: number;
  readonly message: string;
}

/** Thrown inside a decode and caught at the decode's boundary; never escapes this folder. */
export class Sv2DecodeFailure extends Error {
  readonly detail: Sv2DecodeError;

  constructor(detail: Sv2DecodeError) {
    super(detail.message);
    this.name = 'Sv2DecodeFailure';
    this.detail = detail;
  }
}

/** A value that its Stratum V2 type cannot carry: a bug of the code that built the message. */
export class Sv2EncodeError extends RangeError {
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'Sv2EncodeError';
    this.field = field;
  }
}

export function decodeFailure(
  kind: Sv2DecodeErrorKind,
  field: string,
  message: string,
  length?: number,
  max?: number,
): Sv2DecodeFailure {
  return new Sv2DecodeFailure({
    kind,
    field,
    message: `${field}: ${message}`,
    ...(length === undefined ? {} : { length }),
    ...(max === undefined ? {} : { max }),
  });
}

/** A cursor over one buffer; `take` is the only way bytes leave it, and it checks the end. */
export class Reader {
  readonly #bytes: Buffer;
  #offset: number;

  constructor(bytes: Buffer, offset = 0) {
    this.#bytes = bytes;
    this.#offset = offset;
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  /** The next `count` bytes as a view into the buffer. */
  take(count: number, field: string, typeName: string): Buffer {
    if (count > this.remaining) {
      throw decodeFailure(
        'truncated',
        field,
        `${typeName} needs ${String(count)} bytes, ${String(this.remaining)} left`,
        count,
        this.remaining,
      );
    }
    const view = this.#bytes.subarray(this.#offset, this.#offset + count);
    this.#offset += count;
    return view;
  }
}

export type DecodeResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Sv2DecodeError };

export function expectEnd(reader: Reader, field: string): void {
  if (reader.remaining !== 0) {
    throw decodeFailure(
      'trailing-bytes',
      field,
      `${String(reader.remaining)} bytes left after the last field`,
      reader.remaining,
      0,
    );
  }
}

/** Runs a decode, turning its failure into a value; anything else thrown is a bug and rethrown. */
export function catchDecode<T>(decode: () => T): DecodeResult<T> {
  try {
    return { ok: true, value: decode() };
  } catch (error) {
    if (error instanceof Sv2DecodeFailure) {
      return { ok: false, error: error.detail };
    }
    throw error;
  }
}

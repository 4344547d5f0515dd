import { DlmsError } from './dlms-error.ts';

/**
 * The A-XDR encoding of COSEM `Data` (DLMS UA Green Book, "Data" CHOICE): one tag byte
 * naming the type, then the value, big-endian; arrays and structures carry their element
 * count as an A-XDR length. Decoding is bounded: a reply from the wire may claim any
 * length or nest without end, and neither may cost more than the bytes that came.
 */

export type CosemData =
  | { readonly type: 'null' }
  | { readonly type: 'integer'; readonly tag: number; readonly value: bigint }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'octets'; readonly tag: number; readonly value: Buffer }
  | { readonly type: 'sequence'; readonly tag: number; readonly items: readonly CosemData[] };

export const DATA_TAG = {
  null: 0x00,
  array: 0x01,
  structure: 0x02,
  boolean: 0x03,
  bitString: 0x04,
  doubleLong: 0x05,
  doubleLongUnsigned: 0x06,
  octetString: 0x09,
  visibleString: 0x0a,
  utf8String: 0x0c,
  integer: 0x0f,
  long: 0x10,
  unsigned: 0x11,
  longUnsigned: 0x12,
  long64: 0x14,
  long64Unsigned: 0x15,
  enum: 0x16,
  float32: 0x17,
  float64: 0x18,
} as const;

/** Fixed-size integer types: byte count and whether signed. */
const INTEGERS: ReadonlyMap<number, { bytes: 1 | 2 | 4 | 8; signed: boolean }> = new Map([
  [DATA_TAG.doubleLong, { bytes: 4, signed: true }],
  [DATA_TAG.doubleLongUnsigned, { bytes: 4, signed: false }],
  [DATA_TAG.integer, { bytes: 1, signed: true }],
  [DATA_TAG.long, { bytes: 2, signed: true }],
  [DATA_TAG.unsigned, { bytes: 1, signed: false }],
  [DATA_TAG.longUnsigned, { bytes: 2, signed: false }],
  [DATA_TAG.long64, { bytes: 8, signed: true }],
  [DATA_TAG.long64Unsigned, { bytes: 8, signed: false }],
  [DATA_TAG.enum, { bytes: 1, signed: false }],
]);

/** No register's value or scaler_unit nests deeper than this. */
const MAX_DEPTH = 4;

export class AxdrReader {
  #offset = 0;

  constructor(private readonly bytes: Buffer) {}

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.bytes.length - this.#offset;
  }

  take(count: number, what: string): Buffer {
    if (count > this.remaining) {
      throw new DlmsError(
        'garbled',
        `${what}: ${String(count)} bytes announced, ${String(this.remaining)} left in the reply`,
      );
    }
    const taken = this.bytes.subarray(this.#offset, this.#offset + count);
    this.#offset += count;
    return taken;
  }

  byte(what: string): number {
    return this.take(1, what)[0] ?? 0;
  }

  /** An A-XDR length: one byte below 0x80, else 0x8n and n big-endian bytes. */
  length(what: string): number {
    const first = this.byte(what);
    if (first < 0x80) {
      return first;
    }
    const size = first & 0x7f;
    if (size === 0 || size > 2) {
      throw new DlmsError('garbled', `${what}: a length of ${String(size)} bytes is not one a meter sends`);
    }
    return this.take(size, what).readUIntBE(0, size);
  }

  data(depth = 0): CosemData {
    if (depth > MAX_DEPTH) {
      throw new DlmsError('garbled', `data nested deeper than ${String(MAX_DEPTH)} levels`);
    }
    const tag = this.byte('data type');
    const integer = INTEGERS.get(tag);
    if (integer) {
      const raw = this.take(integer.bytes, `data type ${hex(tag)}`);
      const value = integer.signed
        ? BigInt.asIntN(integer.bytes * 8, BigInt(`0x${raw.toString('hex')}`))
        : BigInt(`0x${raw.toString('hex')}`);
      return { type: 'integer', tag, value };
    }
    switch (tag) {
      case DATA_TAG.null:
        return { type: 'null' };
      case DATA_TAG.boolean:
        return { type: 'boolean', value: this.byte('boolean') !== 0 };
      case DATA_TAG.float32:
        return { type: 'float', value: this.take(4, 'float32').readFloatBE(0) };
      case DATA_TAG.float64:
        return { type: 'float', value: this.take(8, 'float64').readDoubleBE(0) };
      case DATA_TAG.octetString:
      case DATA_TAG.visibleString:
      case DATA_TAG.utf8String:
        return { type: 'octets', tag, value: this.take(this.length('string length'), 'string') };
      case DATA_TAG.bitString:
        return { type: 'octets', tag, value: this.take(Math.ceil(this.length('bit count') / 8), 'bits') };
      case DATA_TAG.array:
      case DATA_TAG.structure: {
        const count = this.length('element count');
        // Every element takes at least one byte: a count beyond the bytes left is a lie.
        if (count > this.remaining) {
          throw new DlmsError(
            'garbled',
            `${String(count)} elements announced, ${String(this.remaining)} bytes left`,
          );
        }
        const items: CosemData[] = [];
        for (let i = 0; i < count; i++) {
          items.push(this.data(depth + 1));
        }
        return { type: 'sequence', tag, items };
      }
      default:
        throw new DlmsError('garbled', `data type ${hex(tag)} is not one a register holds`);
    }
  }
}

/** Decodes one whole `Data`; bytes after it are an error. */
export function decodeData(bytes: Buffer): CosemData {
  const reader = new AxdrReader(bytes);
  const data = reader.data();
  if (reader.remaining !== 0) {
    throw new DlmsError('garbled', `${String(reader.remaining)} bytes after the data`);
  }
  return data;
}

/** The number a register's value holds; integers beyond 2^53 are refused rather than rounded. */
export function numberOf(data: CosemData, what: string): number {
  if (data.type === 'float') {
    if (!Number.isFinite(data.value)) {
      throw new DlmsError('value', `${what} is ${String(data.value)}`);
    }
    return data.value;
  }
  if (data.type === 'integer' && data.tag !== DATA_TAG.enum) {
    if (data.value > BigInt(Number.MAX_SAFE_INTEGER) || data.value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new DlmsError('value', `${what} ${data.value.toString()} is beyond what is counted exactly`);
    }
    return Number(data.value);
  }
  throw new DlmsError('value', `${what} is ${describeData(data)}, not a number`);
}

export function describeData(data: CosemData): string {
  switch (data.type) {
    case 'null':
      return 'null-data';
    case 'sequence':
      return `${data.tag === DATA_TAG.array ? 'an array' : 'a structure'} of ${String(data.items.length)}`;
    case 'octets':
      return `a string (type ${hex(data.tag)})`;
    default:
      return `${data.type} ${String(data.value)}`;
  }
}

export function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}

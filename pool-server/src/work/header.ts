/**
 * The 80-byte block header. Every integer is little-endian and both hashes are in
 * internal byte order: version | prevhash | merkle root | ntime | nbits | nonce.
 */
export const HEADER_SIZE = 80;

export interface HeaderFields {
  readonly version: number;
  readonly prevhashInternal: Uint8Array;
  readonly merkleRootInternal: Uint8Array;
  readonly ntime: number;
  readonly bits: number;
  readonly nonce: number;
}

export function writeHeader(target: Buffer, fields: HeaderFields): Buffer {
  if (target.length < HEADER_SIZE) {
    throw new RangeError('a block header needs 80 bytes');
  }
  target.writeUInt32LE(fields.version >>> 0, 0);
  target.set(fields.prevhashInternal, 4);
  target.set(fields.merkleRootInternal, 36);
  target.writeUInt32LE(fields.ntime >>> 0, 68);
  target.writeUInt32LE(fields.bits >>> 0, 72);
  target.writeUInt32LE(fields.nonce >>> 0, 76);
  return target;
}

export function parseHeader(header: Uint8Array): HeaderFields {
  if (header.length !== HEADER_SIZE) {
    throw new RangeError(`a block header is 80 bytes, got ${String(header.length)}`);
  }
  const view = Buffer.from(header.buffer, header.byteOffset, header.byteLength);
  return {
    version: view.readUInt32LE(0),
    prevhashInternal: view.subarray(4, 36),
    merkleRootInternal: view.subarray(36, 68),
    ntime: view.readUInt32LE(68),
    bits: view.readUInt32LE(72),
    nonce: view.readUInt32LE(76),
  };
}

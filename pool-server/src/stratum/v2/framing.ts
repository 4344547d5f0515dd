/**
 * [sv2 3.2] Plaintext framing: a 6-byte header (extension_type U16 whose top bit is
 * channel_msg, msg_type U8, msg_length U24) and msg_length bytes of payload.
 *
 * The Noise layer encrypts the header and the payload as separate AEAD messages (a 22-byte
 * header ciphertext, then the payload in chunks: 04-Protocol-Security.md), so it decrypts the
 * header, calls `readFrameHeader` and `frameLengthError`, and only then reads the payload.
 * Unencrypted streams (tests, a loopback proxy) use `FrameDecoder` for the same checks.
 */
import { decodeFailure, type Sv2DecodeError } from './reader.ts';

export const FRAME_HEADER_BYTES = 6;
/** [sv2 3.2] msg_length is a U24. */
export const MAX_FRAME_PAYLOAD_BYTES = 0xff_ffff;
const CHANNEL_MSG_BIT = 0x8000;

/**
 * The largest payload a Mining-protocol peer needs: SetCustomMiningJob at its bounds is
 * 4+4+256+4+32+4+4+4+256+4+65537+4+(1+255·32) = 74 274 bytes. Job Declaration servers,
 * which receive whole transactions, pass a larger limit.
 */
export const DEFAULT_MAX_FRAME_PAYLOAD_BYTES = 128 * 1024;

/**
 * The largest payload the Job Declaration Server takes: ProvideMissingTransactions.Success
 * may carry a whole block's transactions, at most 4 000 000 bytes under [BIP141]'s weight
 * limit, each with its 3-byte length; a DeclareMiningJob's wtxid list is at most 2 MiB.
 */
export const JOB_DECLARATION_MAX_FRAME_PAYLOAD_BYTES = 4 * 1024 * 1024 + 128 * 1024;

export interface FrameHeader {
  /** extension_type without the channel_msg bit; 0 for the protocols of the specification. */
  readonly extensionType: number;
  readonly channelMsg: boolean;
  readonly msgType: number;
  readonly msgLength: number;
}

export interface Frame {
  readonly header: FrameHeader;
  readonly payload: Buffer;
}

/** Reads the header at `offset`; the caller has made sure 6 bytes are there. */
export function readFrameHeader(bytes: Buffer, offset = 0): FrameHeader {
  if (bytes.length - offset < FRAME_HEADER_BYTES) {
    throw new RangeError(`a frame header is ${String(FRAME_HEADER_BYTES)} bytes`);
  }
  const extension = bytes.readUInt16LE(offset);
  return {
    extensionType: extension & ~CHANNEL_MSG_BIT,
    channelMsg: (extension & CHANNEL_MSG_BIT) !== 0,
    msgType: bytes.readUInt8(offset + 2),
    msgLength: bytes.readUIntLE(offset + 3, 3),
  };
}

export function writeFrameHeader(header: FrameHeader, target: Buffer, offset = 0): number {
  if (
    !Number.isInteger(header.extensionType) ||
    header.extensionType < 0 ||
    header.extensionType > 0x7fff ||
    !Number.isInteger(header.msgType) ||
    header.msgType < 0 ||
    header.msgType > 0xff ||
    !Number.isInteger(header.msgLength) ||
    header.msgLength < 0 ||
    header.msgLength > MAX_FRAME_PAYLOAD_BYTES
  ) {
    throw new RangeError(
      `frame header out of range: extension ${String(header.extensionType)}, type ${String(header.msgType)}, length ${String(header.msgLength)}`,
    );
  }
  target.writeUInt16LE(header.extensionType | (header.channelMsg ? CHANNEL_MSG_BIT : 0), offset);
  target.writeUInt8(header.msgType, offset + 2);
  return target.writeUIntLE(header.msgLength, offset + 3, 3);
}

/** The error for a header announcing more than `maxPayloadBytes`, checked before any byte of it is kept. */
export function frameLengthError(header: FrameHeader, maxPayloadBytes: number): Sv2DecodeError | undefined {
  if (header.msgLength <= maxPayloadBytes) {
    return undefined;
  }
  return decodeFailure(
    'frame-too-large',
    'msg_length',
    `frame of ${String(header.msgLength)} bytes (msg_type 0x${header.msgType.toString(16)}) is over the ${String(maxPayloadBytes)}-byte limit`,
    header.msgLength,
    maxPayloadBytes,
  ).detail;
}

export type FramePushResult = { readonly ok: true } | { readonly ok: false; readonly error: Sv2DecodeError };

/**
 * Bytes in, whole frames out, no socket. Each byte is copied once: into the header, or into
 * the parts of the current payload, which are joined once when the payload is complete. A
 * header announcing more than the limit fails the decoder before its payload is buffered;
 * after a failure the connection is to be closed, and the decoder refuses further input.
 */
export class FrameDecoder {
  readonly #maxPayloadBytes: number;
  readonly #header = Buffer.alloc(FRAME_HEADER_BYTES);
  #headerFill = 0;
  #current: FrameHeader | undefined;
  #parts: Buffer[] = [];
  #received = 0;
  #failure: Sv2DecodeError | undefined;

  constructor(maxPayloadBytes = DEFAULT_MAX_FRAME_PAYLOAD_BYTES) {
    if (
      !Number.isInteger(maxPayloadBytes) ||
      maxPayloadBytes < 0 ||
      maxPayloadBytes > MAX_FRAME_PAYLOAD_BYTES
    ) {
      throw new RangeError(`maxPayloadBytes must be 0-${String(MAX_FRAME_PAYLOAD_BYTES)}`);
    }
    this.#maxPayloadBytes = maxPayloadBytes;
  }

  /** Bytes held for a frame not yet complete, its header included. */
  get pendingBytes(): number {
    return (this.#current ? FRAME_HEADER_BYTES : this.#headerFill) + this.#received;
  }

  /** Feeds a chunk, calling onFrame for each complete frame, in order, before it returns. */
  push(chunk: Buffer, onFrame: (frame: Frame) => void): FramePushResult {
    if (this.#failure) {
      return { ok: false, error: this.#failure };
    }
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.#current) {
        const take = Math.min(FRAME_HEADER_BYTES - this.#headerFill, chunk.length - offset);
        chunk.copy(this.#header, this.#headerFill, offset, offset + take);
        this.#headerFill += take;
        offset += take;
        if (this.#headerFill < FRAME_HEADER_BYTES) {
          break;
        }
        const header = readFrameHeader(this.#header);
        const tooLarge = frameLengthError(header, this.#maxPayloadBytes);
        if (tooLarge) {
          this.#failure = tooLarge;
          this.#headerFill = 0;
          return { ok: false, error: tooLarge };
        }
        this.#current = header;
        this.#headerFill = 0;
      }
      const header = this.#current;
      const take = Math.min(header.msgLength - this.#received, chunk.length - offset);
      if (take > 0) {
        // Copied: the socket may reuse the chunk's memory once this returns.
        this.#parts.push(Buffer.from(chunk.subarray(offset, offset + take)));
        this.#received += take;
        offset += take;
      }
      if (this.#received === header.msgLength) {
        const payload =
          this.#parts.length === 1 ? (this.#parts[0] as Buffer) : Buffer.concat(this.#parts, this.#received);
        this.#current = undefined;
        this.#parts = [];
        this.#received = 0;
        onFrame({ header, payload });
      }
    }
    return { ok: true };
  }
}

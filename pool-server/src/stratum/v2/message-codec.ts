/**
 * Typed messages to frames and back, driven by the table in `message-table.ts`.
 *
 * `decodeMessage` never throws on a peer's bytes: an unknown message, a truncated or
 * over-long field, bad UTF-8 in a STR0_255 or bytes left after the last field come back as
 * a `Sv2DecodeError`. A message of a non-zero extension_type is `unknown-extension`: the
 * spec [sv2 3.4] has the receiver discard it when it is addressed to the connection's
 * endpoint, so the caller can tell it from garbage.
 */
import {
  catchDecode,
  decodeFailure,
  expectEnd,
  Reader,
  Sv2EncodeError,
  type DecodeResult,
} from './reader.ts';
import {
  FRAME_HEADER_BYTES,
  MAX_FRAME_PAYLOAD_BYTES,
  writeFrameHeader,
  type FrameHeader,
} from './framing.ts';
import { MESSAGE_SPECS, type MessageName, type MessageSpec, type Sv2Message } from './message-table.ts';

const SPEC_BY_TYPE = new Map<number, readonly [MessageName, MessageSpec]>(
  Object.entries(MESSAGE_SPECS).map(([name, spec]) => [spec.msgType, [name as MessageName, spec]] as const),
);

function specOf(type: MessageName): MessageSpec {
  const spec: MessageSpec | undefined = (MESSAGE_SPECS as Partial<Record<string, MessageSpec>>)[type];
  if (!spec) {
    throw new Sv2EncodeError('type', `unknown message type ${type}`);
  }
  return spec;
}

/** The payload of a message, without the frame header. */
export function encodePayload(message: Sv2Message): Buffer {
  const spec = specOf(message.type);
  // By field name; the table's codecs check each value's type as they size it.
  const values: Readonly<Record<string, unknown>> = message;
  let size = 0;
  for (const [name, codec] of spec.fields) {
    size += codec.byteLength(values[name], `${message.type}.${name}`);
  }
  if (size > MAX_FRAME_PAYLOAD_BYTES) {
    throw new Sv2EncodeError(
      message.type,
      `payload of ${String(size)} bytes does not fit a frame (U24 length)`,
    );
  }
  const payload = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const [name, codec] of spec.fields) {
    offset = codec.write(values[name], payload, offset);
  }
  return payload;
}

/** The frame header a message is sent with. */
export function headerFor(type: MessageName, msgLength: number): FrameHeader {
  const spec = specOf(type);
  return { extensionType: 0, channelMsg: spec.channelMsg, msgType: spec.msgType, msgLength };
}

/** A whole plaintext frame: header then payload, in one buffer. */
export function encodeFrame(message: Sv2Message): Buffer {
  const payload = encodePayload(message);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(headerFor(message.type, payload.length), frame);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

/** Decodes the payload of a frame whose header was read; never throws on the peer's bytes. */
export function decodeMessage(header: FrameHeader, payload: Buffer): DecodeResult<Sv2Message> {
  return catchDecode(() => {
    if (header.extensionType !== 0) {
      throw decodeFailure(
        'unknown-extension',
        'extension_type',
        `extension 0x${header.extensionType.toString(16)} (msg_type 0x${header.msgType.toString(16)}) is not supported`,
      );
    }
    const entry = SPEC_BY_TYPE.get(header.msgType);
    if (!entry) {
      throw decodeFailure(
        'unknown-message-type',
        'msg_type',
        `unknown message type 0x${header.msgType.toString(16)}`,
      );
    }
    const [type, spec] = entry;
    const reader = new Reader(payload);
    const message: Record<string, unknown> = { type };
    for (const [name, codec] of spec.fields) {
      message[name] = codec.read(reader, `${type}.${name}`);
    }
    expectEnd(reader, type);
    // The loop above filled every field the table gives this type, each with its codec's value.
    return message as Sv2Message;
  });
}

/** Narrows a decoded message to one type. */
export function isMessage<N extends MessageName>(
  message: Sv2Message,
  type: N,
): message is Extract<Sv2Message, { readonly type: N }> {
  return message.type === type;
}

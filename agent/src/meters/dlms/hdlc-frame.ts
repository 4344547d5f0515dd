import { DlmsError } from './dlms-error.ts';

/**
 * HDLC frames as DLMS/COSEM uses them over a serial line (IEC 62056-46, Green Book
 * "The data link layer using the HDLC protocol"): frame format type 3 between 0x7E flags,
 * an 11-bit length, extended addresses, one control byte, a header check sequence when
 * there is an information field, and a frame check sequence over the whole frame.
 * Pure: bytes in, frames out.
 */

export const FLAG = 0x7e;
/** [IEC 62056-46, frame format type 3] the format field: type 3 in the top nibble, then the segmentation bit, then the length. */
const FORMAT_TYPE_3 = 0xa000;
const SEGMENTATION_BIT = 0x0800;
const LENGTH_MASK = 0x07ff;

/** LLC headers [Green Book, LLC sublayer]: destination LSAP 0xE6, source 0xE6 (command) or 0xE7 (response), quality 0. */
export const LLC_REQUEST = Buffer.of(0xe6, 0xe6, 0x00);
export const LLC_RESPONSE = Buffer.of(0xe6, 0xe7, 0x00);

/** [IEC 62056-46, control field] values with the poll/final bit set, as this client sends and expects them. */
export const CONTROL = {
  snrm: 0x93,
  disc: 0x53,
  ua: 0x73,
  dm: 0x1f,
  frmr: 0x97,
} as const;
const POLL_FINAL = 0x10;

/**
 * CRC-16/X.25 (the HDLC FCS of ISO/IEC 13239): reflected polynomial 0x1021 (0x8408),
 * initial 0xFFFF, complemented at the end; sent low byte first. Check value: 0x906E.
 */
export function crc16X25(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) {
      crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
    }
  }
  return ~crc & 0xffff;
}

function withCrc(bytes: Buffer): Buffer {
  const crc = crc16X25(bytes);
  return Buffer.concat([bytes, Buffer.of(crc & 0xff, crc >> 8)]);
}

/**
 * [IEC 62056-46, addressing] an address: 7 bits per byte, high part first, the low bit of each
 * byte 0 except on the last. A server address is the upper HDLC address (the logical
 * device) alone in one byte, or upper and lower (the physical device) in 2 or 4 bytes.
 */
export function serverAddress(upper: number, lower: number | undefined, bytes: 1 | 2 | 4): Buffer {
  if (bytes === 1) {
    return Buffer.of(((upper & 0x7f) << 1) | 1);
  }
  const lowerValue = lower ?? 0;
  if (bytes === 2) {
    return Buffer.of((upper & 0x7f) << 1, ((lowerValue & 0x7f) << 1) | 1);
  }
  return Buffer.of(
    (upper >> 7) << 1,
    (upper & 0x7f) << 1,
    (lowerValue >> 7) << 1,
    ((lowerValue & 0x7f) << 1) | 1,
  );
}

/** The client's address: its SAP in one byte. */
export function clientAddress(sap: number): Buffer {
  return Buffer.of(((sap & 0x7f) << 1) | 1);
}

/** I frame [IEC 62056-46, control field]: N(R), poll, N(S). */
export function informationControl(sendSequence: number, receiveSequence: number): number {
  return (receiveSequence << 5) | POLL_FINAL | (sendSequence << 1);
}

/** RR [IEC 62056-46, control field]: N(R) and poll: "I have what came before N(R), send on". */
export function receiveReadyControl(receiveSequence: number): number {
  return (receiveSequence << 5) | POLL_FINAL | 0x01;
}

export interface HdlcFrame {
  readonly segmented: boolean;
  readonly destination: Buffer;
  readonly source: Buffer;
  readonly control: number;
  /** The information field; empty in frames that have none. */
  readonly info: Buffer;
}

export function encodeFrame(frame: HdlcFrame): Buffer {
  const hasInfo = frame.info.length > 0;
  const headerBytes = 2 + frame.destination.length + frame.source.length + 1;
  // The length counts every byte between the flags: format, addresses, control, HCS, info, FCS.
  const length = headerBytes + (hasInfo ? 2 + frame.info.length : 0) + 2;
  const format = FORMAT_TYPE_3 | (frame.segmented ? SEGMENTATION_BIT : 0) | length;
  const header = Buffer.concat([
    Buffer.of(format >> 8, format & 0xff),
    frame.destination,
    frame.source,
    Buffer.of(frame.control),
  ]);
  const body = withCrc(hasInfo ? Buffer.concat([withCrc(header), frame.info]) : header);
  return Buffer.concat([Buffer.of(FLAG), body, Buffer.of(FLAG)]);
}

/**
 * True once a whole frame has come; throws as soon as the bytes show it never will be one
 * this client takes: no opening flag, another frame format, a length over `maxFrameBytes`.
 */
export function frameComplete(received: Buffer, maxFrameBytes: number): boolean {
  if (received.length === 0) {
    return false;
  }
  if (received[0] !== FLAG) {
    throw new DlmsError(
      'garbled',
      `the reply starts with 0x${received.subarray(0, 8).toString('hex')}, not the HDLC flag 7e`,
    );
  }
  if (received.length < 3) {
    return false;
  }
  const format = received.readUInt16BE(1);
  if ((format & 0xf000) !== FORMAT_TYPE_3) {
    throw new DlmsError('garbled', `frame format type ${String(format >> 12)}, not 3 (0xA)`);
  }
  const length = format & LENGTH_MASK;
  if (length + 2 > maxFrameBytes) {
    throw new DlmsError(
      'garbled',
      `a ${String(length)}-byte frame announced, over the ${String(maxFrameBytes - 2)} the link negotiated`,
    );
  }
  return received.length >= length + 2;
}

function readAddress(bytes: Buffer, at: number, what: string): Buffer {
  for (let end = at; end < bytes.length && end < at + 4; end += 1) {
    if (((bytes[end] ?? 0) & 1) === 1) {
      const size = end - at + 1;
      if (size === 3) {
        throw new DlmsError('garbled', `the ${what} address is 3 bytes long; HDLC addresses have 1, 2 or 4`);
      }
      return bytes.subarray(at, end + 1);
    }
  }
  throw new DlmsError('garbled', `the ${what} address does not end within 4 bytes`);
}

/** A whole frame, flags included, checked: closing flag, HCS and FCS. */
export function decodeFrame(bytes: Buffer): HdlcFrame {
  const format = bytes.readUInt16BE(1);
  const length = format & LENGTH_MASK;
  // Format, two one-byte addresses, control and FCS: no frame is shorter.
  if (length < 7) {
    throw new DlmsError('garbled', `a ${String(length)}-byte frame: too short to hold a header`);
  }
  if (bytes.length !== length + 2) {
    throw new DlmsError(
      'garbled',
      `${String(bytes.length - length - 2)} bytes after the frame: the meter sent more than one frame unasked`,
    );
  }
  if (bytes[length + 1] !== FLAG) {
    throw new DlmsError('garbled', `the ${String(length)}-byte frame does not end with the flag 7e`);
  }
  const body = bytes.subarray(1, length + 1);
  const fcs = crc16X25(body.subarray(0, -2));
  if (body.readUInt16LE(body.length - 2) !== fcs) {
    throw new DlmsError(
      'garbled',
      `frame check sequence ${body.readUInt16LE(body.length - 2).toString(16)}, the frame's bytes give ${fcs.toString(16)}: corrupted on the line`,
    );
  }
  const destination = readAddress(body, 2, 'destination');
  const source = readAddress(body, 2 + destination.length, 'source');
  const controlAt = 2 + destination.length + source.length;
  const control = body[controlAt];
  if (control === undefined || controlAt + 1 > body.length - 2) {
    throw new DlmsError('garbled', 'the frame ends before its control field');
  }
  let info: Buffer = Buffer.alloc(0);
  const infoAt = controlAt + 3;
  if (body.length - 2 > controlAt + 1) {
    if (infoAt > body.length - 2) {
      throw new DlmsError('garbled', 'the frame ends inside its header check sequence');
    }
    const hcs = crc16X25(body.subarray(0, controlAt + 1));
    if (body.readUInt16LE(controlAt + 1) !== hcs) {
      throw new DlmsError(
        'garbled',
        `header check sequence ${body.readUInt16LE(controlAt + 1).toString(16)}, the header gives ${hcs.toString(16)}: corrupted on the line`,
      );
    }
    info = body.subarray(infoAt, body.length - 2);
  }
  return { segmented: (format & SEGMENTATION_BIT) !== 0, destination, source, control, info };
}

/** What a control byte is, for error messages. */
export function describeControl(control: number): string {
  if ((control & 0x01) === 0) {
    return `an I frame (N(S) ${String((control >> 1) & 7)}, N(R) ${String(control >> 5)})`;
  }
  switch (control & 0xef) {
    case CONTROL.ua & 0xef:
      return 'UA';
    case CONTROL.dm & 0xef:
      return 'DM (disconnected mode)';
    case CONTROL.frmr & 0xef:
      return 'FRMR (frame reject)';
    case CONTROL.snrm & 0xef:
      return 'SNRM';
    case CONTROL.disc & 0xef:
      return 'DISC';
    default:
      break;
  }
  switch (control & 0x0f) {
    case 0x01:
      return `RR (N(R) ${String(control >> 5)})`;
    case 0x05:
      return `RNR (N(R) ${String(control >> 5)})`;
    default:
      return `control 0x${control.toString(16)}`;
  }
}

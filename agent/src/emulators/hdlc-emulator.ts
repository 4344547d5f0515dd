import type { Socket } from 'node:net';
import { cosemApplication, type CosemMeter } from './dlms-cosem-server.ts';

/**
 * The secondary station of an HDLC data link (IEC 62056-46; DLMS UA Green Book, "The data
 * link layer using the HDLC protocol"), as a meter on an RS-485 line or optical port
 * speaks it through a gateway that passes frames as they are: frame format type 3, the
 * station's own address (upper and lower HDLC address), SNRM/UA with the negotiation of
 * frame sizes and windows, I frames numbered modulo 8, segmentation both ways
 * acknowledged with RR, DISC. Written from the standard, not from the agent's reader:
 * its CRC is table-driven where the reader's is bitwise.
 */

export interface HdlcStation {
  /** The upper HDLC address: the logical device. */
  readonly upperAddress: number;
  /** The lower HDLC address: the physical device; undefined, the station answers a one-byte address. */
  readonly lowerAddress: number | undefined;
  /** The most information bytes the station sends and takes per frame, before negotiation lowers them. */
  readonly maxInfoTransmit: number;
  readonly maxInfoReceive: number;
}

const FLAG = 0x7e;
const LLC_COMMAND = [0xe6, 0xe6, 0x00];
const LLC_RESPONSE = Buffer.of(0xe6, 0xe7, 0x00);
/** [IEC 62056-46, control field] U frames with P/F set. */
const UA = 0x73;
const DM = 0x1f;
const FRMR = 0x97;

/** [ISO/IEC 13239 FCS; RFC 1662 C.2] the FCS-16 table: polynomial x^16 + x^12 + x^5 + 1, reflected. */
const FCS_TABLE = Uint16Array.from({ length: 256 }, (_, index) => {
  let value = index;
  for (let bit = 0; bit < 8; bit += 1) {
    value = value & 1 ? (value >>> 1) ^ 0x8408 : value >>> 1;
  }
  return value;
});

function fcs16(bytes: Uint8Array): number {
  let fcs = 0xffff;
  for (const byte of bytes) {
    fcs = (fcs >>> 8) ^ (FCS_TABLE[(fcs ^ byte) & 0xff] ?? 0);
  }
  return fcs ^ 0xffff;
}

function appendFcs(bytes: Buffer): Buffer {
  const fcs = fcs16(bytes);
  return Buffer.concat([bytes, Buffer.of(fcs & 0xff, (fcs >> 8) & 0xff)]);
}

/** Address bytes up to the one whose low bit is 1 [IEC 62056-46, addressing]. */
function takeAddress(bytes: Buffer, at: number): Buffer | undefined {
  for (let end = at; end < at + 4 && end < bytes.length; end += 1) {
    if (((bytes[end] ?? 0) & 1) === 1) {
      return bytes.subarray(at, end + 1);
    }
  }
  return undefined;
}

/** The station's upper and lower address in the bytes the client addressed it with. */
function addressed(address: Buffer, station: HdlcStation): boolean {
  const groups = [...address].map((byte) => byte >> 1);
  switch (groups.length) {
    case 1:
      return station.lowerAddress === undefined && groups[0] === station.upperAddress;
    case 2:
      return groups[0] === station.upperAddress && groups[1] === station.lowerAddress;
    case 4:
      return (
        ((groups[0] ?? 0) << 7) + (groups[1] ?? 0) === station.upperAddress &&
        ((groups[2] ?? 0) << 7) + (groups[3] ?? 0) === station.lowerAddress
      );
    default:
      return false;
  }
}

interface Received {
  readonly segmented: boolean;
  readonly destination: Buffer;
  readonly source: Buffer;
  readonly control: number;
  readonly info: Buffer;
}

/** The next frame in `pending`, from its opening flag; `rest` the bytes after it. Bad frames are dropped, as the standard says. */
function nextFrame(pending: Buffer): { frame?: Received; rest: Buffer } {
  let rest = pending;
  for (;;) {
    const start = rest.indexOf(FLAG);
    if (start < 0) {
      return { rest: Buffer.alloc(0) };
    }
    rest = rest.subarray(start);
    // Back-to-back flags: the closing flag of one frame, then the opening flag of the next.
    if (rest.length >= 2 && rest[1] === FLAG) {
      rest = rest.subarray(1);
      continue;
    }
    if (rest.length < 3) {
      return { rest };
    }
    const format = rest.readUInt16BE(1);
    const length = format & 0x7ff;
    if (rest.length < length + 2) {
      return { rest };
    }
    const body = rest.subarray(1, length + 1);
    const closed = rest[length + 1] === FLAG;
    const destination = takeAddress(body, 2);
    const source = destination && takeAddress(body, 2 + destination.length);
    const controlAt = 2 + (destination?.length ?? 0) + (source?.length ?? 0);
    const hasInfo = length - 2 > controlAt + 1;
    const checked = (end: number): boolean =>
      end + 2 <= body.length && fcs16(body.subarray(0, end)) === body.readUInt16LE(end);
    if (
      !closed ||
      format >> 12 !== 0xa ||
      !destination ||
      !source ||
      length < 7 ||
      !checked(length - 2) ||
      (hasInfo && !checked(controlAt + 1))
    ) {
      rest = rest.subarray(1);
      continue;
    }
    const frame: Received = {
      segmented: (format & 0x0800) !== 0,
      destination,
      source,
      control: body[controlAt] ?? 0,
      info: hasInfo ? body.subarray(controlAt + 3, length - 2) : Buffer.alloc(0),
    };
    return { frame, rest: rest.subarray(length + 2) };
  }
}

/** [IEC 62056-46, SNRM information field] the parameters an SNRM proposes, by id. */
function proposal(info: Buffer): Map<number, number> {
  const values = new Map<number, number>();
  for (let at = 3; at + 2 <= info.length;) {
    const size = info[at + 1] ?? 0;
    if (size < 1 || size > 4 || at + 2 + size > info.length) {
      break;
    }
    values.set(info[at] ?? 0, info.readUIntBE(at + 2, size));
    at += 2 + size;
  }
  return values;
}

export function serveHdlc(socket: Socket, meter: CosemMeter, station: HdlcStation): void {
  let pending: Buffer = Buffer.alloc(0);
  let connected = false;
  let sendSequence = 0;
  let receiveSequence = 0;
  let maxInfoTransmit = station.maxInfoTransmit;
  let maxInfoReceive = station.maxInfoReceive;
  let incoming: Buffer[] = [];
  let outgoing: Buffer[] = [];
  let answer = cosemApplication(meter);

  const send = (to: Received, control: number, info: Buffer, segmented = false): void => {
    if (meter.fault === 'silence') {
      return;
    }
    if (meter.fault === 'garbage') {
      socket.write(Buffer.from('\u00ff\u00fe#garbage#\u0000\u0081\r\n', 'latin1'));
      return;
    }
    const header = Buffer.concat([Buffer.alloc(2), to.source, to.destination, Buffer.of(control)]);
    const length = header.length + (info.length > 0 ? 2 + info.length : 0) + 2;
    header.writeUInt16BE(0xa000 | (segmented ? 0x0800 : 0) | length, 0);
    const withHcs = info.length > 0 ? appendFcs(header) : header;
    if (meter.fault === 'bad-hcs' && info.length > 0) {
      withHcs.writeUInt8((withHcs.at(-1) ?? 0) ^ 0x5a, withHcs.length - 1);
    }
    const frame = appendFcs(Buffer.concat([withHcs, info]));
    if (meter.fault === 'bad-fcs' && info.length > 0) {
      frame.writeUInt8((frame.at(-1) ?? 0) ^ 0x5a, frame.length - 1);
    }
    const bytes = Buffer.concat([Buffer.of(FLAG), frame, Buffer.of(FLAG)]);
    socket.write(meter.fault === 'truncated' ? bytes.subarray(0, bytes.length >> 1) : bytes);
  };
  const sendSegment = (to: Received): void => {
    const endless = meter.fault === 'endless';
    const segment = outgoing.shift() ?? Buffer.alloc(maxInfoTransmit, 0x55);
    const numbered = meter.fault === 'out-of-sequence' ? (sendSequence + 1) % 8 : sendSequence;
    send(to, (receiveSequence << 5) | 0x10 | (numbered << 1), segment, endless || outgoing.length > 0);
    sendSequence = (sendSequence + 1) % 8;
  };
  const uaParameters = (): Buffer => {
    const group = Buffer.alloc(20);
    group.writeUInt8(5, 0);
    group.writeUInt8(2, 1);
    group.writeUInt16BE(maxInfoTransmit, 2);
    group.writeUInt8(6, 4);
    group.writeUInt8(2, 5);
    group.writeUInt16BE(maxInfoReceive, 6);
    group.writeUInt8(7, 8);
    group.writeUInt8(4, 9);
    group.writeUInt32BE(1, 10);
    group.writeUInt8(8, 14);
    group.writeUInt8(4, 15);
    group.writeUInt32BE(1, 16);
    return Buffer.concat([Buffer.of(0x81, 0x80, group.length), group]);
  };

  const receive = (frame: Received): void => {
    const command = frame.control | 0x10;
    if (command === 0x93) {
      meter.heard.push('SNRM');
      if (meter.fault === 'dm') {
        send(frame, DM, Buffer.alloc(0));
        return;
      }
      const proposed = proposal(frame.info);
      // The client's receive limit bounds what the station sends, and the other way round.
      maxInfoTransmit = Math.min(station.maxInfoTransmit, proposed.get(6) ?? 128);
      maxInfoReceive = Math.min(station.maxInfoReceive, proposed.get(5) ?? 128);
      connected = true;
      sendSequence = 0;
      receiveSequence = 0;
      incoming = [];
      outgoing = [];
      answer = cosemApplication(meter);
      send(frame, UA, uaParameters());
      return;
    }
    if (command === 0x53) {
      meter.heard.push('DISC');
      send(frame, connected ? UA : DM, Buffer.alloc(0));
      connected = false;
      return;
    }
    if (!connected) {
      send(frame, DM, Buffer.alloc(0));
      return;
    }
    if ((frame.control & 0x01) === 0) {
      if (meter.fault === 'frmr') {
        send(frame, FRMR, Buffer.of(frame.control, (receiveSequence << 5) | (sendSequence << 1), 0x01));
        return;
      }
      if (((frame.control >> 1) & 7) !== receiveSequence || frame.info.length > maxInfoReceive) {
        return; // out of sequence or too long: dropped; the client's timer recovers
      }
      receiveSequence = (receiveSequence + 1) % 8;
      incoming.push(frame.info);
      if (frame.segmented) {
        meter.heard.push('segment');
        send(frame, (receiveSequence << 5) | 0x11, Buffer.alloc(0));
        return;
      }
      const message = Buffer.concat(incoming);
      incoming = [];
      if (!LLC_COMMAND.every((byte, i) => message[i] === byte)) {
        return;
      }
      const client = (frame.source[0] ?? 0) >> 1;
      const reply = answer(client, message.subarray(LLC_COMMAND.length));
      if (reply === 'hang-up') {
        socket.destroy();
        return;
      }
      if (reply) {
        const whole = Buffer.concat([LLC_RESPONSE, reply]);
        outgoing = [];
        for (let at = 0; at < whole.length; at += maxInfoTransmit) {
          outgoing.push(whole.subarray(at, at + maxInfoTransmit));
        }
        sendSegment(frame);
      }
      return;
    }
    if ((frame.control & 0x0f) === 0x01) {
      meter.heard.push('RR');
      if (outgoing.length > 0 || meter.fault === 'endless') {
        sendSegment(frame);
      } else {
        send(frame, (receiveSequence << 5) | 0x11, Buffer.alloc(0));
      }
    }
  };

  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      const { frame, rest } = nextFrame(pending);
      pending = rest;
      if (!frame) {
        return;
      }
      if (addressed(frame.destination, station) && frame.source.length === 1) {
        receive(frame);
      }
    }
  });
}

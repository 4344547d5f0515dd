import type { GatewayLink } from '../gateway-link.ts';
import { MAX_RECEIVE_PDU_BYTES } from './apdu.ts';
import { DlmsError } from './dlms-error.ts';
import {
  clientAddress,
  CONTROL,
  decodeFrame,
  describeControl,
  encodeFrame,
  frameComplete,
  type HdlcFrame,
  informationControl,
  LLC_REQUEST,
  LLC_RESPONSE,
  receiveReadyControl,
  serverAddress,
} from './hdlc-frame.ts';
import type { CosemTransport } from './transport.ts';

/**
 * The client (primary station) of the HDLC data link that carries COSEM APDUs over a
 * meter's RS-485 line or optical port, through a gateway that passes raw frames
 * (IEC 62056-46; Green Book, "The data link layer using the HDLC protocol"): SNRM/UA with
 * the negotiation of frame sizes and windows, I frames numbered modulo 8, long messages
 * cut into segments each side acknowledges with RR, and DISC at the end.
 */

export interface HdlcAddressing {
  /** The client SAP (16 the public client). */
  readonly client: number;
  /** The upper HDLC address: the logical device (1 the management logical device). */
  readonly server: number;
  /** The lower HDLC address: the physical device on a multi-drop line; undefined with a one-byte address. */
  readonly physicalAddress: number | undefined;
  /** How many bytes the meter expects its address in; fixed by the meter, not negotiated. */
  readonly serverAddressBytes: 1 | 2 | 4;
}

/** The largest information field the agent offers to take per frame (bytes). */
const MAX_INFO_RECEIVE = 256;
/** The largest it sends unless the meter takes less (bytes). */
const MAX_INFO_TRANSMIT = 128;
/** [IEC 62056-46, SNRM and UA information field] the values that hold when a UA carries no parameters. */
const DEFAULT_INFO_BYTES = 128;
/** Frames the agent takes before acknowledging: one, so it can check each in turn. */
const WINDOW = 1;
/** Flags, format, a 4-byte and a 1-byte address, control, HCS and FCS. */
const FRAME_OVERHEAD_BYTES = 2 + 2 + 4 + 1 + 1 + 2 + 2;
/** The 11-bit length less the overhead. */
const MAX_INFO_BYTES = 2030;

/** [IEC 62056-46, SNRM and UA information field] negotiation parameters: format 0x81, group 0x80, then id, length, value. */
const PARAMETER = { infoTransmit: 5, infoReceive: 6, windowTransmit: 7, windowReceive: 8 } as const;

function negotiation(): Buffer {
  const parameter = (id: number, value: number, bytes: number): Buffer => {
    const field = Buffer.alloc(2 + bytes);
    field[0] = id;
    field[1] = bytes;
    field.writeUIntBE(value, 2, bytes);
    return field;
  };
  const group = Buffer.concat([
    parameter(PARAMETER.infoTransmit, MAX_INFO_TRANSMIT, 2),
    parameter(PARAMETER.infoReceive, MAX_INFO_RECEIVE, 2),
    parameter(PARAMETER.windowTransmit, WINDOW, 4),
    parameter(PARAMETER.windowReceive, WINDOW, 4),
  ]);
  return Buffer.concat([Buffer.of(0x81, 0x80, group.length), group]);
}

/** The UA's parameters, as the meter sees them: its transmit is the agent's receive. */
function parseUa(info: Buffer): Map<number, number> {
  const values = new Map<number, number>();
  if (info.length === 0) {
    return values;
  }
  if (info[0] !== 0x81 || info[1] !== 0x80 || info[2] !== info.length - 3) {
    throw new DlmsError(
      'garbled',
      `the UA's parameters start ${info.subarray(0, 3).toString('hex')}, not 81 80 and their length`,
    );
  }
  for (let at = 3; at < info.length;) {
    const id = info[at] ?? 0;
    const bytes = info[at + 1] ?? 0;
    if (![1, 2, 4].includes(bytes) || at + 2 + bytes > info.length) {
      throw new DlmsError('garbled', `the UA's parameter ${String(id)} has a ${String(bytes)}-byte value`);
    }
    values.set(id, info.readUIntBE(at + 2, bytes));
    at += 2 + bytes;
  }
  return values;
}

export async function openHdlc(
  link: GatewayLink,
  addressing: HdlcAddressing,
  deadline: number,
): Promise<CosemTransport> {
  const session = new HdlcSession(link, addressing);
  await session.connect(deadline);
  return session;
}

class HdlcSession implements CosemTransport {
  readonly #link: GatewayLink;
  readonly #server: Buffer;
  readonly #client: Buffer;
  /** V(S) and V(R) [IEC 62056-46, sequence numbers]: the next I frame's number each way, modulo 8. */
  #sendSequence = 0;
  #receiveSequence = 0;
  #maxInfoTransmit = DEFAULT_INFO_BYTES;
  #maxInfoReceive = DEFAULT_INFO_BYTES;

  constructor(link: GatewayLink, addressing: HdlcAddressing) {
    this.#link = link;
    this.#server = serverAddress(
      addressing.server,
      addressing.physicalAddress,
      addressing.serverAddressBytes,
    );
    this.#client = clientAddress(addressing.client);
  }

  async connect(deadline: number): Promise<void> {
    const ua = await this.#exchange('the data link (SNRM)', CONTROL.snrm, negotiation(), false, deadline);
    if ((ua.control | 0x10) !== CONTROL.ua) {
      throw new DlmsError(
        'link',
        `the data link (SNRM): the meter answered ${describeControl(ua.control)}, not UA`,
      );
    }
    const parameters = parseUa(ua.info);
    const meterTransmits = parameters.get(PARAMETER.infoTransmit) ?? DEFAULT_INFO_BYTES;
    const meterReceives = parameters.get(PARAMETER.infoReceive) ?? DEFAULT_INFO_BYTES;
    const meterWindow = parameters.get(PARAMETER.windowTransmit) ?? WINDOW;
    if (meterTransmits < 1 || meterTransmits > MAX_INFO_RECEIVE) {
      throw new DlmsError(
        'link',
        `the meter would send ${String(meterTransmits)}-byte information fields; the agent offered to take 1–${String(MAX_INFO_RECEIVE)}`,
      );
    }
    if (meterReceives < 1 || meterReceives > MAX_INFO_BYTES) {
      throw new DlmsError(
        'link',
        `the meter would take ${String(meterReceives)}-byte information fields: not 1–${String(MAX_INFO_BYTES)}`,
      );
    }
    if (meterWindow > WINDOW) {
      throw new DlmsError(
        'link',
        `the meter would send ${String(meterWindow)} frames before an acknowledgement; the agent offered ${String(WINDOW)}`,
      );
    }
    this.#maxInfoReceive = meterTransmits;
    this.#maxInfoTransmit = Math.min(MAX_INFO_TRANSMIT, meterReceives);
    this.#sendSequence = 0;
    this.#receiveSequence = 0;
  }

  async request(step: string, apdu: Buffer, deadline: number): Promise<Buffer> {
    const message = Buffer.concat([LLC_REQUEST, apdu]);
    let reply: HdlcFrame | undefined;
    for (let at = 0; at < message.length;) {
      const segment = message.subarray(at, at + this.#maxInfoTransmit);
      at += segment.length;
      const more = at < message.length;
      reply = await this.#exchange(
        step,
        informationControl(this.#sendSequence, this.#receiveSequence),
        segment,
        more,
        deadline,
      );
      this.#sendSequence = (this.#sendSequence + 1) % 8;
      if (more) {
        this.#acknowledged(step, reply);
      }
    }
    const parts: Buffer[] = [];
    let bytes = 0;
    while (reply) {
      this.#accept(step, reply);
      bytes += reply.info.length;
      if (bytes > LLC_RESPONSE.length + MAX_RECEIVE_PDU_BYTES) {
        throw new DlmsError(
          'garbled',
          `${step}: the reply passes ${String(MAX_RECEIVE_PDU_BYTES)} bytes after ${String(parts.length + 1)} segments, over the largest APDU the agent said it takes`,
        );
      }
      parts.push(reply.info);
      reply = reply.segmented
        ? await this.#exchange(
            `${step}, segment ${String(parts.length + 1)}`,
            receiveReadyControl(this.#receiveSequence),
            Buffer.alloc(0),
            false,
            deadline,
          )
        : undefined;
    }
    const whole = Buffer.concat(parts);
    if (!whole.subarray(0, LLC_RESPONSE.length).equals(LLC_RESPONSE)) {
      throw new DlmsError(
        'garbled',
        `${step}: the reply's LLC header is ${whole.subarray(0, 3).toString('hex')}, not e6e700`,
      );
    }
    return whole.subarray(LLC_RESPONSE.length);
  }

  async release(deadline: number): Promise<void> {
    const reply = await this.#exchange(
      'the disconnection (DISC)',
      CONTROL.disc,
      Buffer.alloc(0),
      false,
      deadline,
    );
    if ((reply.control | 0x10) !== CONTROL.ua) {
      throw new DlmsError(
        'link',
        `the disconnection: the meter answered ${describeControl(reply.control)}, not UA`,
      );
    }
  }

  /** A segment of the agent's was taken: the meter answers RR with N(R) past it [Green Book, segmentation with window size 1]. */
  #acknowledged(step: string, reply: HdlcFrame): void {
    if ((reply.control & 0x0f) !== 0x01) {
      throw new DlmsError(
        'link',
        `${step}: the meter answered a segment with ${describeControl(reply.control)}, not RR`,
      );
    }
    if (reply.control >> 5 !== this.#sendSequence) {
      throw new DlmsError(
        'link',
        `${step}: the meter acknowledges up to N(R) ${String(reply.control >> 5)}, the agent sent up to ${String(this.#sendSequence)}`,
      );
    }
  }

  /** The meter's I frame, in sequence, acknowledging everything the agent sent [IEC 62056-46, I frame]. */
  #accept(step: string, reply: HdlcFrame): void {
    if ((reply.control & 0x01) !== 0) {
      throw new DlmsError(
        'link',
        `${step}: the meter answered ${describeControl(reply.control)}, not an I frame`,
      );
    }
    const sent = (reply.control >> 1) & 0x07;
    if (sent !== this.#receiveSequence) {
      throw new DlmsError(
        'link',
        `${step}: a frame out of sequence: N(S) ${String(sent)}, the agent expected ${String(this.#receiveSequence)}`,
      );
    }
    if (reply.control >> 5 !== this.#sendSequence) {
      throw new DlmsError(
        'link',
        `${step}: the meter acknowledges up to N(R) ${String(reply.control >> 5)}, the agent sent up to ${String(this.#sendSequence)}`,
      );
    }
    this.#receiveSequence = (this.#receiveSequence + 1) % 8;
  }

  async #exchange(
    step: string,
    control: number,
    info: Buffer,
    segmented: boolean,
    deadline: number,
  ): Promise<HdlcFrame> {
    const maxFrameBytes = this.#maxInfoReceive + FRAME_OVERHEAD_BYTES;
    const bytes = await this.#link.exchange({
      step,
      request: encodeFrame({ segmented, destination: this.#server, source: this.#client, control, info }),
      complete: (received) => frameComplete(received, maxFrameBytes),
      timeoutMs: Math.max(1, deadline - Date.now()),
      maxBytes: maxFrameBytes,
    });
    let reply: HdlcFrame;
    try {
      reply = decodeFrame(bytes);
    } catch (error) {
      throw error instanceof DlmsError ? new DlmsError(error.reason, `${step}: ${error.message}`) : error;
    }
    if (!reply.destination.equals(this.#client) || !reply.source.equals(this.#server)) {
      throw new DlmsError(
        'garbled',
        `${step}: a frame from address ${reply.source.toString('hex')} to ${reply.destination.toString('hex')}, not from ${this.#server.toString('hex')} to ${this.#client.toString('hex')}`,
      );
    }
    if ((reply.control | 0x10) === CONTROL.dm) {
      throw new DlmsError(
        'link',
        `${step}: the meter answered DM (disconnected mode): it has no data link with this client (another client holds the line, or the addresses are not the meter's)`,
      );
    }
    if ((reply.control | 0x10) === CONTROL.frmr) {
      throw new DlmsError(
        'link',
        `${step}: the meter rejected the frame (FRMR${describeReject(reply.info)})`,
      );
    }
    return reply;
  }
}

/** [ISO/IEC 13239, FRMR] the FRMR information field: the rejected control, V(S)/V(R), then the W X Y Z bits. */
function describeReject(info: Buffer): string {
  const flags = info[2];
  if (info.length < 3 || flags === undefined) {
    return '';
  }
  const reasons = [
    [0x01, 'a control field it does not implement'],
    [0x02, 'an information field where none is allowed'],
    [0x04, 'an information field over the negotiated length'],
    [0x08, 'an N(R) out of sequence'],
  ] as const;
  const why = reasons.filter(([bit]) => (flags & bit) !== 0).map(([, text]) => text);
  return ` of control 0x${(info[0] ?? 0).toString(16)}${why.length > 0 ? `: ${why.join(', ')}` : ''}`;
}

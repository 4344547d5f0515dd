/**
 * The COSEM application layer of the emulated meter, whatever carries it (the TCP
 * wrapper or HDLC), written from the DLMS UA Green and Blue Books and not from the
 * agent's reader: an AARQ for logical name referencing without ciphering, with the low
 * level security password its client SAP needs (or none for the public client);
 * GET-Request-Normal from its registers (value and scaler_unit, A-XDR); RLRQ.
 */

export type DlmsFault =
  | 'none'
  /** Answers nothing. */
  | 'silence'
  /** Answers with bytes that are no frame. */
  | 'garbage'
  /** Sends half of each reply, then goes quiet. */
  | 'truncated'
  /** Announces a 65 535-byte APDU, far over the client's max-receive-pdu-size. */
  | 'oversized'
  /** Wrapper: announces an APDU the client takes, then streams bytes without end; HDLC: segments without end. */
  | 'endless'
  /** Answers a GET with another invoke id. */
  | 'wrong-invoke-id'
  /** Answers a GET with an exception-response (service not supported). */
  | 'exception'
  /** Answers GETs with a structure that claims more elements than it holds. */
  | 'lying-count'
  /** Closes the connection when asked for a register. */
  | 'hang-up'
  /** HDLC: answers SNRM with DM, as a meter whose line another client holds. */
  | 'dm'
  /** HDLC: answers the first I frame with FRMR. */
  | 'frmr'
  /** HDLC: corrupts the frame check sequence of its I frames. */
  | 'bad-fcs'
  /** HDLC: corrupts the header check sequence of its I frames. */
  | 'bad-hcs'
  /** HDLC: numbers its replies out of sequence (N(S) one ahead). */
  | 'out-of-sequence';

/** One register as the meter holds it: the raw value, its scaler and COSEM unit. */
export interface DlmsRegister {
  value: number;
  /** A-XDR type of the value: 0x06 double-long-unsigned, 0x05 double-long, 0x15 long64-unsigned, 0x17 float32. */
  type?: 0x05 | 0x06 | 0x15 | 0x17;
  scaler: number;
  unit: number;
}

export interface DlmsMeterData {
  /** Registers by logical name `A.B.C.D.E.F`. */
  registers: Map<string, DlmsRegister>;
  /** Device ID 1 (0.0.96.1.0.255), sent as an octet-string; undefined: the object is not there. */
  serial?: string | undefined;
  /** Logical names kept from every client: a GET of one ends read-write-denied. */
  denied?: Set<string>;
}

const LN_NO_CIPHERING = '60857405080101';
const LLS = '60857405080201';

/** A BER element: tag, length (short form, or 0x81/0x82 long form) and content. */
function berElements(bytes: Buffer): { tag: number; content: Buffer }[] | undefined {
  const elements: { tag: number; content: Buffer }[] = [];
  let at = 0;
  while (at < bytes.length) {
    const tag = bytes[at];
    let length = bytes[at + 1];
    at += 2;
    if (tag === undefined || length === undefined) {
      return undefined;
    }
    if (length === 0x81 || length === 0x82) {
      const size = length - 0x80;
      if (at + size > bytes.length) {
        return undefined;
      }
      length = bytes.readUIntBE(at, size);
      at += size;
    }
    if (at + length > bytes.length) {
      return undefined;
    }
    elements.push({ tag, content: bytes.subarray(at, at + length) });
    at += length;
  }
  return elements;
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.of(tag, content.length), content]);
}

function aare(result: 0 | 1, diagnostic: number): Buffer {
  const initiateResponse = Buffer.from('0800065f1f040000001004000007', 'hex');
  return tlv(
    0x61,
    Buffer.concat([
      tlv(0xa1, tlv(0x06, Buffer.from(LN_NO_CIPHERING, 'hex'))),
      tlv(0xa2, Buffer.of(0x02, 0x01, result)),
      tlv(0xa3, tlv(0xa1, Buffer.of(0x02, 0x01, diagnostic))),
      ...(result === 0 ? [tlv(0xbe, tlv(0x04, initiateResponse))] : []),
    ]),
  );
}

/** The ACSE user diagnostic an AARQ deserves; 0 accepts it. */
function associate(request: Buffer, clients: Map<number, string | undefined>, client: number): number {
  const [aarq] = berElements(request) ?? [];
  const fields = aarq?.tag === 0x60 ? berElements(aarq.content) : undefined;
  if (!fields) {
    return 1;
  }
  const field = (tag: number): Buffer | undefined => fields.find((element) => element.tag === tag)?.content;
  if (field(0xa1)?.subarray(2).toString('hex') !== LN_NO_CIPHERING) {
    return 2;
  }
  if (!clients.has(client)) {
    return 1;
  }
  const password = clients.get(client);
  if (password !== undefined) {
    const mechanism = field(0x8b);
    if (mechanism === undefined) {
      return 12;
    }
    if (mechanism.toString('hex') !== LLS) {
      return 11;
    }
    const given = field(0xac)?.subarray(2).toString('latin1');
    if (given === undefined) {
      return 14;
    }
    if (given !== password) {
      return 13;
    }
  }
  return 0;
}

function encodeRegister(register: DlmsRegister, attribute: number): Buffer {
  if (attribute === 3) {
    return Buffer.of(0x02, 0x02, 0x0f, register.scaler & 0xff, 0x16, register.unit);
  }
  const type = register.type ?? 0x06;
  switch (type) {
    case 0x05: {
      const value = Buffer.alloc(5);
      value[0] = type;
      value.writeInt32BE(register.value, 1);
      return value;
    }
    case 0x15: {
      const value = Buffer.alloc(9);
      value[0] = type;
      value.writeBigUInt64BE(BigInt(register.value), 1);
      return value;
    }
    case 0x17: {
      const value = Buffer.alloc(5);
      value[0] = type;
      value.writeFloatBE(register.value, 1);
      return value;
    }
    default: {
      const value = Buffer.alloc(5);
      value[0] = type;
      value.writeUInt32BE(register.value, 1);
      return value;
    }
  }
}

/** What the meter heard and holds, shared by every connection. */
export interface CosemMeter {
  readonly data: DlmsMeterData;
  readonly fault: DlmsFault;
  readonly clients: Map<number, string | undefined>;
  readonly heard: string[];
}

/**
 * One association's application: an APDU in, the APDU to answer with out; undefined
 * when the meter answers nothing, `hang-up` when it drops the connection.
 */
export function cosemApplication(
  meter: CosemMeter,
): (client: number, apdu: Buffer) => Buffer | 'hang-up' | undefined {
  let associated = false;
  const get = (apdu: Buffer): Buffer | 'hang-up' => {
    if (apdu.length !== 13 || apdu[1] !== 0x01) {
      return Buffer.of(0xd8, 0x01, 0x02); // service-not-supported
    }
    const invoke = apdu[2] ?? 0;
    const classId = apdu.readUInt16BE(3);
    const name = [...apdu.subarray(5, 11)].join('.');
    const attribute = apdu[11] ?? 0;
    meter.heard.push(`GET ${name}/${String(attribute)}`);
    if (meter.fault === 'hang-up') {
      return 'hang-up';
    }
    if (meter.fault === 'exception' || !associated) {
      return Buffer.of(0xd8, 0x01, 0x02);
    }
    const head = Buffer.of(
      0xc4,
      0x01,
      meter.fault === 'wrong-invoke-id' ? (invoke & 0xf0) | ((invoke + 5) & 0x0f) : invoke,
    );
    if (meter.fault === 'lying-count') {
      return Buffer.concat([head, Buffer.of(0x00, 0x02, 0x7f, 0x0f, 0x01)]);
    }
    if (meter.data.denied?.has(name) === true) {
      return Buffer.concat([head, Buffer.of(0x01, 3)]);
    }
    const register = meter.data.registers.get(name);
    if (classId === 3 && register && (attribute === 2 || attribute === 3)) {
      return Buffer.concat([head, Buffer.of(0x00), encodeRegister(register, attribute)]);
    }
    const serial = meter.data.serial;
    if (classId === 1 && name === '0.0.96.1.0.255' && attribute === 2 && serial !== undefined) {
      return Buffer.concat([head, Buffer.of(0x00, 0x09, serial.length), Buffer.from(serial, 'latin1')]);
    }
    // object-undefined, or object-class-inconsistent when the name exists under another class.
    const known = meter.data.registers.has(name) || (name === '0.0.96.1.0.255' && serial !== undefined);
    return Buffer.concat([head, Buffer.of(0x01, known ? 9 : 4)]);
  };
  return (client, apdu) => {
    switch (apdu[0]) {
      case 0x60: {
        meter.heard.push('AARQ');
        const diagnostic = associate(apdu, meter.clients, client);
        associated = diagnostic === 0;
        return aare(associated ? 0 : 1, diagnostic);
      }
      case 0x62:
        meter.heard.push('RLRQ');
        associated = false;
        return Buffer.of(0x63, 0x03, 0x80, 0x01, 0x00);
      case 0xc0:
        return get(apdu);
      default:
        meter.heard.push(`unknown ${String(apdu[0])}`);
        return undefined;
    }
  };
}

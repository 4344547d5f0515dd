import { createServer, type Socket } from 'node:net';
import { listen, type Listening } from './listen.ts';

/**
 * An electricity meter speaking DLMS/COSEM over TCP (the IEC 62056-47 wrapper), written
 * from the DLMS UA Green and Blue Books and not from the agent's reader: it accepts an
 * AARQ for logical name referencing without ciphering, with the low level security
 * password its client SAP needs (or none for the public client), answers
 * GET-Request-Normal from its registers (value and scaler_unit, A-XDR), and releases on
 * RLRQ. It misbehaves on demand. For the tests and the demo.
 */

export type DlmsFault =
  | 'none'
  /** Answers nothing. */
  | 'silence'
  /** Answers with bytes that are no wrapper frame. */
  | 'garbage'
  /** Sends half of each reply, then goes quiet. */
  | 'truncated'
  /** Announces a 65 535-byte APDU, far over the client's max-receive-pdu-size. */
  | 'oversized'
  /** Announces an APDU the client takes, then streams bytes without end. */
  | 'endless'
  /** Answers a GET with another invoke id. */
  | 'wrong-invoke-id'
  /** Answers a GET with an exception-response (service not supported). */
  | 'exception'
  /** Answers GETs with a structure that claims more elements than it holds. */
  | 'lying-count'
  /** Closes the connection when asked for a register. */
  | 'hang-up';

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

export interface DlmsEmulator extends Listening {
  data: DlmsMeterData;
  fault: DlmsFault;
  /** Each client SAP's LLS password; a SAP listed with undefined takes no authentication. */
  readonly clients: Map<number, string | undefined>;
  /** The APDU tags and GETs the meter heard, for the tests: `AARQ`, `GET 1.0.1.8.0.255/2`, `RLRQ`. */
  readonly heard: string[];
}

/** The registers of a three-phase meter, with tariff totals; energy in Wh × 10^1, power in W. */
export function dlmsRegisters(figures: {
  readonly tariffKwh: readonly number[];
  readonly powerW: number;
}): Map<string, DlmsRegister> {
  const total = figures.tariffKwh.reduce((sum, kwh) => sum + kwh, 0);
  const energy = (kwh: number): DlmsRegister => ({ value: Math.round(kwh * 100), scaler: 1, unit: 30 });
  return new Map([
    ['1.0.1.8.0.255', energy(total)],
    ...figures.tariffKwh.map((kwh, i): [string, DlmsRegister] => [
      `1.0.1.8.${String(i + 1)}.255`,
      energy(kwh),
    ]),
    ['1.0.1.7.0.255', { value: Math.round(figures.powerW * 10), type: 0x05, scaler: -1, unit: 27 }],
  ]);
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

export async function startDlmsEmulator(options: {
  readonly data: DlmsMeterData;
  readonly clients: Map<number, string | undefined>;
  /** The logical device's wPort (1 the management logical device). */
  readonly logicalDevice?: number;
  readonly host?: string;
  readonly port?: number;
}): Promise<DlmsEmulator> {
  const heard: string[] = [];
  const server = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    let associated = false;
    let endless: NodeJS.Timeout | undefined;
    socket.once('close', () => {
      clearInterval(endless);
    });
    const reply = (client: number, apdu: Buffer): void => {
      const header = Buffer.alloc(8);
      header.writeUInt16BE(1, 0);
      header.writeUInt16BE(options.logicalDevice ?? 1, 2);
      header.writeUInt16BE(client, 4);
      header.writeUInt16BE(apdu.length, 6);
      const frame = Buffer.concat([header, apdu]);
      send(socket, frame);
    };
    const send = (to: Socket, frame: Buffer): void => {
      switch (emulator.fault) {
        case 'garbage':
          to.write(Buffer.from('\u00ff\u00fe#garbage#\u0000\u0081\r\n', 'latin1'));
          return;
        case 'truncated':
          to.write(frame.subarray(0, Math.floor(frame.length / 2)));
          return;
        case 'oversized':
        case 'endless': {
          const header = Buffer.from(frame.subarray(0, 8));
          header.writeUInt16BE(emulator.fault === 'oversized' ? 0xffff : 1000, 6);
          to.write(Buffer.concat([header, frame.subarray(8)]));
          if (emulator.fault === 'endless') {
            endless = setInterval(() => to.write(Buffer.alloc(4096, 0x55)), 1);
          }
          return;
        }
        default:
          to.write(frame);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 8) {
        const length = pending.readUInt16BE(6);
        if (pending.readUInt16BE(0) !== 1 || length > 2048) {
          socket.destroy(); // not a wrapper frame: a meter drops the connection
          return;
        }
        if (pending.length < 8 + length) {
          return;
        }
        const client = pending.readUInt16BE(2);
        const destination = pending.readUInt16BE(4);
        const apdu = pending.subarray(8, 8 + length);
        pending = pending.subarray(8 + length);
        if (destination !== (options.logicalDevice ?? 1) || emulator.fault === 'silence') {
          continue;
        }
        answer(client, apdu);
      }
    });
    const answer = (client: number, apdu: Buffer): void => {
      switch (apdu[0]) {
        case 0x60: {
          heard.push('AARQ');
          const diagnostic = associate(apdu, emulator.clients, client);
          associated = diagnostic === 0;
          reply(client, aare(associated ? 0 : 1, diagnostic));
          return;
        }
        case 0x62:
          heard.push('RLRQ');
          associated = false;
          reply(client, Buffer.of(0x63, 0x03, 0x80, 0x01, 0x00));
          return;
        case 0xc0:
          get(client, apdu);
          return;
        default:
          heard.push(`unknown ${String(apdu[0])}`);
      }
    };
    const get = (client: number, apdu: Buffer): void => {
      if (apdu.length !== 13 || apdu[1] !== 0x01) {
        reply(client, Buffer.of(0xd8, 0x01, 0x02)); // service-not-supported
        return;
      }
      const invoke = apdu[2] ?? 0;
      const classId = apdu.readUInt16BE(3);
      const name = [...apdu.subarray(5, 11)].join('.');
      const attribute = apdu[11] ?? 0;
      heard.push(`GET ${name}/${String(attribute)}`);
      if (emulator.fault === 'hang-up') {
        socket.destroy();
        return;
      }
      if (emulator.fault === 'exception' || !associated) {
        reply(client, Buffer.of(0xd8, 0x01, 0x02));
        return;
      }
      const head = Buffer.of(
        0xc4,
        0x01,
        emulator.fault === 'wrong-invoke-id' ? (invoke & 0xf0) | ((invoke + 5) & 0x0f) : invoke,
      );
      if (emulator.fault === 'lying-count') {
        reply(client, Buffer.concat([head, Buffer.of(0x00, 0x02, 0x7f, 0x0f, 0x01)]));
        return;
      }
      if (emulator.data.denied?.has(name) === true) {
        reply(client, Buffer.concat([head, Buffer.of(0x01, 3)]));
        return;
      }
      const register = emulator.data.registers.get(name);
      if (classId === 3 && register && (attribute === 2 || attribute === 3)) {
        reply(client, Buffer.concat([head, Buffer.of(0x00), encodeRegister(register, attribute)]));
        return;
      }
      const serial = emulator.data.serial;
      if (classId === 1 && name === '0.0.96.1.0.255' && attribute === 2 && serial !== undefined) {
        reply(
          client,
          Buffer.concat([head, Buffer.of(0x00, 0x09, serial.length), Buffer.from(serial, 'latin1')]),
        );
        return;
      }
      // object-undefined, or object-class-inconsistent when the name exists under another class.
      const known = emulator.data.registers.has(name) || (name === '0.0.96.1.0.255' && serial !== undefined);
      reply(client, Buffer.concat([head, Buffer.of(0x01, known ? 9 : 4)]));
    };
  });
  const listening = await listen(server, { host: options.host, port: options.port });
  const emulator: DlmsEmulator = {
    ...listening,
    data: options.data,
    fault: 'none',
    clients: options.clients,
    heard,
  };
  return emulator;
}

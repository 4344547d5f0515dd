/**
 * The Incotex Mercury 230/234 exchange protocol, as frames: pure, no I/O.
 *
 * A request is [network address][request code][parameters…][CRC-16/MODBUS, low byte first];
 * a reply is [address][data…][CRC] with no request code in it, so its length is known only
 * from the request. A reply of one data byte is a status: 0 done, else an error code.
 * Sources: Incotex's protocol document for three-phase Mercury meters ("Протокол обмена
 * трёхфазных счётчиков Меркурий 203.2TD, 204, 208, 230, 231, 234, 236, 238", v2.17), as
 * wirenboard/wb-mqtt-serial implements it (src/devices/mercury230_device.cpp) and as its
 * tests recorded a Mercury 230AR-02 answering (test/mercury230_expectations.cpp, kept in
 * test/fixtures/meters/); the request lengths also as zigbee firmware for the 230 reads them.
 */

/** Request codes [Mercury protocol]. */
export const REQUEST = {
  testChannel: 0x00,
  openChannel: 0x01,
  closeChannel: 0x02,
  readEnergyArray: 0x05,
  readParameter: 0x08,
} as const;

/** The reply status byte's meanings [Mercury protocol, "байт состояния обмена"]. */
export const REPLY_STATUS: Readonly<Record<number, string>> = {
  0x00: 'done',
  0x01: 'invalid command or parameter',
  0x02: 'internal meter error',
  0x03: 'access level insufficient for the request',
  0x04: 'the meter clock was already corrected today',
  0x05: 'the communication channel is not open',
};

/** A status reply is the address, one status byte and the CRC. */
export const STATUS_REPLY_BYTES = 4;
/** No reply the agent asks for is longer: the energy arrays are 19 bytes. */
export const MAX_REPLY_BYTES = 64;

export class MercuryFrameError extends Error {
  constructor(
    readonly reason: 'crc' | 'address' | 'length' | 'status' | 'value',
    message: string,
    /** For `status`: the status the meter sent. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'MercuryFrameError';
  }
}

/** CRC-16/MODBUS: reflected polynomial 0xA001, initial value 0xFFFF, no final XOR. */
export function crc16Modbus(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
    }
  }
  return crc;
}

/** A request frame with its CRC, low byte first. */
export function encodeRequest(address: number, code: number, parameters: readonly number[] = []): Buffer {
  const frame = Buffer.alloc(2 + parameters.length + 2);
  frame[0] = address;
  frame[1] = code;
  frame.set(parameters, 2);
  frame.writeUInt16LE(crc16Modbus(frame.subarray(0, frame.length - 2)), frame.length - 2);
  return frame;
}

/**
 * Open the channel: access level 1 (user: reads) or 2 (administrator), and the 6-byte
 * password (the factory defaults are 1,1,1,1,1,1 and 2,2,2,2,2,2).
 */
export function openChannelRequest(address: number, accessLevel: 1 | 2, password: Uint8Array): Buffer {
  if (password.length !== 6) {
    throw new RangeError(`a Mercury password is 6 bytes, not ${String(password.length)}`);
  }
  return encodeRequest(address, REQUEST.openChannel, [accessLevel, ...password]);
}

/**
 * Array codes for request 05h: the high nibble of the first parameter byte (the low
 * nibble is the month for the monthly arrays) [Mercury protocol].
 */
export const ENERGY_ARRAY = { sinceReset: 0x0, currentYear: 0x1, currentDay: 0x4 } as const;

/** Tariff byte of request 05h: 0 all tariffs together, 1–4 one tariff. */
export type TariffNumber = 0 | 1 | 2 | 3 | 4;

export function energyRequest(address: number, array: number, tariff: TariffNumber): Buffer {
  return encodeRequest(address, REQUEST.readEnergyArray, [array << 4, tariff]);
}

/** 08h 16h BWRI 00h: active power P, the sum and each phase [Mercury protocol]. */
export function activePowerRequest(address: number): Buffer {
  return encodeRequest(address, REQUEST.readParameter, [0x16, 0x00]);
}

/** The energy array reply: address, A+, A−, R+, R− (4 bytes each), CRC. */
export const ENERGY_REPLY_BYTES = 1 + 16 + 2;
/** The power reply: address, P sum, P1, P2, P3 (3 bytes each), CRC. */
export const POWER_REPLY_BYTES = 1 + 12 + 2;

/**
 * Whether `received` holds a whole reply of `expectedBytes`, or a status reply in its
 * place; false to wait for more. Throws on more bytes than the reply can have.
 */
export function replyComplete(received: Uint8Array, expectedBytes: number): boolean {
  if (received.length > expectedBytes) {
    throw new MercuryFrameError(
      'length',
      `reply of ${String(received.length)} bytes where ${String(expectedBytes)} were expected`,
    );
  }
  if (received.length === expectedBytes) {
    return true;
  }
  // A status in place of data: 4 bytes whose CRC holds and whose status is an error code.
  return (
    received.length === STATUS_REPLY_BYTES &&
    expectedBytes > STATUS_REPLY_BYTES &&
    crcHolds(received) &&
    (received[1] ?? 0) !== 0
  );
}

function crcHolds(frame: Uint8Array): boolean {
  const body = frame.subarray(0, frame.length - 2);
  const sent = (frame[frame.length - 2] ?? 0) | ((frame[frame.length - 1] ?? 0) << 8);
  return crc16Modbus(body) === sent;
}

/**
 * The data bytes of a whole reply from `address` (0: broadcast, any meter may answer),
 * after its CRC and address are checked; a status reply that is not 0 throws with it.
 */
export function decodeReply(frame: Uint8Array, address: number, expectedBytes: number): Buffer {
  if (frame.length < STATUS_REPLY_BYTES) {
    throw new MercuryFrameError('length', `reply of ${String(frame.length)} bytes is too short to be one`);
  }
  if (!crcHolds(frame)) {
    throw new MercuryFrameError(
      'crc',
      'reply CRC-16 does not match its bytes (line noise or a garbled frame)',
    );
  }
  if (address !== 0 && frame[0] !== address) {
    throw new MercuryFrameError(
      'address',
      `reply from network address ${String(frame[0])}, not ${String(address)} (two meters on one address?)`,
    );
  }
  const data = Buffer.from(frame.subarray(1, frame.length - 2));
  if (frame.length === STATUS_REPLY_BYTES) {
    const status = (data[0] ?? 0) & 0x0f;
    if (status !== 0) {
      throw new MercuryFrameError(
        'status',
        `meter answered status ${String(status)}: ${REPLY_STATUS[status] ?? 'unknown status'}`,
        status,
      );
    }
  }
  if (frame.length !== expectedBytes) {
    throw new MercuryFrameError(
      'length',
      `reply of ${String(frame.length)} bytes where ${String(expectedBytes)} were expected`,
    );
  }
  return data;
}

/** An energy array value not kept by this meter (e.g. A− on an import-only meter). */
const ABSENT = 0xffffffff;

/**
 * One 4-byte energy value: the meter sends the bytes of the 32-bit number in the order
 * 2, 1, 4, 3 (byte 1 the most significant); the unit is Wh (varh) [Mercury
 * protocol; wb-mqtt-serial: 30 00 28 C5 → 3 196 200 Wh]. Undefined when absent.
 */
export function decodeEnergyValue(bytes: Uint8Array, offset: number): number | undefined {
  const b = (i: number): number => bytes[offset + i] ?? 0;
  const value = (b(1) * 2 ** 24 + b(0) * 2 ** 16 + b(3) * 2 ** 8 + b(2)) >>> 0;
  return value === ABSENT ? undefined : value;
}

export interface EnergyArray {
  readonly activeImportWh: number | undefined;
  readonly activeExportWh: number | undefined;
  readonly reactiveImportVarh: number | undefined;
  readonly reactiveExportVarh: number | undefined;
}

export function decodeEnergyArray(data: Uint8Array): EnergyArray {
  if (data.length !== 16) {
    throw new MercuryFrameError('length', `energy array of ${String(data.length)} bytes, not 16`);
  }
  return {
    activeImportWh: decodeEnergyValue(data, 0),
    activeExportWh: decodeEnergyValue(data, 4),
    reactiveImportVarh: decodeEnergyValue(data, 8),
    reactiveExportVarh: decodeEnergyValue(data, 12),
  };
}

/**
 * One 3-byte power value: byte 1 holds the direction bits (bit 7 active, bit 6 reactive:
 * set when the power flows back to the grid) over the top 6 bits of the magnitude, then
 * the low byte, then the middle byte; the unit is 0.01 W [Mercury protocol;
 * wb-mqtt-serial param_sign_active]. Signed: negative when exported.
 */
export function decodePowerValue(bytes: Uint8Array, offset: number): number {
  const first = bytes[offset] ?? 0;
  const magnitude = ((first & 0x3f) << 16) | ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
  const watts = magnitude / 100;
  return first & 0x80 && magnitude !== 0 ? -watts : watts;
}

export interface ActivePower {
  readonly totalW: number;
  readonly phasesW: readonly [number, number, number];
}

export function decodeActivePower(data: Uint8Array): ActivePower {
  if (data.length !== 12) {
    throw new MercuryFrameError('length', `power reply of ${String(data.length)} bytes, not 12`);
  }
  return {
    totalW: decodePowerValue(data, 0),
    phasesW: [decodePowerValue(data, 3), decodePowerValue(data, 6), decodePowerValue(data, 9)],
  };
}

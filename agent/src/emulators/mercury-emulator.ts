import { createServer, type Socket } from 'node:net';
import { listen, type Listening } from './listen.ts';

/**
 * A Mercury 230/234 behind a transparent RS-485-to-Ethernet gateway, written from the
 * Incotex exchange protocol ("Протокол обмена счётчиков серии Меркурий 230…", requests
 * 00h test, 01h open, 02h close, 05h energy arrays, 08h 16h auxiliary parameters) and
 * not from the agent's reader: its own CRC table, its own frame handling. It keeps the
 * channel state the meter keeps (the level opened, closed after 240 s of silence) and
 * misbehaves on demand. For the tests and the demo farm.
 */

export type MercuryFault =
  /** Answers as the meter does. */
  | 'none'
  /** Every reply's CRC is wrong. */
  | 'bad-crc'
  /** Reads nothing, answers nothing (a dead meter behind a live gateway). */
  | 'silence'
  /** Answers every request with line noise. */
  | 'garbage'
  /** Sends the first half of each data reply, then nothing. */
  | 'truncated'
  /** Sends each data reply followed by more bytes than any reply has. */
  | 'oversized'
  /** Forgets the open channel once, as after its idle timeout: the next data request gets status 5. */
  | 'channel-closed'
  /** Answers from another network address. */
  | 'wrong-address';

export interface MercuryReadings {
  /** Active import energy since reset, Wh: tariffs 1–4; the total is their sum. */
  tariffWh: [number, number, number, number];
  /** Active power of each phase, W; negative when exported. */
  phaseW: [number, number, number];
  /** Reactive import energy since reset, varh. */
  reactiveVarh: number;
}

export interface MercuryEmulator extends Listening {
  readings: MercuryReadings;
  fault: MercuryFault;
  /** The level data requests need: 1, or 2 to refuse a user-level channel. */
  readLevel: 1 | 2;
  /** Requests received, in order (their request code and parameters), for the tests. */
  readonly requests: readonly number[][];
}

/** The meter's exchange status codes. */
const STATUS = { ok: 0x00, badRequest: 0x01, accessLevel: 0x03, channelClosed: 0x05 } as const;
/** The meter closes a channel left silent this long. */
const CHANNEL_IDLE_MS = 240_000;

const CRC_TABLE = Uint16Array.from({ length: 256 }, (_, index) => {
  let crc = index;
  for (let bit = 0; bit < 8; bit++) {
    crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
});

function modbusCrc(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc = (crc >>> 8) ^ (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0);
  }
  return crc;
}

function withCrc(bytes: readonly number[]): Buffer {
  const crc = modbusCrc(Uint8Array.from(bytes));
  return Buffer.from([...bytes, crc & 0xff, crc >>> 8]);
}

/** 32-bit energy in the meter's byte order: bytes 2, 1, 4, 3 of the big-endian number. */
function energyBytes(value: number): number[] {
  const big = [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
  return [big[1] ?? 0, big[0] ?? 0, big[3] ?? 0, big[2] ?? 0];
}

/** 3-byte power in 0.01 W: direction bit 7 of the first byte, over the top 6 bits; then low, middle. */
function powerBytes(watts: number): number[] {
  const magnitude = Math.min(0x3fffff, Math.round(Math.abs(watts) * 100));
  return [((magnitude >>> 16) & 0x3f) | (watts < 0 ? 0x80 : 0), magnitude & 0xff, (magnitude >>> 8) & 0xff];
}

const ABSENT = [0xff, 0xff, 0xff, 0xff];

/** The length of a request, from its code (and parameter number for 08h); undefined if unknown. */
function requestLength(code: number, parameter: number | undefined): number | undefined {
  switch (code) {
    case 0x00:
    case 0x02:
      return 4;
    case 0x01:
      return 11;
    case 0x05:
      return 6;
    case 0x08:
      // 08h 11h and 08h 16h take one more byte, BWRI; other parameters are not emulated.
      return parameter === 0x16 || parameter === 0x11 ? 6 : undefined;
    default:
      return undefined;
  }
}

export async function startMercuryEmulator(options: {
  readonly address: number;
  readonly readings: MercuryReadings;
  /** Passwords of levels 1 and 2; the factory defaults when left out. */
  readonly passwords?: { readonly user: Uint8Array; readonly admin: Uint8Array };
  readonly host?: string;
  readonly port?: number;
  readonly now?: () => number;
}): Promise<MercuryEmulator> {
  const now = options.now ?? Date.now;
  const passwords = options.passwords ?? {
    user: Uint8Array.of(1, 1, 1, 1, 1, 1),
    admin: Uint8Array.of(2, 2, 2, 2, 2, 2),
  };
  // The channel belongs to the meter, not to a TCP connection: it outlives reconnects.
  let openLevel: 0 | 1 | 2 = 0;
  let lastRequestAt = now();
  const requests: number[][] = [];

  const reply = (request: Buffer): Buffer | undefined => {
    const address = request[0] ?? 0;
    if (address !== 0 && address !== options.address) {
      return undefined; // another meter's request: a meter on a bus stays silent
    }
    const code = request[1] ?? 0;
    requests.push([...request.subarray(1, request.length - 2)]);
    if (now() - lastRequestAt > CHANNEL_IDLE_MS) {
      openLevel = 0;
    }
    lastRequestAt = now();
    const from = emulator.fault === 'wrong-address' ? (options.address + 1) & 0xff : options.address;
    const status = (value: number): Buffer => withCrc([from, value]);
    const data = (bytes: number[]): Buffer => withCrc([from, ...bytes]);
    switch (code) {
      case 0x00:
        return status(STATUS.ok);
      case 0x01: {
        const level = request[2];
        const given = request.subarray(3, 9);
        const expected = level === 1 ? passwords.user : level === 2 ? passwords.admin : undefined;
        if (!expected || !given.equals(expected)) {
          // The documents do not pin the code for a wrong password; "invalid parameter" it is.
          return status(STATUS.badRequest);
        }
        openLevel = level === 2 ? 2 : 1;
        return status(STATUS.ok);
      }
      case 0x02:
        openLevel = 0;
        return status(STATUS.ok);
      default:
        break;
    }
    if (emulator.fault === 'channel-closed') {
      emulator.fault = 'none';
      openLevel = 0;
    }
    if (openLevel === 0) {
      return status(STATUS.channelClosed);
    }
    if (openLevel < emulator.readLevel) {
      return status(STATUS.accessLevel);
    }
    const { tariffWh, phaseW, reactiveVarh } = emulator.readings;
    if (code === 0x05) {
      const array = (request[2] ?? 0) >>> 4;
      const tariff = request[3] ?? 0;
      if (array !== 0 || tariff > 4) {
        return status(STATUS.badRequest);
      }
      const active = tariff === 0 ? tariffWh.reduce((sum, wh) => sum + wh, 0) : (tariffWh[tariff - 1] ?? 0);
      // An import-only meter: A− and R− are not kept.
      return data([
        ...energyBytes(active),
        ...ABSENT,
        ...energyBytes(tariff === 0 ? reactiveVarh : 0),
        ...ABSENT,
      ]);
    }
    if (code === 0x08 && request[2] === 0x16 && request[3] === 0x00) {
      const total = phaseW.reduce((sum, watts) => sum + watts, 0);
      return data([...powerBytes(total), ...phaseW.flatMap(powerBytes)]);
    }
    return status(STATUS.badRequest);
  };

  const misbehave = (frame: Buffer, socket: Socket): void => {
    const isData = frame.length > 4;
    switch (emulator.fault) {
      case 'silence':
        return;
      case 'garbage':
        socket.write(Buffer.from('\u0000\u00ff\u00a5garbage on the line\u00ff', 'latin1'));
        return;
      case 'bad-crc': {
        const broken = Buffer.from(frame);
        broken[broken.length - 1] = (broken[broken.length - 1] ?? 0) ^ 0xff;
        socket.write(broken);
        return;
      }
      case 'truncated':
        socket.write(isData ? frame.subarray(0, Math.floor(frame.length / 2)) : frame);
        return;
      case 'oversized':
        socket.write(isData ? Buffer.concat([frame, Buffer.alloc(4096, 0x55)]) : frame);
        return;
      default:
        socket.write(frame);
    }
  };

  const server = createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      // A meter frames requests by the line's silence; over TCP a request arrives whole,
      // so its length comes from its code. Unknown or corrupt bytes are dropped, as noise.
      for (;;) {
        const length = requestLength(pending[1] ?? -1, pending[2]);
        if (pending.length < 2 || (length === undefined && pending.length < 3)) {
          return;
        }
        if (length === undefined || pending.length > 64) {
          pending = Buffer.alloc(0);
          return;
        }
        if (pending.length < length) {
          return;
        }
        const request = pending.subarray(0, length);
        pending = pending.subarray(length);
        if (modbusCrc(request.subarray(0, length - 2)) !== request.readUInt16LE(length - 2)) {
          continue; // a corrupt request gets no answer
        }
        if (emulator.fault === 'silence') {
          continue;
        }
        const frame = reply(request);
        if (frame) {
          misbehave(frame, socket);
        }
      }
    });
    socket.on('error', () => socket.destroy());
  });
  const listening = await listen(server, { host: options.host, port: options.port });
  const emulator: MercuryEmulator = {
    ...listening,
    readings: options.readings,
    fault: 'none',
    readLevel: 1,
    requests,
  };
  return emulator;
}

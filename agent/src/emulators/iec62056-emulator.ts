import { createServer, type Socket } from 'node:net';
import { listen, type Listening } from './listen.ts';

/**
 * An electricity meter speaking IEC 62056-21 mode C behind a transparent TCP gateway (an
 * RS-485 converter or an optical probe on a serial server), written from the standard
 * (its messages and mode C) and not from the agent's reader. It answers a request
 * `/?address!` naming it (or no one) with its identification, an acknowledgement with
 * option 0 with the data message; it misbehaves on demand. For the tests and the demo.
 */

export type IecFault =
  | 'none'
  /** The data message's block check character is wrong, repeated or not. */
  | 'bad-bcc'
  /** The first data message's block check character is wrong; a repeat (NAK) is right. */
  | 'bad-bcc-once'
  /** Answers nothing. */
  | 'silence'
  /** Answers the request with line noise. */
  | 'garbage'
  /** The data message stops halfway, and the line goes quiet. */
  | 'truncated'
  /** The data message never ends: data lines without end. */
  | 'endless'
  /** Identification offers a mode B baud rate character. */
  | 'mode-b';

export interface IecMeterData {
  /** Data lines exactly as the meter sends them, without CR LF: `1.8.0(012345.67*kWh)`. */
  lines: string[];
}

export interface IecEmulator extends Listening {
  data: IecMeterData;
  fault: IecFault;
  /** What the agent sent, as text, for the tests. */
  readonly received: string[];
}

const STX = '\u0002';
const ETX = '\u0003';
const ACK = '\u0006';
const NAK = '\u0015';

function oddOnes(byte: number): boolean {
  let ones = 0;
  for (let rest = byte; rest !== 0; rest >>>= 1) {
    ones ^= rest & 1;
  }
  return ones === 1;
}

function bcc(text: string): string {
  let check = 0;
  for (let i = 0; i < text.length; i++) {
    check ^= text.charCodeAt(i) & 0xff;
  }
  return String.fromCharCode(check);
}

/** The data lines a typical meter sends for these figures, with or without the OBIS medium. */
export function iecDataLines(figures: {
  readonly serial: string;
  readonly tariffKwh: readonly number[];
  readonly powerKw: number;
  /** Writes `1-0:1.8.0` rather than `1.8.0`. */
  readonly medium?: boolean;
  /** Writes Wh and W rather than kWh and kW. */
  readonly baseUnits?: boolean;
}): string[] {
  const prefix = figures.medium === true ? '1-0:' : '';
  const energy = (kwh: number): string =>
    figures.baseUnits === true
      ? `${(kwh * 1000).toFixed(0).padStart(10, '0')}*Wh`
      : `${kwh.toFixed(3).padStart(10, '0')}*kWh`;
  const total = figures.tariffKwh.reduce((sum, kwh) => sum + kwh, 0);
  return [
    `${figures.medium === true ? '0-0:' : ''}C.1.0(${figures.serial})`,
    `${prefix}1.8.0(${energy(total)})`,
    ...figures.tariffKwh.map((kwh, i) => `${prefix}1.8.${String(i + 1)}(${energy(kwh)})`),
    `${prefix}2.8.0(${energy(0)})`,
    `${prefix}1.7.0(${figures.baseUnits === true ? `${(figures.powerKw * 1000).toFixed(0)}*W` : `${figures.powerKw.toFixed(3)}*kW`})`,
    // A past billing period's total: must not be read as the current one.
    `${prefix}1.8.0*01(${energy(total / 2)})`,
  ];
}

export async function startIecEmulator(options: {
  /** The meter's device address; a request naming another is not answered. */
  readonly deviceAddress: string;
  /** `XXXZ<identification>`: maker, baud rate character, identification. */
  readonly identification: string;
  readonly data: IecMeterData;
  /**
   * The gateway's serial port is 8N1, the meter's line 7E1: bytes carry the meter's even
   * parity in bit 7 both ways, and a byte whose parity is wrong is noise to the meter.
   */
  readonly parityInBytes?: boolean;
  readonly host?: string;
  readonly port?: number;
}): Promise<IecEmulator> {
  const received: string[] = [];
  const dataMessage = (): string => {
    const block = `${emulator.data.lines.map((line) => `${line}\r\n`).join('')}!\r\n${ETX}`;
    const check = bcc(block);
    const garbled = emulator.fault === 'bad-bcc' || emulator.fault === 'bad-bcc-once';
    if (emulator.fault === 'bad-bcc-once') {
      emulator.fault = 'none';
    }
    return `${STX}${block}${garbled ? String.fromCharCode(check.charCodeAt(0) ^ 0x5a) : check}`;
  };
  const parity = options.parityInBytes === true;
  const send = (socket: Socket, text: string): void => {
    const bytes = Buffer.from(text, 'latin1');
    socket.write(parity ? bytes.map((byte) => (oddOnes(byte) ? byte | 0x80 : byte)) : bytes);
  };
  const server = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    let pending = '';
    let identified = false;
    let sentData = false;
    let endless: NodeJS.Timeout | undefined;
    socket.once('close', () => {
      clearInterval(endless);
    });
    socket.on('data', (chunk: Buffer) => {
      if (parity && chunk.some(oddOnes)) {
        return; // parity errors: the meter hears noise
      }
      pending += (parity ? chunk.map((byte) => byte & 0x7f) : chunk).toString('latin1');
      // NAK, a lone byte: the last data message again.
      while (pending.startsWith(NAK)) {
        pending = pending.slice(1);
        received.push(NAK);
        if (sentData && emulator.fault !== 'silence') {
          send(socket, dataMessage());
        }
      }
      for (let end = pending.indexOf('\r\n'); end >= 0; end = pending.indexOf('\r\n')) {
        const message = pending.slice(0, end);
        pending = pending.slice(end + 2);
        received.push(message);
        if (emulator.fault === 'silence') {
          continue;
        }
        const request = /^\/\?([0-9A-Za-z ]*)!$/.exec(message);
        if (request) {
          const address = request[1] ?? '';
          if (address !== '' && address !== options.deviceAddress) {
            continue; // a request for another meter on the bus
          }
          if (emulator.fault === 'garbage') {
            send(socket, '\u00ff\u00fe#garbage#\u0000\u0081\r\n');
            continue;
          }
          identified = true;
          const identification =
            emulator.fault === 'mode-b'
              ? options.identification.replace(/^(...)./, '$1C')
              : options.identification;
          send(socket, `/${identification}\r\n`);
          continue;
        }
        // ACK V Z Y: Y = 0 asks for the data readout.
        const acknowledgement = new RegExp(`^${ACK}([0-9])([0-9A-Z])([0-9])$`).exec(message);
        if (acknowledgement && identified && acknowledgement[3] === '0') {
          identified = false;
          sentData = true;
          const whole = dataMessage();
          if (emulator.fault === 'truncated') {
            send(socket, whole.slice(0, Math.floor(whole.length / 2)));
          } else if (emulator.fault === 'endless') {
            send(socket, STX);
            endless = setInterval(() => {
              send(socket, '1.8.0(000000.000*kWh)\r\n'.repeat(256));
            }, 1);
          } else {
            send(socket, whole);
          }
        }
      }
      // A line without CR LF this long is nothing a meter would wait for.
      if (pending.length > 256) {
        pending = '';
      }
    });
  });
  const listening = await listen(server, { host: options.host, port: options.port });
  const emulator: IecEmulator = { ...listening, data: options.data, fault: 'none', received };
  return emulator;
}

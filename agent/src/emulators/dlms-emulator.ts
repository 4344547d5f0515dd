import { createServer, type Socket } from 'node:net';
import {
  cosemApplication,
  type CosemMeter,
  type DlmsFault,
  type DlmsMeterData,
  type DlmsRegister,
} from './dlms-cosem-server.ts';
import { type HdlcStation, serveHdlc } from './hdlc-emulator.ts';
import { listen, type Listening } from './listen.ts';

/**
 * An electricity meter speaking DLMS/COSEM over TCP, written from the DLMS UA Green and
 * Blue Books and not from the agent's reader: through the IEC 62056-47 wrapper, or over
 * HDLC (IEC 62056-46) as a meter behind a gateway that passes its line's frames. The
 * application layer is in dlms-cosem-server.ts, HDLC in hdlc-emulator.ts. It misbehaves
 * on demand. For the tests and the demo.
 */

export interface DlmsEmulator extends Listening, CosemMeter {
  data: DlmsMeterData;
  fault: DlmsFault;
  /** Each client SAP's LLS password; a SAP listed with undefined takes no authentication. */
  readonly clients: Map<number, string | undefined>;
  /** What the meter heard, for the tests: `SNRM`, `AARQ`, `GET 1.0.1.8.0.255/2`, `RLRQ`, `DISC`. */
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

/** [IEC 62056-47] the wrapper header: version 1, source wPort, destination wPort, APDU length. */
function serveWrapper(socket: Socket, meter: DlmsEmulator, logicalDevice: number): void {
  const answer = cosemApplication(meter);
  let pending = Buffer.alloc(0);
  let endless: NodeJS.Timeout | undefined;
  socket.once('close', () => {
    clearInterval(endless);
  });
  const send = (client: number, apdu: Buffer): void => {
    const header = Buffer.alloc(8);
    header.writeUInt16BE(1, 0);
    header.writeUInt16BE(logicalDevice, 2);
    header.writeUInt16BE(client, 4);
    header.writeUInt16BE(apdu.length, 6);
    const frame = Buffer.concat([header, apdu]);
    switch (meter.fault) {
      case 'garbage':
        socket.write(Buffer.from('\u00ff\u00fe#garbage#\u0000\u0081\r\n', 'latin1'));
        return;
      case 'truncated':
        socket.write(frame.subarray(0, Math.floor(frame.length / 2)));
        return;
      case 'oversized':
      case 'endless': {
        header.writeUInt16BE(meter.fault === 'oversized' ? 0xffff : 1000, 6);
        socket.write(Buffer.concat([header, apdu]));
        if (meter.fault === 'endless') {
          endless = setInterval(() => socket.write(Buffer.alloc(4096, 0x55)), 1);
        }
        return;
      }
      default:
        socket.write(frame);
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
      if (destination !== logicalDevice || meter.fault === 'silence') {
        continue;
      }
      const reply = answer(client, apdu);
      if (reply === 'hang-up') {
        socket.destroy();
        return;
      }
      if (reply) {
        send(client, reply);
      }
    }
  });
}

export async function startDlmsEmulator(options: {
  readonly data: DlmsMeterData;
  readonly clients: Map<number, string | undefined>;
  /** The logical device's wPort, or upper HDLC address (1 the management logical device). */
  readonly logicalDevice?: number;
  /** wrapper (the default) or hdlc, with the station's lower address and frame sizes. */
  readonly transport?: 'wrapper' | 'hdlc';
  readonly hdlc?: Partial<Omit<HdlcStation, 'upperAddress'>>;
  readonly host?: string;
  readonly port?: number;
}): Promise<DlmsEmulator> {
  const logicalDevice = options.logicalDevice ?? 1;
  const server = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    if (options.transport === 'hdlc') {
      serveHdlc(socket, emulator, {
        upperAddress: logicalDevice,
        lowerAddress: options.hdlc?.lowerAddress,
        maxInfoTransmit: options.hdlc?.maxInfoTransmit ?? 128,
        maxInfoReceive: options.hdlc?.maxInfoReceive ?? 128,
      });
    } else {
      serveWrapper(socket, emulator, logicalDevice);
    }
  });
  const listening = await listen(server, { host: options.host, port: options.port });
  const emulator: DlmsEmulator = {
    ...listening,
    data: options.data,
    fault: 'none',
    clients: options.clients,
    heard: [],
  };
  return emulator;
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  activePowerRequest,
  crc16Modbus,
  decodeActivePower,
  decodeEnergyArray,
  decodePowerValue,
  decodeReply,
  ENERGY_REPLY_BYTES,
  energyRequest,
  MercuryFrameError,
  openChannelRequest,
  replyComplete,
  STATUS_REPLY_BYTES,
} from './frame.ts';

interface Exchange {
  readonly what: string;
  readonly request: string;
  readonly reply: string;
}
const recorded = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/meters/mercury230__wb-mqtt-serial__exchanges.json', import.meta.url),
    'utf8',
  ),
) as { readonly exchanges: readonly Exchange[] };
const bytes = (hex: string): Buffer => Buffer.from(hex.replaceAll(' ', ''), 'hex');
const exchange = (what: string): Exchange => {
  const found = recorded.exchanges.find((entry) => entry.what.startsWith(what));
  if (!found) {
    throw new Error(`no recorded exchange "${what}"`);
  }
  return found;
};

describe('CRC-16/MODBUS', () => {
  it('gives the catalogue check value: "123456789" → 0x4B37 (reveng CRC catalogue, CRC-16/MODBUS)', () => {
    expect(crc16Modbus(Buffer.from('123456789', 'ascii'))).toBe(0x4b37);
  });

  it('gives the Modbus RTU example: 01 03 00 00 00 0A → C5 CD (low byte first)', () => {
    expect(crc16Modbus(bytes('01 03 00 00 00 0A'))).toBe(0xcdc5);
  });

  it('holds over every frame a Mercury 230 sent or was sent', () => {
    for (const { request, reply } of recorded.exchanges) {
      for (const frame of [bytes(request), bytes(reply)]) {
        expect(crc16Modbus(frame.subarray(0, -2))).toBe(frame.readUInt16LE(frame.length - 2));
      }
    }
  });
});

describe('Mercury requests', () => {
  it('are byte for byte the recorded ones', () => {
    expect(openChannelRequest(0, 1, Uint8Array.of(1, 1, 1, 1, 1, 1))).toEqual(
      bytes(exchange('open channel, level 1').request),
    );
    expect(openChannelRequest(0, 2, Uint8Array.of(0x12, 0x13, 0x14, 0x15, 0x16, 0x17))).toEqual(
      bytes(exchange('open channel, level 2').request),
    );
    expect(energyRequest(0, 0, 0)).toEqual(bytes(exchange('energy since reset').request));
  });

  it('ask for tariffs and the power of every phase with their parameters', () => {
    expect([...energyRequest(17, 0, 3).subarray(0, 4)]).toEqual([17, 0x05, 0x00, 0x03]);
    expect([...activePowerRequest(17).subarray(0, 4)]).toEqual([17, 0x08, 0x16, 0x00]);
  });

  it('refuse a password that is not 6 bytes', () => {
    expect(() => openChannelRequest(1, 1, Uint8Array.of(1, 1, 1))).toThrow(/6 bytes, not 3/);
  });
});

describe('Mercury replies', () => {
  it('decode the energy array in the meter byte order 2,1,4,3, in Wh, absent values as undefined', () => {
    const first = decodeEnergyArray(
      decodeReply(bytes(exchange('energy since reset').reply), 0, ENERGY_REPLY_BYTES),
    );
    expect(first).toEqual({
      activeImportWh: 3_196_200,
      activeExportWh: undefined,
      reactiveImportVarh: 300_444,
      reactiveExportVarh: undefined,
    });
    const later = decodeEnergyArray(
      decodeReply(bytes(exchange('the same a moment later').reply), 0, ENERGY_REPLY_BYTES),
    );
    expect(later.activeImportWh).toBe(3_196_201);
  });

  it('decode power in 0.01 W with the direction bits masked off the magnitude and giving its sign', () => {
    const sum = decodeReply(bytes(exchange('active power P (sum)').reply), 0, 6);
    // 0x48: bit 6 (reactive reversed) set, bit 7 (active) clear: +5530.95 W, not 0x48 0x70 0x87.
    expect(decodePowerValue(sum, 0)).toBe(5530.95);
    const phase = decodeReply(bytes(exchange('active power P1').reply), 0, 6);
    expect(decodePowerValue(phase, 0)).toBe(-5530.95);
  });

  it('decode the four values of 08h 16h: the sum and each phase', () => {
    const data = Buffer.from([0x00, 0x10, 0x27, 0x00, 0xe8, 0x03, 0x80, 0xe8, 0x03, 0x00, 0x00, 0x00]);
    expect(decodeActivePower(data)).toEqual({ totalW: 100, phasesW: [10, -10, 0] });
  });

  it('turn a status reply into the error it names', () => {
    const closed = bytes(exchange('a request when the channel is not open').reply);
    expect(() => decodeReply(closed, 0, 6)).toThrow(/status 5: the communication channel is not open/);
    try {
      decodeReply(closed, 0, 6);
    } catch (error) {
      expect(error).toBeInstanceOf(MercuryFrameError);
      expect((error as MercuryFrameError).status).toBe(5);
    }
    expect(decodeReply(bytes(exchange('open channel, level 1').reply), 0, STATUS_REPLY_BYTES)).toEqual(
      Buffer.from([0]),
    );
  });

  it('refuse a reply with a bad CRC, from another address, or of the wrong length', () => {
    const good = bytes(exchange('energy since reset').reply);
    const garbled = Buffer.from(good);
    garbled[5] = (garbled[5] ?? 0) ^ 0x01;
    expect(() => decodeReply(garbled, 0, ENERGY_REPLY_BYTES)).toThrow(/CRC-16 does not match/);
    // Address 0 asked of a broadcast accepts the meter's own; an explicit address must match.
    expect(() => decodeReply(good, 7, ENERGY_REPLY_BYTES)).toThrow(/network address 0, not 7/);
    expect(() => decodeReply(bytes(exchange('voltage U1').reply), 0, ENERGY_REPLY_BYTES)).toThrow(
      /6 bytes where 19 were expected/,
    );
  });

  it('know when a reply is whole: by its length, or a status in its place; too long is an error', () => {
    const energy = bytes(exchange('energy since reset').reply);
    expect(replyComplete(energy.subarray(0, 4), ENERGY_REPLY_BYTES)).toBe(false);
    expect(replyComplete(energy.subarray(0, 18), ENERGY_REPLY_BYTES)).toBe(false);
    expect(replyComplete(energy, ENERGY_REPLY_BYTES)).toBe(true);
    expect(
      replyComplete(bytes(exchange('a request when the channel is not open').reply), ENERGY_REPLY_BYTES),
    ).toBe(true);
    expect(() => replyComplete(Buffer.concat([energy, Buffer.from([0])]), ENERGY_REPLY_BYTES)).toThrow(
      /20 bytes where 19 were expected/,
    );
  });
});

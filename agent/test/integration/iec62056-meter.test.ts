// Reads an emulated IEC 62056-21 mode C meter behind a transparent TCP gateway (real
// sockets) the way the agent does, from a configuration entry, through every way the
// readout can fail.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { iecDataLines, startIecEmulator, type IecEmulator } from '../../src/emulators/iec62056-emulator.ts';
import { listen } from '../../src/emulators/listen.ts';
import { GatewayLink, withEvenParity } from '../../src/meters/gateway-link.ts';
import { MeterError } from '../../src/meters/modbus-meter.ts';
import { readConfiguredMeter } from '../../src/meters/read-meter.ts';
import { meterEntry } from '../meter-config.ts';

const running: IecEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((meter) => meter.close()));
});

const at = new Date('2026-12-07T10:00:00Z');
const limits = { connectTimeoutMs: 2_000, timeoutMs: 2_000, now: () => at };

async function meter(lines: string[], deviceAddress = '00012345'): Promise<IecEmulator> {
  const emulator = await startIecEmulator({ deviceAddress, identification: 'ABC5\\2MK382', data: { lines } });
  running.push(emulator);
  return emulator;
}

function entry(emulator: IecEmulator, settings: Record<string, unknown> = {}) {
  return meterEntry({
    name: 'hall-b',
    protocol: 'iec62056-21',
    host: emulator.host,
    port: emulator.port,
    ...settings,
  });
}

const figures = { serial: '00012345', tariffKwh: [12_345.678, 4_321.5, 0, 0.25], powerKw: 187.25 };

describe('IEC 62056-21 mode C through a TCP gateway', () => {
  it('reads a meter that writes the OBIS medium (1-0:), in kWh and kW, by its device address', async () => {
    const emulator = await meter(iecDataLines({ ...figures, medium: true }));
    const read = await readConfiguredMeter(
      entry(emulator, { address: '00012345', tariffs: { 1: 'peak', 2: 'normal', 3: 'off-peak' } }),
      limits,
    );
    expect(read.sample).toEqual({
      meter: 'hall-b',
      serial: '00012345',
      at: at.toISOString(),
      energyWh: 16_667_428,
      powerW: 187_250,
      tariffEnergyWh: { peak: 12_345_678, normal: 4_321_500, 'off-peak': 0 },
    });
    // The acknowledgement takes the meter's baud rate character and asks for a data readout.
    expect(emulator.received).toEqual(['/?00012345!', '\u0006050']);
  });

  it('reads one that leaves the medium out and counts in Wh and W, every tariff when none is named', async () => {
    const emulator = await meter(iecDataLines({ ...figures, baseUnits: true }));
    const read = await readConfiguredMeter(entry(emulator, { transformerRatio: 2 }), limits);
    expect(read.sample).toMatchObject({ energyWh: 16_667_428 * 2, powerW: 187_250 * 2, serial: '00012345' });
    expect(read.sample.tariffEnergyWh).toEqual({ T1: 24_691_356, T2: 8_643_000, T3: 0, T4: 500 });
  });

  it("reads the EMH meter's published readout, which has no power: an error naming what is missing", async () => {
    const published = JSON.parse(
      readFileSync(
        new URL('../fixtures/meters/iec62056-21__emh_em4tii__readout.json', import.meta.url),
        'utf8',
      ),
    ) as { dataMessage: string };
    const block = published.dataMessage.slice(1, published.dataMessage.indexOf('!\r\n\u0003'));
    const lines = block.split('\r\n').filter((line) => line !== '');
    const emulator = await meter(lines);
    await expect(readConfiguredMeter(entry(emulator), limits)).rejects.toThrow(
      /no instantaneous active power \(1\.7\.0, 16\.7\.0 or 15\.7\.0\)/,
    );
    emulator.data.lines = [...lines, '1-0:1.7.0*255(0001.250*kW)'];
    const read = await readConfiguredMeter(entry(emulator), limits);
    expect(read.sample).toMatchObject({ serial: '03878504', energyWh: 0, powerW: 1_250 });
  });

  it('asks once more (NAK) for a data message garbled on the line', async () => {
    const emulator = await meter(iecDataLines(figures));
    emulator.fault = 'bad-bcc-once';
    const read = await readConfiguredMeter(entry(emulator), limits);
    expect(read.sample.energyWh).toBe(16_667_428);
    expect(emulator.received).toEqual(['/?!', '\u0006050', '\u0015']);
  });

  it('sets and strips the 7E1 parity bit itself behind a gateway whose port is 8N1', async () => {
    const emulator = await startIecEmulator({
      deviceAddress: '',
      identification: 'ABC5\\2MK382',
      data: { lines: iecDataLines(figures) },
      parityInBytes: true,
    });
    running.push(emulator);
    // Without the setting the meter hears noise: '/' (0x2F) has odd parity.
    await expect(readConfiguredMeter(entry(emulator), { ...limits, timeoutMs: 300 })).rejects.toThrow(
      /no whole reply to the request/,
    );
    const read = await readConfiguredMeter(
      entry(emulator, { parityInBytes: true, baudRateCharacter: '0' }),
      limits,
    );
    expect(read.sample).toMatchObject({ energyWh: 16_667_428, powerW: 187_250, serial: '00012345' });
    // A gateway fixed at 300 Bd: the acknowledgement keeps the meter at the sign-on speed.
    expect(emulator.received.at(-1)).toBe('\u0006000');
  });

  it("sets parity as the standard's 7E1 line does, and fails on a byte whose parity is wrong", async () => {
    // The 7E1 form of bytes 01 02 03 04, as wirenboard/wb-mqtt-serial's test/iec_test.cpp has it.
    expect([...withEvenParity(Uint8Array.of(0x01, 0x02, 0x03, 0x04))]).toEqual([0x81, 0x82, 0x03, 0x84]);
    // A line that is not 7E1 after all: '/' (0x2F, five ones) comes without its parity bit.
    const server = createServer((socket) => {
      socket.on('error', () => socket.destroy());
      socket.once('data', () => socket.write('/ABC5MK382\r\n'));
    });
    const where = await listen(server, {});
    const link = await GatewayLink.open({ host: where.host, port: where.port, parityInBytes: true }, 2_000);
    try {
      await expect(
        link.exchange({
          step: 'the request',
          request: Buffer.from('/?!\r\n'),
          complete: () => false,
          timeoutMs: 2_000,
          maxBytes: 128,
        }),
      ).rejects.toThrow(/a byte with odd parity came: noise, or the line is not 7E1/);
    } finally {
      link.close();
      await where.close();
    }
  });

  it('refuses a reading from another meter than the configuration names', async () => {
    const emulator = await meter(iecDataLines(figures));
    await expect(readConfiguredMeter(entry(emulator, { serial: '99999999' }), limits)).rejects.toThrow(
      /reports serial 00012345, the configuration says 99999999: another meter answers at this address/,
    );
  });

  it('takes the units of a meter that sends none from its settings', async () => {
    const emulator = await meter(['C.1.0(42)', '1.8.0(000100.5)', '1.7.0(2.5)']);
    await expect(readConfiguredMeter(entry(emulator), limits)).rejects.toThrow(
      /1\.8\.0\(000100\.5\) has no unit/,
    );
    const read = await readConfiguredMeter(
      entry(emulator, { units: { energy: 'kWh', power: 'kW' } }),
      limits,
    );
    expect(read.sample).toMatchObject({ energyWh: 100_500, powerW: 2_500 });
  });

  describe('fails with the reason, never a zero reading, never a hung poll', () => {
    const failures: [string, IecEmulator['fault'], Record<string, unknown>, RegExp][] = [
      ['a bad BCC', 'bad-bcc', {}, /data message BCC 0x[0-9a-f]{2} does not match its bytes/],
      ['silence', 'silence', {}, /no whole reply to the request \(\/\?…!\) within \d+ ms \(0 bytes came\)/],
      ['garbage', 'garbage', {}, /not an identification message: ".*#garbage#/],
      [
        'a truncated data message',
        'truncated',
        {},
        /no whole reply to the acknowledgement \(data readout\) within \d+ ms \(\d+ bytes came\)/,
      ],
      ['a data message without end', 'endless', {}, /reply over 65536 bytes/],
      ['a meter in mode B', 'mode-b', {}, /baud rate character "C" is not mode C/],
      ['a request for another device address', 'none', { address: '777' }, /no whole reply to the request/],
    ];
    for (const [what, fault, settings, reason] of failures) {
      it(what, async () => {
        const emulator = await meter(iecDataLines(figures));
        emulator.fault = fault;
        const reading = readConfiguredMeter(entry(emulator, settings), { ...limits, timeoutMs: 500 });
        await expect(reading).rejects.toThrow(MeterError);
        await expect(reading).rejects.toThrow(reason);
        await expect(reading).rejects.toThrow(/^meter hall-b: 127\.0\.0\.1:\d+ \(iec62056-21\): /);
      });
    }
  });
});

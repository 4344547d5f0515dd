// Reads an emulated DLMS/COSEM meter over TCP (IEC 62056-47 wrapper, real sockets) the way
// the agent does, from a configuration entry, through every way the association and the
// GETs can fail, hostile replies included.
import { describe, expect, it } from 'vitest';
import { dlmsRegisters, startDlmsEmulator, type DlmsEmulator } from '../../src/emulators/dlms-emulator.ts';
import { MeterError } from '../../src/meters/modbus-meter.ts';
import { readConfiguredMeter } from '../../src/meters/read-meter.ts';
import { at, closedAfterEach, figures, limits } from '../dlms-meter-fixture.ts';
import { loadMeters, meterEntry } from '../meter-config.ts';

const running = closedAfterEach();

async function meter(
  clients = new Map<number, string | undefined>([
    [16, undefined],
    [32, 'ABCDEFGH'],
  ]),
) {
  const emulator = await startDlmsEmulator({
    data: { registers: dlmsRegisters(figures), serial: '14250012' },
    clients,
  });
  running.push(emulator);
  return emulator;
}

function entry(emulator: DlmsEmulator, settings: Record<string, unknown> = {}) {
  return meterEntry({
    name: 'hall-c',
    protocol: 'dlms',
    host: emulator.host,
    port: emulator.port,
    ...settings,
  });
}

describe('DLMS/COSEM over TCP (IEC 62056-47)', () => {
  it('associates with the LLS password, reads total, tariffs, power and serial, and releases', async () => {
    const emulator = await meter();
    const read = await readConfiguredMeter(
      entry(emulator, {
        clientAddress: 32,
        password: 'ABCDEFGH',
        tariffs: { 1: 'peak', 2: 'normal', 3: 'off-peak' },
      }),
      limits,
    );
    expect(read.sample).toEqual({
      meter: 'hall-c',
      serial: '14250012',
      at: at.toISOString(),
      energyWh: 16_667_420,
      powerW: 187_250.5,
      tariffEnergyWh: { peak: 12_345_670, normal: 4_321_500, 'off-peak': 0 },
    });
    expect(emulator.heard).toEqual([
      'AARQ',
      'GET 1.0.1.8.0.255/2',
      'GET 1.0.1.8.0.255/3',
      ...[1, 2, 3].flatMap((t) => [`GET 1.0.1.8.${String(t)}.255/2`, `GET 1.0.1.8.${String(t)}.255/3`]),
      'GET 1.0.1.7.0.255/2',
      'GET 1.0.1.7.0.255/3',
      'GET 0.0.96.1.0.255/2',
      'RLRQ',
    ]);
  });

  it('reads as the public client without a password, every tariff by default, times the transformer ratio', async () => {
    const emulator = await meter();
    const read = await readConfiguredMeter(entry(emulator, { transformerRatio: 40 }), limits);
    expect(read.sample).toMatchObject({ energyWh: 16_667_420 * 40, powerW: 187_250.5 * 40 });
    expect(read.sample.tariffEnergyWh).toEqual({ T1: 493_826_800, T2: 172_860_000, T3: 0, T4: 10_000 });
  });

  it('takes a tariff the meter does not have as absent, and other value types and scalers', async () => {
    const emulator = await meter();
    emulator.data.registers.delete('1.0.1.8.4.255');
    emulator.data.registers.set('1.0.1.8.0.255', { value: 16_667, type: 0x15, scaler: 3, unit: 30 });
    emulator.data.registers.set('1.0.1.7.0.255', { value: 187.25, type: 0x17, scaler: 3, unit: 27 });
    emulator.data.serial = undefined;
    const read = await readConfiguredMeter(entry(emulator), limits);
    expect(read.sample).toEqual({
      meter: 'hall-c',
      at: at.toISOString(),
      energyWh: 16_667_000,
      powerW: 187_250,
      tariffEnergyWh: { T1: 12_345_670, T2: 4_321_500, T3: 0 },
    });
  });

  it('uses port 4059 when the entry names none, and refuses a password without its client SAP', () => {
    expect(meterEntry({ name: 'm', protocol: 'dlms', host: '10.0.9.7' }).port).toBe(4059);
    expect(() =>
      loadMeters([{ name: 'm', protocol: 'dlms', host: '10.0.9.7', password: 'x'.repeat(33), address: 3 }]),
    ).toThrow(
      /meters\.0\.address: not a setting of dlms meters[\s\S]*meters\.0\.password: \(the value given, not shown\) must be 1–32 printable ASCII characters/,
    );
    expect(() => loadMeters([{ name: 'm', protocol: 'dlms', host: '10.0.9.7', password: 'secret' }])).toThrow(
      /meters\.0\.clientAddress: missing; a password is for the client SAP/,
    );
  });

  it('reads a meter that keeps its serial from this client, but fails on a register it refuses', async () => {
    const emulator = await meter();
    emulator.data.denied = new Set(['0.0.96.1.0.255']);
    const read = await readConfiguredMeter(entry(emulator, { serial: '14250012' }), limits);
    expect(read.sample).toMatchObject({ serial: '14250012', energyWh: 16_667_420, powerW: 187_250.5 });
    expect(emulator.heard.slice(-2)).toEqual(['GET 0.0.96.1.0.255/2', 'RLRQ']);
    emulator.data.denied = new Set(['1.0.1.8.2.255']);
    await expect(readConfiguredMeter(entry(emulator), limits)).rejects.toThrow(
      /GET 1\.0\.1\.8\.2\.255 attribute 2: the meter refused it: read-write denied/,
    );
  });

  it('refuses a reading from another meter than the configuration names', async () => {
    const emulator = await meter();
    await expect(readConfiguredMeter(entry(emulator, { serial: '99999999' }), limits)).rejects.toThrow(
      /reports serial 14250012, the configuration says 99999999: another meter answers at this address/,
    );
  });

  describe('fails with the reason, never a zero reading, never a hung poll', () => {
    const lls = { clientAddress: 32, password: 'ABCDEFGH' };
    const failures: [string, (meter: DlmsEmulator) => void, Record<string, unknown>, RegExp][] = [
      [
        'a wrong password',
        () => undefined,
        { clientAddress: 32, password: 'WRONG' },
        /refused the association \(permanently\): authentication failure: wrong password/,
      ],
      [
        'no password where one is needed',
        () => undefined,
        { clientAddress: 32 },
        /authentication mechanism required/,
      ],
      [
        'a client SAP the meter does not know',
        () => undefined,
        { clientAddress: 99, password: 'x' },
        /refused the association \(permanently\): no reason given/,
      ],
      [
        'another logical device',
        () => undefined,
        { ...lls, logicalDevice: 17 },
        /no whole reply to the association \(AARQ\) within \d+ ms \(0 bytes came\)/,
      ],
      [
        'silence',
        (m) => (m.fault = 'silence'),
        lls,
        /no whole reply to the association \(AARQ\) within \d+ ms/,
      ],
      [
        'garbage',
        (m) => (m.fault = 'garbage'),
        lls,
        /wrapper version 65534, not 1: not a DLMS\/COSEM TCP reply/,
      ],
      [
        'a truncated reply',
        (m) => (m.fault = 'truncated'),
        lls,
        /no whole reply to the association \(AARQ\) within \d+ ms \(\d+ bytes came\)/,
      ],
      [
        'an APDU of 65 535 bytes announced',
        (m) => (m.fault = 'oversized'),
        lls,
        /announces a 65535-byte APDU, over the 1024 the agent said it takes/,
      ],
      ['an APDU streamed without end', (m) => (m.fault = 'endless'), lls, /reply over 1032 bytes/],
      [
        'a response to another invoke id',
        (m) => (m.fault = 'wrong-invoke-id'),
        lls,
        /GET 1\.0\.1\.8\.0\.255 attribute 2: a response to invoke id 6, not 1/,
      ],
      [
        'an exception response',
        (m) => (m.fault = 'exception'),
        lls,
        /GET 1\.0\.1\.8\.0\.255 attribute 2: the meter answered with an exception \(0102\)/,
      ],
      [
        'a structure that claims more elements than it holds',
        (m) => (m.fault = 'lying-count'),
        lls,
        /127 elements announced, 2 bytes left/,
      ],
      ['a hang-up mid-read', (m) => (m.fault = 'hang-up'), lls, /the gateway closed the connection/],
      [
        'no energy total',
        (m) => m.data.registers.delete('1.0.1.8.0.255'),
        lls,
        /no active energy import total \(1\.0\.1\.8\.0\.255: object undefined\)/,
      ],
      ['no power', (m) => m.data.registers.delete('1.0.1.7.0.255'), lls, /no instantaneous active power/],
      [
        'energy in varh',
        (m) => m.data.registers.set('1.0.1.8.0.255', { value: 1, scaler: 0, unit: 32 }),
        lls,
        /active energy import \(1\.0\.1\.8\.0\.255\) is in COSEM unit 32, not 30 \(Wh\)/,
      ],
      [
        'a NaN power',
        (m) => m.data.registers.set('1.0.1.7.0.255', { value: Number.NaN, type: 0x17, scaler: 0, unit: 27 }),
        lls,
        /active power is NaN/,
      ],
    ];
    for (const [what, misbehave, settings, reason] of failures) {
      it(what, async () => {
        const emulator = await meter();
        misbehave(emulator);
        const reading = readConfiguredMeter(entry(emulator, settings), { ...limits, timeoutMs: 500 });
        await expect(reading).rejects.toThrow(MeterError);
        await expect(reading).rejects.toThrow(reason);
        await expect(reading).rejects.toThrow(/^meter hall-c: 127\.0\.0\.1:\d+ \(dlms\): /);
      });
    }
  });
});

// Reads an emulated DLMS/COSEM meter over HDLC (IEC 62056-46), as through an RS-485 or
// optical gateway that passes frames as they are, over real sockets: the same COSEM
// application as over the TCP wrapper, carried in frames with their own addresses, checks,
// sequence numbers and segments, and every way that link can fail.
import { describe, expect, it } from 'vitest';
import type { DlmsFault } from '../../src/emulators/dlms-cosem-server.ts';
import { dlmsRegisters, startDlmsEmulator, type DlmsEmulator } from '../../src/emulators/dlms-emulator.ts';
import { MeterError } from '../../src/meters/modbus-meter.ts';
import { readConfiguredMeter } from '../../src/meters/read-meter.ts';
import { at, closedAfterEach, figures, limits } from '../dlms-meter-fixture.ts';
import { loadMeters, meterEntry } from '../meter-config.ts';

const running = closedAfterEach();
const lls = { clientAddress: 32, password: 'ABCDEFGH' };

/** A meter at upper HDLC address 1, lower 17 (or a one-byte address), with frame sizes of its own. */
async function meter(
  station: { lowerAddress?: number | undefined; maxInfoTransmit?: number; maxInfoReceive?: number } = {},
) {
  const emulator = await startDlmsEmulator({
    data: { registers: dlmsRegisters(figures), serial: '14250012' },
    clients: new Map<number, string | undefined>([
      [16, undefined],
      [32, 'ABCDEFGH'],
    ]),
    transport: 'hdlc',
    hdlc: { lowerAddress: 'lowerAddress' in station ? station.lowerAddress : 17, ...station },
  });
  running.push(emulator);
  return emulator;
}

function entry(emulator: DlmsEmulator, settings: Record<string, unknown> = {}) {
  return meterEntry({
    name: 'feeder-2',
    protocol: 'dlms',
    transport: 'hdlc',
    host: emulator.host,
    port: emulator.port,
    physicalAddress: 17,
    ...settings,
  });
}

describe('DLMS/COSEM over HDLC through a gateway (IEC 62056-46)', () => {
  it('connects the link, associates, reads, releases and disconnects, with a 2-byte server address', async () => {
    const emulator = await meter();
    const read = await readConfiguredMeter(
      entry(emulator, { ...lls, tariffs: { 1: 'peak', 2: 'normal' } }),
      limits,
    );
    expect(read.sample).toEqual({
      meter: 'feeder-2',
      serial: '14250012',
      at: at.toISOString(),
      energyWh: 16_667_420,
      powerW: 187_250.5,
      tariffEnergyWh: { peak: 12_345_670, normal: 4_321_500 },
    });
    // The same COSEM exchange as over the wrapper, between the link's connection and disconnection.
    const wrapped = await startDlmsEmulator({
      data: { registers: dlmsRegisters(figures), serial: '14250012' },
      clients: new Map([[32, 'ABCDEFGH']]),
    });
    running.push(wrapped);
    await readConfiguredMeter(
      meterEntry({
        name: 'feeder-2',
        protocol: 'dlms',
        host: wrapped.host,
        port: wrapped.port,
        ...lls,
        tariffs: { 1: 'peak', 2: 'normal' },
      }),
      limits,
    );
    expect(wrapped.heard).toHaveLength(11);
    expect(emulator.heard).toEqual(['SNRM', ...wrapped.heard, 'DISC']);
  });

  it('addresses a meter in 4 bytes, or by its upper address alone in one, as the public client', async () => {
    const four = await meter();
    const read = await readConfiguredMeter(entry(four, { serverAddressBytes: 4, tariffs: {} }), limits);
    expect(read.sample).toMatchObject({ energyWh: 16_667_420, powerW: 187_250.5 });
    const one = await meter({ lowerAddress: undefined });
    const oneByte = meterEntry({
      name: 'feeder-2',
      protocol: 'dlms',
      transport: 'hdlc',
      host: one.host,
      port: one.port,
      tariffs: {},
    });
    await expect(readConfiguredMeter(oneByte, limits)).resolves.toMatchObject({
      sample: { energyWh: 16_667_420 },
    });
  });

  it('cuts a long request into segments and collects a segmented reply with RR, in 32-byte frames', async () => {
    const emulator = await meter({ maxInfoTransmit: 32, maxInfoReceive: 32 });
    const read = await readConfiguredMeter(entry(emulator, { ...lls, tariffs: {} }), limits);
    expect(read.sample).toMatchObject({ serial: '14250012', energyWh: 16_667_420, powerW: 187_250.5 });
    // The AARQ with its password (62 bytes with the LLC header) goes in two segments, the
    // meter taking the first with RR; the AARE (46 bytes) comes in two, the agent asking for the second with RR.
    expect(emulator.heard.slice(0, 4)).toEqual(['SNRM', 'segment', 'AARQ', 'RR']);
    expect(emulator.heard.at(-1)).toBe('DISC');
  });

  it('runs the same application layer: a wrong password is refused as over the wrapper', async () => {
    const emulator = await meter();
    await expect(
      readConfiguredMeter(entry(emulator, { clientAddress: 32, password: 'WRONG' }), limits),
    ).rejects.toThrow(/refused the association \(permanently\): authentication failure: wrong password/);
  });

  it('takes hdlc settings only with the hdlc transport, and wants the gateway port', () => {
    expect(() => loadMeters([{ name: 'm', protocol: 'dlms', transport: 'hdlc', host: '10.0.9.7' }])).toThrow(
      /meters\.0\.port: missing; give the TCP port of the meter's gateway/,
    );
    expect(() =>
      loadMeters([{ name: 'm', protocol: 'dlms', host: '10.0.9.7', physicalAddress: 17 }]),
    ).toThrow(/meters\.0\.physicalAddress: only for transport hdlc/);
    expect(() =>
      loadMeters([
        {
          name: 'm',
          protocol: 'dlms',
          transport: 'hdlc',
          host: 'h',
          port: 7001,
          physicalAddress: 300,
          serverAddressBytes: 2,
        },
      ]),
    ).toThrow(/meters\.0\.physicalAddress: over 127, the most a 2-byte server address holds/);
    expect(
      loadMeters([
        { name: 'm', protocol: 'dlms', transport: 'hdlc', host: 'h', port: 7001, physicalAddress: 300 },
      ])[0],
    ).toMatchObject({ transport: 'hdlc', physicalAddress: 300 });
  });

  describe('fails with the reason, never a zero reading, never a hung poll', () => {
    const failures: [string, DlmsFault | ((meter: DlmsEmulator) => void), Record<string, unknown>, RegExp][] =
      [
        [
          'a corrupted frame check sequence',
          'bad-fcs',
          lls,
          /the data link \(SNRM\): frame check sequence [0-9a-f]+, the frame's bytes give [0-9a-f]+: corrupted on the line/,
        ],
        [
          'a corrupted header check sequence',
          'bad-hcs',
          lls,
          /the data link \(SNRM\): header check sequence [0-9a-f]+, the header gives [0-9a-f]+: corrupted on the line/,
        ],
        [
          'DM in reply to SNRM',
          'dm',
          lls,
          /the data link \(SNRM\): the meter answered DM \(disconnected mode\): it has no data link with this client/,
        ],
        [
          'FRMR',
          'frmr',
          lls,
          /the association \(AARQ\): the meter rejected the frame \(FRMR of control 0x10: a control field it does not implement\)/,
        ],
        [
          'silence',
          'silence',
          lls,
          /no whole reply to the data link \(SNRM\) within \d+ ms \(0 bytes came\)/,
        ],
        ['garbage', 'garbage', lls, /the reply starts with 0xfffe236761726261, not the HDLC flag 7e/],
        [
          'a truncated frame',
          'truncated',
          lls,
          /no whole reply to the data link \(SNRM\) within \d+ ms \(\d+ bytes came\)/,
        ],
        [
          'segments without end',
          'endless',
          lls,
          /the association \(AARQ\): the reply passes 1024 bytes after 9 segments/,
        ],
        [
          'a frame out of sequence',
          'out-of-sequence',
          lls,
          /the association \(AARQ\): a frame out of sequence: N\(S\) 1, the agent expected 0/,
        ],
        ['a hang-up mid-read', 'hang-up', lls, /: the gateway closed the connection$/],
        [
          'another physical address on the line',
          () => undefined,
          { ...lls, physicalAddress: 18 },
          /no whole reply to the data link \(SNRM\)/,
        ],
      ];
    for (const [what, fault, settings, reason] of failures) {
      it(what, async () => {
        const emulator = await meter();
        if (typeof fault === 'function') {
          fault(emulator);
        } else {
          emulator.fault = fault;
        }
        const reading = readConfiguredMeter(entry(emulator, settings), { ...limits, timeoutMs: 500 });
        await expect(reading).rejects.toThrow(MeterError);
        await expect(reading).rejects.toThrow(reason);
        await expect(reading).rejects.toThrow(/^meter feeder-2: 127\.0\.0\.1:\d+ \(dlms over HDLC\): /);
      });
    }
  });
});

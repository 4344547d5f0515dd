// Reads an emulated Mercury 230 behind a transparent TCP gateway (real sockets) the way
// the agent does, from a configuration entry, through every way the read can fail.
import { afterEach, describe, expect, it } from 'vitest';
import { startMercuryEmulator, type MercuryEmulator } from '../../src/emulators/mercury-emulator.ts';
import { MeterError } from '../../src/meters/modbus-meter.ts';
import { readConfiguredMeter, readMeters } from '../../src/meters/read-meter.ts';
import { meterEntry } from '../meter-config.ts';

const running: MercuryEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((meter) => meter.close()));
});

const at = new Date('2026-12-07T10:00:00Z');
const limits = { connectTimeoutMs: 2_000, timeoutMs: 2_000, now: () => at };

async function meter(): Promise<MercuryEmulator> {
  const emulator = await startMercuryEmulator({
    address: 17,
    readings: {
      // 3 196 200 Wh over four tariffs, as the recorded 230AR-02 held in total.
      tariffWh: [2_000_000, 1_000_000, 196_200, 0],
      phaseW: [5_530.95, 4_200.5, 3_900],
      reactiveVarh: 300_444,
    },
  });
  running.push(emulator);
  return emulator;
}

function entry(emulator: MercuryEmulator, settings: Record<string, unknown> = {}, environment = {}) {
  return meterEntry(
    {
      name: 'substation-1',
      protocol: 'mercury230',
      host: emulator.host,
      port: emulator.port,
      address: 17,
      ...settings,
    },
    environment,
  );
}

describe('Mercury 230 through a TCP gateway', () => {
  it('opens the channel with the factory password, reads energy per tariff and power, closes it', async () => {
    const emulator = await meter();
    const read = await readConfiguredMeter(entry(emulator, { tariffs: { 1: 'day', 2: 'night' } }), limits);
    expect(read).toEqual({
      sample: {
        meter: 'substation-1',
        at: at.toISOString(),
        energyWh: 3_196_200,
        powerW: 13_631.45,
        tariffEnergyWh: { day: 2_000_000, night: 1_000_000 },
      },
    });
    expect(emulator.requests).toEqual([
      [0x01, 1, 1, 1, 1, 1, 1, 1],
      [0x05, 0x00, 0x00],
      [0x05, 0x00, 0x01],
      [0x05, 0x00, 0x02],
      [0x08, 0x16, 0x00],
      [0x02],
    ]);
  });

  it('reads every tariff when none is named, and scales by the transformer ratio', async () => {
    const emulator = await meter();
    const read = await readConfiguredMeter(entry(emulator, { transformerRatio: 40 }), limits);
    expect(read.sample.energyWh).toBe(3_196_200 * 40);
    expect(read.sample.powerW).toBeCloseTo(13_631.45 * 40, 6);
    expect(read.sample.tariffEnergyWh).toEqual({ T1: 80_000_000, T2: 40_000_000, T3: 7_848_000, T4: 0 });
  });

  it('reports power sent back to the grid as negative, from the direction bit', async () => {
    const emulator = await meter();
    emulator.readings.phaseW = [-1_000, -500.25, 0];
    const read = await readConfiguredMeter(entry(emulator), limits);
    expect(read.sample.powerW).toBe(-1_500.25);
  });

  it('opens with a password from a variable, in ASCII, at the administrator level', async () => {
    const emulator = await startMercuryEmulator({
      address: 17,
      readings: { tariffWh: [1, 2, 3, 4], phaseW: [1, 1, 1], reactiveVarh: 0 },
      passwords: { user: Buffer.from('111111'), admin: Buffer.from('s3cr3t') },
    });
    running.push(emulator);
    const read = await readConfiguredMeter(
      entry(
        emulator,
        { accessLevel: 2, passwordEnv: 'MERCURY_ADMIN', passwordEncoding: 'ascii', tariffs: {} },
        { MERCURY_ADMIN: 's3cr3t' },
      ),
      limits,
    );
    expect(read.sample.energyWh).toBe(10);
    expect(emulator.requests[0]).toEqual([0x01, 2, ...Buffer.from('s3cr3t')]);
  });

  it('opens the channel again when the meter says it is closed, and reads on', async () => {
    const emulator = await meter();
    emulator.fault = 'channel-closed';
    const read = await readConfiguredMeter(entry(emulator, { tariffs: {} }), limits);
    expect(read.sample.energyWh).toBe(3_196_200);
    expect(emulator.requests.map(([code]) => code)).toEqual([0x01, 0x05, 0x01, 0x05, 0x08, 0x02]);
  });

  it('answers a broadcast (address 0) from the one meter on the line', async () => {
    const emulator = await meter();
    const read = await readConfiguredMeter(entry(emulator, { address: 0, tariffs: {} }), limits);
    expect(read.sample.energyWh).toBe(3_196_200);
  });

  it('reads meters behind one gateway one after another, and says which failed', async () => {
    const emulator = await meter();
    const first = entry(emulator, { tariffs: {} });
    const results = await readMeters(
      [first, { ...first, name: 'substation-2', address: 18 }, { ...first, name: 'substation-3' }],
      { ...limits, timeoutMs: 300 },
    );
    expect(
      results.map((result) => (result instanceof MeterError ? result.message : result.sample.energyWh)),
    ).toEqual([
      3_196_200,
      expect.stringMatching(/^meter substation-2: .*no whole reply to open channel/),
      3_196_200,
    ]);
    // Read at once, the two sessions' requests would interleave on the line.
    expect(emulator.requests.map(([code]) => code)).toEqual([0x01, 0x05, 0x08, 0x02, 0x01, 0x05, 0x08, 0x02]);
  });

  describe('fails with the reason, never a zero reading, never a hung poll', () => {
    const failures: [string, (emulator: MercuryEmulator) => void, Record<string, unknown>, RegExp][] = [
      [
        'a wrong password',
        () => undefined,
        { password: '123456' },
        /refused to open the channel at access level 1 \(open channel: meter answered status 1: invalid command or parameter\): check the password/,
      ],
      [
        'a level too low for the request',
        (emulator) => {
          emulator.readLevel = 2;
        },
        {},
        /read energy \(all tariffs\): meter answered status 3: access level insufficient/,
      ],
      [
        'a bad CRC',
        (emulator) => (emulator.fault = 'bad-crc'),
        {},
        /open channel: reply CRC-16 does not match/,
      ],
      [
        'silence',
        (emulator) => (emulator.fault = 'silence'),
        {},
        /no whole reply to open channel within \d+ ms \(0 bytes came\)/,
      ],
      ['garbage', (emulator) => (emulator.fault = 'garbage'), {}, /reply of \d+ bytes where 4 were expected/],
      [
        'a truncated frame',
        (emulator) => (emulator.fault = 'truncated'),
        {},
        /no whole reply to read energy \(all tariffs\) within \d+ ms \(9 bytes came\)/,
      ],
      [
        'an oversized reply',
        (emulator) => (emulator.fault = 'oversized'),
        {},
        /(read energy \(all tariffs\): reply of \d+ bytes where 19 were expected|reply over 64 bytes)/,
      ],
      [
        'another meter answering',
        (emulator) => (emulator.fault = 'wrong-address'),
        {},
        /open channel: reply from network address 18, not 17/,
      ],
    ];
    for (const [what, misbehave, settings, reason] of failures) {
      it(what, async () => {
        const emulator = await meter();
        misbehave(emulator);
        const reading = readConfiguredMeter(entry(emulator, settings), { ...limits, timeoutMs: 500 });
        await expect(reading).rejects.toThrow(MeterError);
        await expect(reading).rejects.toThrow(reason);
        await expect(reading).rejects.toThrow(/^meter substation-1: 127\.0\.0\.1:\d+ \(mercury230\): /);
      });
    }

    it('a gateway that is not there', async () => {
      const emulator = await meter();
      const settings = entry(emulator);
      await emulator.goOffline();
      await expect(readConfiguredMeter(settings, limits)).rejects.toThrow(/\(mercury230\): ECONNREFUSED/);
    });
  });
});

// Starts emulated energy meters on real Modbus TCP ports (modbus-serial's server) with
// the SDM630 and PM5xxx register maps, and reads them as the agent does.
import { afterEach, describe, expect, it } from 'vitest';
import { startMeterEmulator, type MeterEmulator } from '../../src/emulators/meter-emulator.ts';
import { MeterError, readMeter } from '../../src/meters/modbus-meter.ts';
import {
  REGISTER_MAPS,
  decodeRegisters,
  encodeRegisters,
  type RegisterSpec,
} from '../../src/meters/register-maps.ts';

const running: MeterEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((meter) => meter.close()));
});

let clock = 1_764_000_000_000;
const now = (): number => clock;
const options = { timeoutMs: 1_000, now: () => new Date(clock) };

describe('Modbus TCP meters', () => {
  it('reads an SDM630: total power (W) from 0x0034, imported energy (kWh) from 0x0048, in W and Wh', async () => {
    const meter = await startMeterEmulator({
      registers: REGISTER_MAPS.sdm630,
      unitId: 1,
      port: 15020,
      powerW: 312_500,
      energyWh: 4_000_000,
      now,
    });
    running.push(meter);
    const settings = {
      name: 'hall-a',
      host: meter.host,
      port: meter.port,
      model: 'sdm630' as const,
      registerBase: 0,
    };
    expect(await readMeter(settings, options)).toEqual({
      meter: 'hall-a',
      at: new Date(clock).toISOString(),
      powerW: 312_500,
      energyWh: 4_000_000,
    });
    clock += 3_600_000;
    // An hour at 312.5 kW: 312.5 kWh more, to float32's 7 digits of the kWh register.
    const later = await readMeter(settings, options);
    expect(later.energyWh).toBeCloseTo(4_312_500, -1);
  });

  it('reads a PM5560 whose manual counts registers from 1, at unit 255, kW scaled to W', async () => {
    const meter = await startMeterEmulator({
      registers: REGISTER_MAPS.pm5xxx,
      unitId: 255,
      registerBase: 1,
      port: 15021,
      powerW: 1_250_000,
      energyWh: 987_654_000,
      now,
    });
    running.push(meter);
    const sample = await readMeter(
      {
        name: 'substation',
        serial: 'PM5560-ME-2216',
        host: meter.host,
        port: meter.port,
        model: 'pm5xxx',
        registerBase: 1,
      },
      options,
    );
    // The nameplate serial its configuration gives goes with every reading.
    expect(sample.serial).toBe('PM5560-ME-2216');
    expect(sample.powerW).toBeCloseTo(1_250_000, -1);
    expect(sample.energyWh).toBeCloseTo(987_654_000, -4);
  });

  it('reads a generic meter from the registers its config names (uint32 Wh, low word first)', async () => {
    const energyWh: RegisterSpec = {
      register: 100,
      kind: 'holding',
      type: 'uint32',
      scale: 1,
      wordOrder: 'low-first',
    };
    const powerW: RegisterSpec = {
      register: 110,
      kind: 'holding',
      type: 'int16',
      scale: 10,
      wordOrder: 'high-first',
    };
    const meter = await startMeterEmulator({
      registers: { powerW, energyWh },
      unitId: 7,
      port: 15022,
      powerW: 20_000,
      energyWh: 123_456_789,
      now,
    });
    running.push(meter);
    const sample = await readMeter(
      {
        name: 'rack-7',
        host: meter.host,
        port: meter.port,
        model: 'generic',
        unitId: 7,
        registerBase: 0,
        registers: { powerW, energyWh },
      },
      options,
    );
    expect(sample).toMatchObject({ powerW: 20_000, energyWh: 123_456_789 });
  });

  it('names the meter and the cause when it cannot be read', async () => {
    await expect(
      readMeter({ name: 'gone', host: '127.0.0.1', port: 15029, model: 'sdm630', registerBase: 0 }, options),
    ).rejects.toThrow(/meter gone: 127\.0\.0\.1:15029: ECONNREFUSED/);
    const meter = await startMeterEmulator({
      registers: REGISTER_MAPS.sdm630,
      unitId: 1,
      port: 15023,
      powerW: 1,
      now,
    });
    running.push(meter);
    // The right meter, the wrong map: the SDM630 has no holding register 3059.
    await expect(
      readMeter(
        {
          name: 'mislabelled',
          host: meter.host,
          port: meter.port,
          model: 'pm5xxx',
          unitId: 1,
          registerBase: 1,
        },
        options,
      ),
    ).rejects.toThrow(MeterError);
    await expect(
      readMeter(
        { name: 'half-configured', host: meter.host, port: meter.port, model: 'generic', registerBase: 0 },
        options,
      ),
    ).rejects.toThrow(/needs registers.powerW and registers.energyWh/);
  });
});

describe('register codecs', () => {
  it('round-trip every type and word order', () => {
    const cases: [RegisterSpec['type'], number][] = [
      ['float32', 1234.5],
      ['int32', -70_000],
      ['uint32', 4_000_000_000],
      ['int16', -1234],
      ['uint16', 65_000],
    ];
    for (const [type, value] of cases) {
      for (const wordOrder of ['high-first', 'low-first'] as const) {
        const spec: RegisterSpec = { register: 0, kind: 'holding', type, scale: 1, wordOrder };
        const words = encodeRegisters(value, spec);
        const buffer = Buffer.alloc(words.length * 2);
        words.forEach((word, i) => buffer.writeUInt16BE(word, i * 2));
        expect(decodeRegisters(buffer, spec)).toBe(value);
      }
    }
  });
});

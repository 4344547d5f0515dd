// Starts an emulated SDM630 on a real Modbus TCP port, has it follow three demo rigs'
// load, and reads it as the agent does: power is what the rigs draw together, energy
// integrates it over time.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readMeter } from '../meters/modbus-meter.ts';
import { REGISTER_MAPS } from '../meters/register-maps.ts';
import { DemoRig, meterFollows } from './demo-rig.ts';
import { startMeterEmulator, type MeterEmulator } from './meter-emulator.ts';

const HOUR = 3_600_000;
let clock = 1_764_000_000_000;
const now = (): number => clock;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

describe('the demo meter follows the rigs', () => {
  it('reads the sum of what each rig draws, and its energy grows at that rate', async () => {
    const rigs = [1, 2, 3].map(() => new DemoRig({ hashingW: 30, standbyW: 3, rebootMs: HOUR, now }));
    cleanups.push(() => {
      for (const rig of rigs) {
        rig.dispose();
      }
    });
    const meter: MeterEmulator = await startMeterEmulator({
      registers: REGISTER_MAPS.sdm630,
      unitId: 1,
      port: await freePort(),
      powerW: 0,
      now,
    });
    cleanups.push(() => meter.close());
    cleanups.push(meterFollows(meter, rigs));
    const read = () =>
      readMeter(
        { name: 'demo', host: meter.host, port: meter.port, model: 'sdm630', registerBase: 0 },
        { timeoutMs: 2_000, now: () => new Date(clock) },
      );

    expect(await read()).toMatchObject({ powerW: 90, energyWh: 0 });
    clock += HOUR;
    expect((await read()).energyWh).toBeCloseTo(90, 3);

    // Two asleep: 30 + 3 + 3 W.
    rigs[0]?.setMode('sleep');
    rigs[1]?.setMode('sleep');
    expect((await read()).powerW).toBe(36);
    clock += HOUR;
    expect((await read()).energyWh).toBeCloseTo(126, 3);

    // The third rebooting draws standby too; one woken in low power, half its hashing draw.
    rigs[2]?.reboot();
    rigs[0]?.setMode('low-power');
    expect((await read()).powerW).toBe(3 + 3 + 16.5);
    clock += HOUR;
    expect((await read()).energyWh).toBeCloseTo(148.5, 3);
  });
});

import { afterEach } from 'vitest';
import type { DlmsEmulator } from '../src/emulators/dlms-emulator.ts';

/** The instant every read in the DLMS tests is taken at. */
export const at = new Date('2026-12-07T10:00:00Z');
export const limits = { connectTimeoutMs: 2_000, timeoutMs: 2_000, now: () => at };
/** Peak, normal, off-peak and Friday, as Iranian time-of-use tariffs count them. */
export const figures = { tariffKwh: [12_345.67, 4_321.5, 0, 0.25], powerW: 187_250.5 };

/** The emulators a test file starts, each closed after its test. */
export function closedAfterEach(): DlmsEmulator[] {
  const running: DlmsEmulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((meter) => meter.close()));
  });
  return running;
}

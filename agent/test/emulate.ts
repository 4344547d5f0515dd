import { afterEach } from 'vitest';
import { DEFAULT_RPC_LIMITS } from '../src/protocol/cgminer-rpc.ts';
import { startCgminerEmulator, type RunningEmulator } from '../src/emulators/cgminer-emulator.ts';
import { repliesFrom } from './fixtures.ts';

/** A fixed clock, so samples compare whole. */
export const context = { now: () => new Date('2026-11-25T12:00:00Z'), limits: DEFAULT_RPC_LIMITS };

const running: RunningEmulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

/** A cgminer-API emulator on a real TCP port answering each command with a captured reply. */
export async function emulate(byCommand: Record<string, string>): Promise<{ host: string; port: number }> {
  const emulator = await startCgminerEmulator(repliesFrom(byCommand));
  running.push(emulator);
  return { host: emulator.host, port: emulator.port };
}

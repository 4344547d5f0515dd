import { afterEach } from 'vitest';
import { DEFAULT_RPC_LIMITS } from '../src/protocol/rpc-error.ts';
import { startCgminerEmulator, type RunningEmulator } from '../src/emulators/cgminer-emulator.ts';
import { startHttpEmulator, type RunningHttpEmulator } from '../src/emulators/http-emulator.ts';
import { fixture, repliesFrom } from './fixtures.ts';

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

const runningHttp: RunningHttpEmulator[] = [];

afterEach(async () => {
  await Promise.all(runningHttp.splice(0).map((emulator) => emulator.close()));
});

/** An HTTP emulator on a real port answering each path with a captured reply. */
export async function emulateHttp(byPath: Record<string, string>): Promise<{ host: string; port: number }> {
  const emulator = await startHttpEmulator((request) => {
    const name = byPath[request.url ?? ''];
    return name === undefined ? undefined : { body: fixture(name).raw };
  });
  runningHttp.push(emulator);
  return { host: emulator.host, port: emulator.port };
}

/**
 * A farm of emulated Antminers for the polling benchmark, in a process of its own so
 * the agent's process is measured alone: BENCH_MINERS cgminer APIs on loopback
 * addresses 127.1.x.y, port 4028, answering with the captured stock S19 Pro replies.
 * Prints "ready" when every one listens; runs until killed.
 */
import { readFileSync } from 'node:fs';
import { startCgminerEmulator } from '../src/emulators/cgminer-emulator.ts';
import { minerHost } from './farm-addresses.ts';

const MINERS = Number(process.env.BENCH_MINERS ?? 5_000);

function reply(name: string): string {
  const file = JSON.parse(
    readFileSync(
      new URL(`../test/fixtures/miners/antminer__stock_bmminer_rpc4028__${name}.json`, import.meta.url),
      'utf8',
    ),
  ) as { response: unknown };
  return JSON.stringify(file.response);
}

const replies: Record<string, string> = Object.fromEntries(
  ['version', 'summary', 'stats', 'pools'].map((name) => [name, reply(name)]),
);

for (let i = 0; i < MINERS; i += 1) {
  await startCgminerEmulator((request) => replies[request.command], { host: minerHost(i), port: 4028 });
}
process.stdout.write('ready\n');

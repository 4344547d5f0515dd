/**
 * One agent polling a farm of emulated miners: BENCH_MINERS stock S19 Pros (another
 * process serves them, see miner-farm.ts), every BENCH_INTERVAL seconds, for
 * BENCH_CYCLES cycles. Each cycle is what `hashwatt-agent run` does: every miner read
 * with the Antminer driver (four commands, four TCP connections), the samples
 * appended to the disk queue. Goal: every cycle done inside its interval, RSS under
 * 300 MB. Prints a table, then one JSON line.
 *
 * Run: pnpm bench (BENCH_QUICK=1 for a small case).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { antminer } from '../src/drivers/antminer.ts';
import { Poller } from '../src/poll/poller.ts';
import { DiskQueue } from '../src/queue/disk-queue.ts';
// The pool's benchmarks and this one print the same commit and machine line.
import { gitSha, machine } from '../../pool-server/bench/run-info.ts';
import { minerHost } from './farm-addresses.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const MINERS = Number(process.env.BENCH_MINERS ?? (QUICK ? 300 : 5_000));
const INTERVAL_S = Number(process.env.BENCH_INTERVAL ?? (QUICK ? 5 : 30));
const CYCLES = Number(process.env.BENCH_CYCLES ?? (QUICK ? 2 : 4));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 256);

const farm = spawn(
  process.execPath,
  ['--import', 'tsx', fileURLToPath(new URL('./miner-farm.ts', import.meta.url))],
  {
    env: { ...process.env, BENCH_MINERS: String(MINERS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
await new Promise<void>((resolve, reject) => {
  farm.stdout.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('ready')) {
      resolve();
    }
  });
  farm.once('exit', (code) => {
    reject(new Error(`the miner farm exited (${String(code)})`));
  });
});

const dir = await mkdtemp(join(tmpdir(), 'hashwatt-agent-bench-'));
const queue = await DiskQueue.open(dir, { maxBytes: 512 << 20, segmentBytes: 16 << 20 });
const devices = Array.from({ length: MINERS }, (_, i) => ({
  address: { host: minerHost(i), port: 4028 },
  driver: antminer,
}));
const poller = new Poller();
const context = {
  now: () => new Date(),
  limits: { connectTimeoutMs: 2_000, totalTimeoutMs: 5_000, maxBytes: 8 << 20 },
};
interface Cycle {
  readonly seconds: number;
  readonly mining: number;
  readonly unreachable: number;
  readonly rssMiB: number;
  readonly heapMiB: number;
  readonly cpuSeconds: number;
}
const cycles: Cycle[] = [];
try {
  for (let c = 0; c < CYCLES; c += 1) {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const samples = await poller.cycle(devices, CONCURRENCY, context);
    await queue.append(samples.map((sample) => ({ kind: 'miner' as const, sample })));
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    cycles.push({
      seconds,
      mining: samples.filter((sample) => sample.state === 'mining').length,
      unreachable: samples.filter((sample) => sample.state === 'unreachable').length,
      rssMiB: process.memoryUsage().rss / 2 ** 20,
      heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    });
    if (c < CYCLES - 1) {
      await sleep(Math.max(0, INTERVAL_S * 1000 - seconds * 1000));
    }
  }
} finally {
  farm.kill();
  await rm(dir, { recursive: true, force: true });
}

process.stdout.write(
  `agent polling: ${machine()}; ${String(MINERS)} emulated S19 Pros (another process), every ${String(INTERVAL_S)} s, ${String(CONCURRENCY)} at a time\n\n`,
);
process.stdout.write(
  '| cycle | took | agent CPU | mining | unreachable | agent RSS | JS heap in use |\n|---:|---:|---:|---:|---:|---:|---:|\n',
);
cycles.forEach((cycle, i) => {
  process.stdout.write(
    `| ${String(i + 1)} | ${cycle.seconds.toFixed(1)} s | ${cycle.cpuSeconds.toFixed(1)} s | ${String(cycle.mining)} | ${String(cycle.unreachable)} | ${cycle.rssMiB.toFixed(0)} MiB | ${cycle.heapMiB.toFixed(0)} MiB |\n`,
  );
});
process.stdout.write(
  `${JSON.stringify({ bench: 'agent-poll', git: gitSha(), machine: machine(), date: new Date().toISOString(), miners: MINERS, intervalSeconds: INTERVAL_S, concurrency: CONCURRENCY, cycles })}\n`,
);

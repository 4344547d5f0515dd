/**
 * One agent polling a farm of emulated miners: BENCH_MINERS stock S19 Pros (another
 * process serves them, see miner-farm.ts), every BENCH_INTERVAL seconds, for
 * BENCH_CYCLES cycles. Each cycle is what `hashwatt-agent run` does: every miner read
 * with the Antminer driver (four commands, four TCP connections), the samples
 * appended to the disk queue. Goal: every cycle done inside its interval, RSS under
 * 300 MB. The floor, in the same run: one cycle of the same four exchanges per miner,
 * the raw replies kept, nothing parsed or queued.
 *
 * Run: pnpm bench (prints its table and records it in bench-results/agent-poll.json;
 * BENCH_QUICK=1 for a small case).
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
import { exchange } from '../src/protocol/cgminer-rpc.ts';
import { ratio, startBench } from '../../scripts/bench-record.ts';
import { minerHost } from './farm-addresses.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const MINERS = Number(process.env.BENCH_MINERS ?? (QUICK ? 300 : 5_000));
const INTERVAL_S = Number(process.env.BENCH_INTERVAL ?? (QUICK ? 5 : 30));
const CYCLES = Number(process.env.BENCH_CYCLES ?? (QUICK ? 2 : 4));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 256);

const bench = startBench({
  id: 'agent-poll',
  title: 'Farm agent polling',
  about:
    "One agent polls a farm of emulated stock S19 Pros on an interval. The miners are cgminer-API emulators on loopback addresses 127.1.x.y:4028 answering with the captured bmminer replies, served by another process (`agent/bench/miner-farm.ts`) so the agent's process is measured alone. A cycle is what `hashwatt-agent run` does: each miner read with the Antminer driver (four commands, four TCP connections), every reply repaired and parsed, the samples appended (fsync'd) to the disk queue. The goal is every cycle inside its interval and the agent's RSS under 300 MB. The floor is one cycle of the same four exchanges per miner at the same concurrency, the raw replies kept and nothing parsed or queued.",
  notes: [
    "CPU above wall time is the garbage collector's and libuv's helper threads. RSS settles rather than grows over cycles while the JS heap in use swings with each cycle's samples; a cycle's samples are written to the queue a megabyte at a time rather than as one string, which keeps the plateau lower. The rest of the interval is left for meters, uploads and commands, which run beside the polling.",
  ],
  command: 'pnpm --filter @hashwatt/agent exec tsx bench/agent-poll.ts',
  conditions: {
    'emulated miners (BENCH_MINERS)': MINERS,
    'interval, s (BENCH_INTERVAL)': INTERVAL_S,
    'cycles (BENCH_CYCLES)': CYCLES,
    'miners polled at a time (BENCH_CONCURRENCY)': CONCURRENCY,
    'niceness of the miner farm process': 'as the benchmark process (inherited)',
  },
});

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
let floor: Cycle | undefined;

/** The same exchanges as a cycle, raw: what the sockets and the farm cost without the driver. */
async function rawCycle(): Promise<Cycle> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let next = 0;
  let answered = 0;
  let unreachable = 0;
  const runner = async (): Promise<void> => {
    while (next < devices.length) {
      const device = devices[next++];
      if (device === undefined) {
        return;
      }
      try {
        for (const name of ['version', 'summary', 'pools', 'stats']) {
          await exchange(device.address, JSON.stringify({ command: name }), context.limits);
        }
        answered += 1;
      } catch {
        unreachable += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, runner));
  const cpu = process.cpuUsage(cpuBefore);
  return {
    seconds: (performance.now() - started) / 1000,
    mining: answered,
    unreachable,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
    heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

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
  floor = await rawCycle();
} finally {
  farm.kill();
  await rm(dir, { recursive: true, force: true });
}

const row = (name: string, cycle: Cycle) => [
  name,
  `${cycle.seconds.toFixed(1)} s`,
  ratio(cycle.seconds, floor.seconds),
  `${cycle.cpuSeconds.toFixed(1)} s`,
  String(cycle.mining),
  String(cycle.unreachable),
  `${cycle.rssMiB.toFixed(0)} MiB`,
  `${cycle.heapMiB.toFixed(0)} MiB`,
];
bench.finish({
  columns: [
    'cycle',
    'took',
    '÷ floor',
    'agent CPU',
    'mining (floor: answered)',
    'unreachable',
    'agent RSS',
    'JS heap in use',
  ],
  rows: [
    ...cycles.map((cycle, index) => ({ cells: row(String(index + 1), cycle) })),
    { floor: true, cells: row('the same exchanges, raw replies only', floor) },
  ],
});

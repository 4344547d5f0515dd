import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { threadCpuSeconds } from './thread-cpu.ts';

/** Spins until the whole process has used `seconds` more CPU (process.cpuUsage counts every thread). */
function spin(seconds: number): void {
  const cpu = (): number => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  };
  const start = cpu();
  while (cpu() - start < seconds) {
    // Only the CPU it uses matters.
  }
}

const readingOf = (): number => {
  const seconds = threadCpuSeconds();
  if (seconds === undefined) {
    throw new Error('no /proc/thread-self/stat on this Linux');
  }
  return seconds;
};

describe.runIf(process.platform === 'linux')('threadCpuSeconds', () => {
  it("counts the asking thread's CPU", () => {
    const before = readingOf();
    spin(0.4);
    // The process's other threads (the collector's helpers) may take a little of that 0.4 s.
    expect(readingOf() - before).toBeGreaterThanOrEqual(0.3);
  });

  it("leaves out another thread's", async () => {
    const before = readingOf();
    // This thread waits while a worker spins for half a second of the process's CPU.
    await new Promise((resolve, reject) => {
      const worker = new Worker(
        `${spin.toString()} spin(0.5); require('node:worker_threads').parentPort.postMessage('spun');`,
        {
          eval: true,
        },
      );
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    // Starting the worker costs this thread a little; the worker's half second is not here.
    expect(readingOf() - before).toBeLessThan(0.25);
  });
});

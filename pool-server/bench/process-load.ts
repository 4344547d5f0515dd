/**
 * What a server under the load generator reports of itself, the pool (stratum-server.ts)
 * and the bare floor server (floor-server.ts) alike: the CPU time of its processes, and,
 * since it last reported, its own event loop's delay and garbage-collection pauses.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

export interface ProcessLoad {
  /** User + system time of the processes named, all their threads. */
  readonly cpuMs: number;
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  readonly gcLongestMs: number;
  readonly gcTotalMs: number;
}

/** sysconf(_SC_CLK_TCK) on Linux, which Node does not expose; 100 on every Linux build. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system, all threads) a process has used, in ms, from /proc (Linux). */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  // The fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** The machine's CPU time since boot, all cores, in clock ticks, from /proc/stat (Linux): busy and in all. */
export interface MachineCpu {
  readonly busyTicks: number;
  readonly totalTicks: number;
}

export function machineCpu(): MachineCpu {
  // The first line sums every core: user nice system idle iowait irq softirq steal ...; idle and iowait are not busy.
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const totalTicks = fields.reduce((sum, ticks) => sum + ticks, 0);
  return { busyTicks: totalTicks - (fields[3] ?? 0) - (fields[4] ?? 0), totalTicks };
}

/** The share of the machine's CPU time that was busy between two readings, in %. */
export function busyPercent(before: MachineCpu, after: MachineCpu): number {
  return (100 * (after.busyTicks - before.busyTicks)) / (after.totalTicks - before.totalTicks);
}

/**
 * Starts watching this process's event loop and garbage collector: how long a timer
 * waits past its time tells how long the loop was held, and the collector's pauses are
 * one reason it was. The function returned reports and starts the next interval.
 */
export function watchLoad(): (pids: readonly number[]) => ProcessLoad {
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const gcPauses = { longestMs: 0, totalMs: 0 };
  new PerformanceObserver((entries) => {
    for (const entry of entries.getEntries()) {
      gcPauses.longestMs = Math.max(gcPauses.longestMs, entry.duration);
      gcPauses.totalMs += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  return (pids) => {
    const load = {
      cpuMs: pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0),
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      loopDelayMaxMs: loopDelay.max / 1e6,
      gcLongestMs: gcPauses.longestMs,
      gcTotalMs: gcPauses.totalMs,
    };
    loopDelay.reset();
    gcPauses.longestMs = 0;
    gcPauses.totalMs = 0;
    return load;
  };
}

/**
 * What a server under the load generator reports of itself, the pool (stratum-server.ts)
 * and the bare floor server (floor-server.ts) alike: the CPU time of its processes (those
 * it started included), and, since it last reported, its own event loop's delay and
 * garbage-collection pauses.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { PROC_TICKS_PER_SECOND, procStatFields } from '../src/roles/thread-cpu.ts';

export interface ProcessLoad {
  /** User + system time of the processes named and of every process they started, all their threads. */
  readonly cpuMs: number;
  /** How many processes that CPU time is of. */
  readonly processes: number;
  /** The niceness of each of them, each value once. */
  readonly niceness: readonly number[];
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  readonly gcLongestMs: number;
  readonly gcTotalMs: number;
}

interface ProcessStat {
  readonly parent: number;
  /** utime + stime, and cutime + cstime (the children it has waited for), in clock ticks. */
  readonly ticks: number;
  readonly nice: number;
}

/** A process's parent and CPU ticks from /proc/<pid>/stat (Linux); undefined once it has gone. */
function statOf(pid: string): ProcessStat | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = procStatFields(stat);
  const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
  return { parent: Number(fields[1]), ticks, nice: Number(fields[16]) };
}

/**
 * CPU time, in ms, of the processes `roots` and all their descendants (Linux): a pool's
 * forked Stratum processes, its database's keeper and the PostgreSQL processes under it.
 * A process that ended and was waited for counts in its parent's children's time; one
 * that ended between two readings is lost from the second, which the parent's count
 * makes up for once it has waited for it.
 */
export function treeCpu(roots: readonly number[]): Pick<ProcessLoad, 'cpuMs' | 'processes' | 'niceness'> {
  const stats = new Map<number, ProcessStat>();
  for (const name of readdirSync('/proc')) {
    if (/^\d+$/.test(name)) {
      const stat = statOf(name);
      if (stat) {
        stats.set(Number(name), stat);
      }
    }
  }
  const inTree = new Set(roots.filter((pid) => stats.has(pid)));
  // Parents come before their children in no guaranteed order: repeat until nothing joins.
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, { parent }] of stats) {
      if (!inTree.has(pid) && inTree.has(parent)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  const tree = [...inTree].flatMap((pid) => stats.get(pid) ?? []);
  const ticks = tree.reduce((sum, { ticks: each }) => sum + each, 0);
  return {
    cpuMs: (ticks * 1000) / PROC_TICKS_PER_SECOND,
    processes: tree.length,
    niceness: [...new Set(tree.map(({ nice }) => nice))].sort((a, b) => a - b),
  };
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
      ...treeCpu(pids),
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

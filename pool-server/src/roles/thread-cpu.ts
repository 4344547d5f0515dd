/**
 * The CPU time of the thread that asks, from /proc/thread-self/stat (Linux 3.17 and
 * later). process.cpuUsage() counts every thread of the process: the storage, the API and
 * the garbage collector's helpers with the Stratum thread. The Stratum thread is one
 * thread, so one core is all it can use; its own figure is what says how near it is.
 */
import { readFileSync } from 'node:fs';

/** USER_HZ, the unit of /proc's times: 100 on every Linux build (Node does not expose sysconf). */
export const PROC_TICKS_PER_SECOND = 100;

/**
 * The fields of a /proc stat line after the command name, which may hold spaces: the
 * state is [0], the parent [1], utime to cstime [11] to [14], nice [16].
 */
export function procStatFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** This thread's user + system CPU time, s, in 10 ms steps; undefined where /proc has no thread-self. */
export function threadCpuSeconds(): number | undefined {
  let stat: string;
  try {
    // A synchronous read runs on the calling thread, so thread-self is this one.
    stat = readFileSync('/proc/thread-self/stat', 'utf8');
  } catch {
    return undefined;
  }
  const fields = procStatFields(stat);
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks / PROC_TICKS_PER_SECOND : undefined;
}

/**
 * The CPU time of the thread that asks, from /proc/thread-self/stat (Linux 3.17 and
 * later). process.cpuUsage() counts every thread of the process: the storage, the API and
 * the garbage collector's helpers with the Stratum thread. The Stratum thread is one
 * thread, so one core is all it can use; its own figure is what says how near it is.
 */
import { readFileSync } from 'node:fs';

/** USER_HZ, the unit of /proc's times: 100 on every Linux build (Node does not expose sysconf). */
const TICKS_PER_SECOND = 100;

/** This thread's user + system CPU time, s, in 10 ms steps; undefined where /proc has no thread-self. */
export function threadCpuSeconds(): number | undefined {
  let stat: string;
  try {
    // A synchronous read runs on the calling thread, so thread-self is this one.
    stat = readFileSync('/proc/thread-self/stat', 'utf8');
  } catch {
    return undefined;
  }
  // After the command name, which may hold spaces: utime and stime are the 12th and 13th fields.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks / TICKS_PER_SECOND : undefined;
}

import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * How long one slice of a batch's work may hold the event loop of a Stratum process:
 * a miner's reply waits at most this long behind it.
 */
export const SLICE_MS = 2;

/**
 * Cuts long work on the Stratum thread (a batch's rows encoded, a journal file parsed)
 * into slices of SLICE_MS, with the event loop served between them. Cut by time, not
 * by a count of rows: on a busy process every cut waits a whole turn of the loop, a few
 * milliseconds, so a 10,000-share batch cut every 1,000 rows in each of its four passes
 * took 200–650 ms to store at 50,000 shares/s, more than the 200 ms in which the next
 * batch filled, and the backlog grew for as long as the load lasted.
 */
export class TimeSlices {
  #sliceStart = performance.now();

  /** Whether the slice under way has used its time; the caller then yields with next(). */
  get due(): boolean {
    return performance.now() - this.#sliceStart >= SLICE_MS;
  }

  /** Serves the event loop (sockets first), then starts the next slice. */
  async next(): Promise<void> {
    await nextTurn();
    this.#sliceStart = performance.now();
  }
}

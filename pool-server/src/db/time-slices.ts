import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * How long one slice of a batch's work may hold the event loop of a Stratum process:
 * a miner's reply waits at most this long behind it.
 */
export const SLICE_MS = 2;
/**
 * Items between two readings of the clock: one cost 50–70 ns here (timed by hand), and
 * a reading for each of a batch's rows in each pass, about 200,000 a second at 50,000
 * shares/s, would come to about 1 % of the Stratum thread by that arithmetic. An item
 * (a row, a line) takes about a microsecond.
 */
export const ITEMS_PER_LOOK = 64;

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
  #items = 0;

  /**
   * Counts an item of work done; true when the slice has used its time, and the caller
   * then yields with next(). The clock is read every ITEMS_PER_LOOK items only.
   */
  due(): boolean {
    if (++this.#items % ITEMS_PER_LOOK !== 0) {
      return false;
    }
    return performance.now() - this.#sliceStart >= SLICE_MS;
  }

  /** Serves the event loop (sockets first), then starts the next slice. */
  async next(): Promise<void> {
    await nextTurn();
    this.#sliceStart = performance.now();
  }
}

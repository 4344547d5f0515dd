/**
 * How the Stratum event loop is doing: how late it runs, how fast found blocks leave
 * for the node, how long storing a batch takes the other side. The Stratum thread keeps
 * them; the pool's handle (and the benchmark) asks for them.
 */
import { createHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { BatchSink } from '../ledger/share-store.ts';

export interface StratumVitals {
  /** The Stratum event loop's delay since the last call (monitorEventLoopDelay, resolution 1 ms), ms. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  /** For each block found since the last call: ms from its share's line read to its submitblock request sent. */
  readonly blockSubmitMs: readonly number[];
  /** Batches of shares handed to storage since the last call, and the p99 of their round trip, ms (undefined when none). */
  readonly storedBatches: number;
  readonly storeRoundTripP99Ms: number | undefined;
}

/** The Stratum thread's side: watches its own loop and hears of each block it submits. */
export class VitalsRecorder {
  readonly #loop = monitorEventLoopDelay({ resolution: 1 });
  /** Each batch's round trip to storage, µs. */
  readonly #roundTrips = createHistogram();
  #blockSubmitMs: number[] = [];

  constructor() {
    this.#loop.enable();
  }

  /** `sink`, its batches timed from handing over to stored. */
  timed(sink: BatchSink): BatchSink {
    return {
      store: async (batch) => {
        const startedMs = performance.now();
        const stored = await sink.store(batch);
        this.#roundTrips.record(Math.max(1, Math.round((performance.now() - startedMs) * 1000)));
        return stored;
      },
    };
  }

  blockSubmitted(msAfterShare: number): void {
    this.#blockSubmitMs.push(msAfterShare);
  }

  /** What happened since the last call, which starts the next interval. */
  take(): StratumVitals {
    const storedBatches = this.#roundTrips.count;
    const vitals = {
      loopDelayP99Ms: this.#loop.percentile(99) / 1e6,
      loopDelayMaxMs: this.#loop.max / 1e6,
      blockSubmitMs: this.#blockSubmitMs,
      storedBatches,
      storeRoundTripP99Ms: storedBatches === 0 ? undefined : this.#roundTrips.percentile(99) / 1000,
    };
    this.#loop.reset();
    this.#roundTrips.reset();
    this.#blockSubmitMs = [];
    return vitals;
  }

  stop(): void {
    this.#loop.disable();
  }
}

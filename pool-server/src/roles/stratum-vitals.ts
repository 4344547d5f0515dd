/**
 * How the Stratum event loop is doing: how late it runs, how fast found blocks leave
 * for the node, how long storing a batch takes the other side; and its counters for
 * Prometheus (shares by result, reply latency, difficulty, blocks, templates). The
 * Stratum thread (or process) keeps them in plain numbers, so a share costs a few
 * additions; the pool's handle, the metrics listener and the benchmark ask for them.
 */
import { createHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { BlockStatus } from '../chain/block-submitter.ts';
import type { BatchSink } from '../ledger/share-store.ts';
import type { RejectedSubmit } from '../stratum/session-context.ts';
import { threadCpuSeconds } from './thread-cpu.ts';

/** Upper bounds of the reply-latency buckets, ms: from a share handled to the journal commit that releases its reply. */
export const REPLY_BUCKETS_MS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000] as const;
/** Upper bounds of the accepted shares' difficulty buckets: decades from test chains' to the largest rigs'. */
export const DIFFICULTY_BUCKETS = [
  1e-6, 1e-4, 1e-2, 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
] as const;

/** Observations in buckets: counts[i] for those at most bounds[i], the last for those above every bound. */
export interface BucketCounts {
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
}

/** The Stratum role's counters since it started, for Prometheus. Times are wall-clock ms. */
export interface StratumCounters {
  /** Miners' connections open now. */
  readonly connections: number;
  readonly sharesAccepted: number;
  /** The accepted shares' difficulties added up: × 2^32, the hashes they stand for. */
  readonly acceptedDifficulty: number;
  /** Refused submits by reason (`stale`, `duplicate`, `low-diff`, `unauthorized`, ...). */
  readonly sharesRejected: Readonly<Record<string, number>>;
  /** Each answered share's wait for its reply, ms (REPLY_BUCKETS_MS). */
  readonly replyMs: BucketCounts;
  /** Accepted shares by the difficulty they were credited at (DIFFICULTY_BUCKETS). */
  readonly shareDifficulty: BucketCounts;
  readonly blocksFound: number;
  /** Blocks whose first offer reached the node. */
  readonly blocksSubmitted: number;
  /** Found blocks settled, by what the node made of them. */
  readonly blockOutcomes: Readonly<Partial<Record<BlockStatus, number>>>;
  /** When the last template came; undefined before the first. */
  readonly templateAtMs: number | undefined;
  /** When miners were last sent a new job; undefined before the first. */
  readonly jobAtMs: number | undefined;
  /** Sealed batches of shares not yet stored (the database, or NATS, is behind). */
  readonly batchesWaiting: number;
  /** Shares handed to storage and stored (or found stored already), this run's and those an earlier run left in the journal. */
  readonly sharesStored: number;
  /**
   * CPU time of the thread that runs Stratum, s: near one second a second, it is saturated,
   * whatever the other cores do. Undefined off Linux.
   */
  readonly threadCpuSeconds: number | undefined;
}

/** What the recorder reads when asked, rather than counts: the server's and the writer's own figures. */
export interface StratumGauges {
  connections(): number;
  batchesWaiting(): number;
}

class Buckets {
  readonly #bounds: readonly number[];
  readonly #counts: number[];
  #sum = 0;
  #count = 0;

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
    this.#counts = Array.from({ length: bounds.length + 1 }, () => 0);
  }

  /** `times` observations of `value`. */
  add(value: number, times: number): void {
    let index = 0;
    while (index < this.#bounds.length && value > (this.#bounds[index] ?? Number.POSITIVE_INFINITY)) {
      index++;
    }
    this.#counts[index] = (this.#counts[index] ?? 0) + times;
    this.#sum += value * times;
    this.#count += times;
  }

  read(): BucketCounts {
    return { counts: [...this.#counts], sum: this.#sum, count: this.#count };
  }
}

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
  #gauges: StratumGauges | undefined;
  #sharesAccepted = 0;
  #acceptedDifficulty = 0;
  readonly #sharesRejected: Record<string, number> = {};
  readonly #replyMs = new Buckets(REPLY_BUCKETS_MS);
  readonly #shareDifficulty = new Buckets(DIFFICULTY_BUCKETS);
  /** Shares answered in this turn of the loop, their replies held for its commit, and when the first was handled. */
  #sharesThisTurn = 0;
  #turnStartedMs = 0;
  #blocksFound = 0;
  #blocksSubmitted = 0;
  readonly #blockOutcomes: Partial<Record<BlockStatus, number>> = {};
  #templateAtMs: number | undefined;
  #jobAtMs: number | undefined;
  #sharesStored = 0;

  constructor() {
    this.#loop.enable();
  }

  /** `sink`, its batches timed from handing over to stored, and their shares counted. */
  timed(sink: BatchSink): BatchSink {
    return {
      store: async (batch) => {
        const startedMs = performance.now();
        const stored = await sink.store(batch);
        this.#roundTrips.record(Math.max(1, Math.round((performance.now() - startedMs) * 1000)));
        this.#sharesStored += batch.shares.length;
        return stored;
      },
    };
  }

  /** Where the connections and the batches waiting are read, once the server and the writer exist. */
  watch(gauges: StratumGauges): void {
    this.#gauges = gauges;
  }

  shareAccepted(difficulty: number): void {
    this.#shareAnswered();
    this.#sharesAccepted++;
    this.#acceptedDifficulty += difficulty;
    this.#shareDifficulty.add(difficulty, 1);
  }

  shareRejected(reason: RejectedSubmit['reason']): void {
    this.#shareAnswered();
    this.#sharesRejected[reason] = (this.#sharesRejected[reason] ?? 0) + 1;
  }

  #shareAnswered(): void {
    if (this.#sharesThisTurn++ === 0) {
      this.#turnStartedMs = performance.now();
    }
  }

  /** The commit that releases the replies held since the last one: each share's wait is counted. */
  committed(): void {
    if (this.#sharesThisTurn > 0) {
      this.#replyMs.add(performance.now() - this.#turnStartedMs, this.#sharesThisTurn);
      this.#sharesThisTurn = 0;
    }
  }

  blockFound(): void {
    this.#blocksFound++;
  }

  blockSubmitted(msAfterShare: number): void {
    this.#blocksSubmitted++;
    this.#blockSubmitMs.push(msAfterShare);
  }

  blockSettled(status: BlockStatus): void {
    this.#blockOutcomes[status] = (this.#blockOutcomes[status] ?? 0) + 1;
  }

  templateReceived(): void {
    this.#templateAtMs = Date.now();
  }

  jobSent(): void {
    this.#jobAtMs = Date.now();
  }

  /** The counters since the Stratum role started; asking changes nothing. */
  counters(): StratumCounters {
    return {
      connections: this.#gauges?.connections() ?? 0,
      sharesAccepted: this.#sharesAccepted,
      acceptedDifficulty: this.#acceptedDifficulty,
      sharesRejected: { ...this.#sharesRejected },
      replyMs: this.#replyMs.read(),
      shareDifficulty: this.#shareDifficulty.read(),
      blocksFound: this.#blocksFound,
      blocksSubmitted: this.#blocksSubmitted,
      blockOutcomes: { ...this.#blockOutcomes },
      templateAtMs: this.#templateAtMs,
      jobAtMs: this.#jobAtMs,
      batchesWaiting: this.#gauges?.batchesWaiting() ?? 0,
      sharesStored: this.#sharesStored,
      // Asked on the thread that runs Stratum: the thread's own figure.
      threadCpuSeconds: threadCpuSeconds(),
    };
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

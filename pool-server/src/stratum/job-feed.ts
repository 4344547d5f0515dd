import { buildCoinbase, type CoinbasePayout } from '../work/coinbase.ts';
import { createJob, type Job } from '../work/job.ts';
import { JobRegistry } from '../work/job-registry.ts';
import type { PreparedTemplate } from '../work/template.ts';
import { encodeNotify } from './messages.ts';

/**
 * Who the coinbase pays. `pool`: one pool address, one job for every session.
 * `solo`: the finder's address (less the pool fee), so each session gets its own job.
 */
export type PayoutMode =
  | { readonly mode: 'pool'; readonly poolScript: Buffer }
  | { readonly mode: 'solo'; readonly poolScript: Buffer; readonly feeBasisPoints: number };

export interface JobFeedOptions {
  readonly poolTag: Buffer;
  readonly extranonce2Size: number;
  readonly payout: PayoutMode;
  readonly maxActiveJobs?: number;
}

/** A job with its mining.notify line, serialized and UTF-8 encoded once for every session. */
export interface FeedJob {
  readonly job: Job;
  readonly notifyLine: Buffer;
}

const BASIS_POINTS = 10_000;

/** Turns templates into jobs: the shared job in pool mode, per-payout jobs in SOLO mode. */
export class JobFeed {
  readonly #options: JobFeedOptions;
  readonly #shared: JobRegistry;
  #template: PreparedTemplate | undefined;
  /** Counts templates, so a session can tell whether its job is built from the latest. */
  #templateSeq = 0;
  #cleanJobs = true;
  #nextJobId = 1;
  #sharedJob: FeedJob | undefined;
  readonly #soloJobs = new WeakMap<JobRegistry, { seq: number; feedJob: FeedJob }>();

  constructor(options: JobFeedOptions) {
    this.#options = options;
    this.#shared = new JobRegistry({ maxActiveJobs: options.maxActiveJobs ?? 16 });
  }

  get template(): PreparedTemplate | undefined {
    return this.#template;
  }

  get solo(): boolean {
    return this.#options.payout.mode === 'solo';
  }

  /**
   * [BIP9] version bits the template sets below the top three: deployments signalling.
   * Miners must not roll them, or their blocks would stop signalling.
   */
  get signallingBits(): number {
    return ((this.#template?.version ?? 0) & 0x1fffffff) >>> 0;
  }

  /**
   * Takes a new template. Returns whether it starts a new block (clean_jobs). Throws
   * when no coinbase fits the template; the previous job then stays current.
   */
  setTemplate(template: PreparedTemplate): boolean {
    const newBlock = !this.#template?.prevhashInternal.equals(template.prevhashInternal);
    if (this.#options.payout.mode === 'pool') {
      const job = this.#build(template, [{ script: this.#options.payout.poolScript, weight: 1 }], newBlock);
      this.#shared.add(job.job);
      this.#sharedJob = job;
    }
    this.#template = template;
    this.#templateSeq++;
    this.#cleanJobs = newBlock;
    return newBlock;
  }

  /** The registry a session submits against: shared in pool mode, its own in SOLO mode. */
  registryForSession(): JobRegistry {
    return this.solo ? new JobRegistry({ maxActiveJobs: this.#options.maxActiveJobs ?? 16 }) : this.#shared;
  }

  /**
   * The current job for a session. In SOLO mode it pays `finderScript` and is built on
   * first request per template; without a finder script there is no SOLO job.
   */
  jobFor(registry: JobRegistry, finderScript: Buffer | undefined): FeedJob | undefined {
    const { payout } = this.#options;
    if (payout.mode === 'pool') {
      return this.#sharedJob;
    }
    const template = this.#template;
    if (!template || !finderScript) {
      return undefined;
    }
    const cached = this.#soloJobs.get(registry);
    if (cached?.seq === this.#templateSeq) {
      return cached.feedJob;
    }
    const fee = Math.round(payout.feeBasisPoints);
    const payouts: CoinbasePayout[] = [{ script: finderScript, weight: BASIS_POINTS - fee }];
    if (fee > 0) {
      payouts.push({ script: payout.poolScript, weight: fee });
    }
    const cleanJobs = this.#cleanJobs || cached === undefined;
    const feedJob = this.#build(template, payouts, cleanJobs);
    registry.add(feedJob.job);
    this.#soloJobs.set(registry, { seq: this.#templateSeq, feedJob });
    return feedJob;
  }

  #build(template: PreparedTemplate, payouts: CoinbasePayout[], cleanJobs: boolean): FeedJob {
    const coinbase = buildCoinbase(template, {
      poolTag: this.#options.poolTag,
      extranonce2Size: this.#options.extranonce2Size,
      payouts,
    });
    const job = createJob((this.#nextJobId++).toString(16), template, coinbase, cleanJobs);
    return { job, notifyLine: Buffer.from(encodeNotify(job.notifyParams)) };
  }
}

import { buildCoinbase, type CoinbasePayout } from '../work/coinbase.ts';
import { createJob, type Job, type NotifyParams } from '../work/job.ts';
import { JobRegistry } from '../work/job-registry.ts';
import type { PreparedTemplate } from '../work/template.ts';
import { encodeNotify } from './messages.ts';

export interface JobFeedOptions {
  readonly poolTag: Buffer;
  readonly extranonce2Size: number;
  /** The pool's coinbase output: all of the reward for pool jobs, the fee of SOLO ones. */
  readonly poolScript: Buffer;
  /** The pool's cut of a SOLO block, in basis points (100 = 1 %). */
  readonly soloFeeBasisPoints: number;
  readonly maxActiveJobs?: number;
}

/** A job with its mining.notify line, serialized and UTF-8 encoded once for every session. */
export interface FeedJob {
  readonly job: Job;
  readonly notifyLine: Buffer;
}

/** A job again under another id (JobRegistry.alias), for one session. */
export interface JobAlias {
  readonly id: string;
  readonly notifyLine: string;
}

const BASIS_POINTS = 10_000;

/**
 * Turns templates into jobs: one shared job whose coinbase pays the pool, and for SOLO
 * miners a job per session whose coinbase pays the finder (less the pool fee).
 */
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

  /** The registry of pool jobs, shared by every session that does not mine SOLO. */
  get sharedRegistry(): JobRegistry {
    return this.#shared;
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
    this.#install(template, newBlock);
    return newBlock;
  }

  /**
   * The current template again as a new job that cleans the old ones: miners given a
   * new extranonce1 start on it, and shares of the old jobs (made with the old
   * extranonce1) are stale. False when there is no template yet.
   */
  reissue(): boolean {
    const template = this.#template;
    if (!template) {
      return false;
    }
    this.#install(template, true);
    return true;
  }

  /** Makes a job of `template` the current one; `clean`: the old jobs end with it. */
  #install(template: PreparedTemplate, clean: boolean): void {
    const job = this.#build(template, [{ script: this.#options.poolScript, weight: 1 }], clean);
    this.#shared.add(job.job);
    this.#sharedJob = job;
    this.#template = template;
    this.#templateSeq++;
    this.#cleanJobs = clean;
  }

  /** A registry of its own, for a session that mines SOLO. */
  soloRegistry(): JobRegistry {
    return new JobRegistry({ maxActiveJobs: this.#options.maxActiveJobs ?? 16 });
  }

  /**
   * The current job for a session: the shared pool job, or with `soloScript` a job of the
   * session's own registry whose coinbase pays it, built on first request per template.
   */
  jobFor(registry: JobRegistry, soloScript: Buffer | undefined): FeedJob | undefined {
    if (soloScript === undefined) {
      return this.#sharedJob;
    }
    const template = this.#template;
    if (!template) {
      return undefined;
    }
    const cached = this.#soloJobs.get(registry);
    if (cached?.seq === this.#templateSeq) {
      return cached.feedJob;
    }
    const fee = Math.round(this.#options.soloFeeBasisPoints);
    const payouts: CoinbasePayout[] = [{ script: soloScript, weight: BASIS_POINTS - fee }];
    if (fee > 0) {
      payouts.push({ script: this.#options.poolScript, weight: fee });
    }
    const cleanJobs = this.#cleanJobs || cached === undefined;
    const feedJob = this.#build(template, payouts, cleanJobs);
    registry.add(feedJob.job);
    this.#soloJobs.set(registry, { seq: this.#templateSeq, feedJob });
    return feedJob;
  }

  /**
   * `job` of `registry` under a new id, for one session whose difficulty changed: cgminer
   * and cpuminer apply a difficulty from the next mining.notify on. An alias rather than
   * a new job, so that thousands of sessions retargeting do not push the templates' jobs
   * out of the shared registry's active ones. [stratum: mining.notify] clean_jobs false:
   * the miner's work on the job under its old id stays valid. Undefined when the job is
   * no longer active, or the registry holds as many aliases as it may.
   */
  aliasJob(registry: JobRegistry, job: Job): JobAlias | undefined {
    const id = registry.alias(job.id);
    if (id === undefined) {
      return undefined;
    }
    const [, prevhash, coinb1, coinb2, merkleBranch, version, nbits, ntime] = job.notifyParams;
    const params: NotifyParams = [id, prevhash, coinb1, coinb2, merkleBranch, version, nbits, ntime, false];
    return { id, notifyLine: encodeNotify(params) };
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

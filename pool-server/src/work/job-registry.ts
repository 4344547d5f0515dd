import type { Job } from './job.ts';

export interface JobRegistryOptions {
  /** Jobs kept valid on the current block; older ones turn stale (a refresh every 30 s keeps 8 min). */
  readonly maxActiveJobs?: number;
  /** Retired job ids remembered, to tell "stale" from "unknown". */
  readonly maxRetiredIds?: number;
}

/**
 * The keys of the shares accepted on a job, for duplicate detection, in 256 sets by
 * the key's first byte: a job takes millions of shares at a high rate, and one set
 * that size stops the event loop for tens of milliseconds each time it grows.
 */
const SHARE_SHARDS = 256;

interface ActiveJob {
  readonly job: Job;
  readonly shares: (Set<string> | undefined)[];
}

/**
 * The jobs miners may submit to. A job on an earlier block, or superseded by a job
 * sent with clean_jobs, is stale; a job id never issued (or long forgotten) is unknown.
 */
export class JobRegistry {
  readonly #maxActiveJobs: number;
  readonly #maxRetiredIds: number;
  readonly #active = new Map<string, ActiveJob>();
  readonly #retired = new Set<string>();
  #latest: Job | undefined;

  constructor(options: JobRegistryOptions = {}) {
    this.#maxActiveJobs = options.maxActiveJobs ?? 16;
    this.#maxRetiredIds = options.maxRetiredIds ?? 4096;
  }

  /** The job most recently added. */
  get latest(): Job | undefined {
    return this.#latest;
  }

  add(job: Job): void {
    if (this.#active.has(job.id) || this.#retired.has(job.id)) {
      throw new Error(`job id ${job.id} was already issued`);
    }
    const previous = this.#latest;
    if (
      job.cleanJobs ||
      (previous && !previous.template.prevhashInternal.equals(job.template.prevhashInternal))
    ) {
      for (const id of [...this.#active.keys()]) {
        this.#retire(id);
      }
    }
    this.#active.set(job.id, {
      job,
      shares: new Array<Set<string> | undefined>(SHARE_SHARDS).fill(undefined),
    });
    for (const id of this.#active.keys()) {
      if (this.#active.size <= this.#maxActiveJobs) {
        break;
      }
      this.#retire(id);
    }
    this.#latest = job;
  }

  find(id: string): Job | 'stale' | undefined {
    const active = this.#active.get(id);
    if (active) {
      return active.job;
    }
    return this.#retired.has(id) ? 'stale' : undefined;
  }

  /**
   * Records an accepted share's key (bytes of its hash, as latin1 text) on its job;
   * false when the job already has it.
   */
  recordShare(jobId: string, key: string): boolean {
    const active = this.#active.get(jobId);
    if (!active) {
      return false;
    }
    const shard = key.charCodeAt(0) % SHARE_SHARDS;
    let shares = active.shares[shard];
    if (!shares) {
      shares = new Set();
      active.shares[shard] = shares;
    }
    if (shares.has(key)) {
      return false;
    }
    shares.add(key);
    return true;
  }

  #retire(id: string): void {
    this.#active.delete(id);
    this.#retired.add(id);
    for (const oldest of this.#retired) {
      if (this.#retired.size <= this.#maxRetiredIds) {
        break;
      }
      this.#retired.delete(oldest);
    }
  }
}

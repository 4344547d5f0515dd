import type { Job } from './job.ts';
import { ShareKeySet } from './share-key-set.ts';

export interface JobRegistryOptions {
  /** Jobs kept valid on the current block; older ones turn stale (a refresh every 30 s keeps 8 min). */
  readonly maxActiveJobs?: number;
  /** Retired job ids remembered, to tell "stale" from "unknown". */
  readonly maxRetiredIds?: number;
}

interface ActiveJob {
  readonly job: Job;
  /** The shares accepted on the job: a duplicate is refused. */
  readonly shares: ShareKeySet;
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
    this.#active.set(job.id, { job, shares: new ShareKeySet() });
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
   * Records an accepted share on its job by its hash (internal byte order); false when
   * the job already has it, or is not active.
   */
  recordShare(jobId: string, hash: Uint8Array): boolean {
    return this.#active.get(jobId)?.shares.add(hash) ?? false;
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

import type { Job } from './job.ts';
import { ShareKeySet } from './share-key-set.ts';

export interface JobRegistryOptions {
  /** Jobs kept valid on the current block; older ones turn stale (a refresh every 30 s keeps 8 min). */
  readonly maxActiveJobs?: number;
  /** Retired job ids remembered, to tell "stale" from "unknown". */
  readonly maxRetiredIds?: number;
  /** Alias ids held at once, over all active jobs (about 100 bytes each). */
  readonly maxAliases?: number;
}

interface ActiveJob {
  readonly job: Job;
  /** The shares accepted on the job, under its id or an alias: a duplicate is refused. */
  readonly shares: ShareKeySet;
  /** Aliases issued: `<id>.1` to `<id>.<aliases>`. */
  aliases: number;
}

/** Alias ids a registry holds at once unless told otherwise (about 100 bytes each). */
export const MAX_ALIASES = 65_536;

/** An alias id is `<job id>.<n>`, so job ids themselves must not hold a dot. */
const ALIAS_SEPARATOR = '.';

/** The job id and number an alias id `<job id>.<n>` holds; undefined for any other id, `1.01` and `1.` among them. */
function aliasOf(id: string): { readonly jobId: string; readonly n: number } | undefined {
  const separator = id.indexOf(ALIAS_SEPARATOR);
  if (separator < 0) {
    return undefined;
  }
  const suffix = id.slice(separator + 1);
  const n = Number(suffix);
  return Number.isSafeInteger(n) && n >= 1 && String(n) === suffix
    ? { jobId: id.slice(0, separator), n }
    : undefined;
}

/**
 * The jobs miners may submit to. A job on an earlier block, or superseded by a job
 * sent with clean_jobs, is stale; a job id never issued (or long forgotten) is unknown.
 *
 * A job may also go out again under an alias: another id for the same work, given to
 * one session whose difficulty changed. An alias shares its job's duplicate set, does
 * not count toward maxActiveJobs, and retires with its job.
 */
export class JobRegistry {
  readonly #maxActiveJobs: number;
  readonly #maxRetiredIds: number;
  readonly #maxAliases: number;
  readonly #active = new Map<string, ActiveJob>();
  /**
   * Aliases held over all active jobs. They are not kept one by one: an alias id names its
   * job and its number, so a job retires at once however many it had (a map of 65,536
   * alias ids took 11-16 ms to clear, on the Stratum thread, as a new block came).
   */
  #aliasCount = 0;
  /** Retired job ids, each with how many aliases it had: those are stale too, and not kept one by one. */
  readonly #retired = new Map<string, number>();
  #latest: Job | undefined;

  constructor(options: JobRegistryOptions = {}) {
    this.#maxActiveJobs = options.maxActiveJobs ?? 16;
    this.#maxRetiredIds = options.maxRetiredIds ?? 4096;
    this.#maxAliases = options.maxAliases ?? MAX_ALIASES;
  }

  /** The job most recently added. */
  get latest(): Job | undefined {
    return this.#latest;
  }

  add(job: Job): void {
    if (job.id.includes(ALIAS_SEPARATOR)) {
      throw new RangeError(`job id ${job.id} holds "${ALIAS_SEPARATOR}", which marks aliases`);
    }
    if (this.#active.has(job.id) || this.#retired.has(job.id)) {
      throw new Error(`job id ${job.id} was already issued`);
    }
    const previous = this.#latest;
    if (
      job.cleanJobs ||
      (previous && !previous.template.prevhashInternal.equals(job.template.prevhashInternal))
    ) {
      for (const active of [...this.#active.values()]) {
        this.#retire(active);
      }
    }
    this.#active.set(job.id, { job, shares: new ShareKeySet(), aliases: 0 });
    for (const active of this.#active.values()) {
      if (this.#active.size <= this.#maxActiveJobs) {
        break;
      }
      this.#retire(active);
    }
    this.#latest = job;
  }

  /**
   * A new id for the active job `id` (or for the job the alias `id` stands for).
   * Undefined when that job is not active, or when maxAliases are held already.
   */
  alias(id: string): string | undefined {
    const active = this.#active.get(id) ?? this.#activeAlias(id);
    if (!active || this.#aliasCount >= this.#maxAliases) {
      return undefined;
    }
    active.aliases++;
    this.#aliasCount++;
    return `${active.job.id}${ALIAS_SEPARATOR}${String(active.aliases)}`;
  }

  /** The job of an id or an alias. Aliases are looked up only when no job has the id (the hot path). */
  find(id: string): Job | 'stale' | undefined {
    const active = this.#active.get(id) ?? this.#activeAlias(id);
    if (active) {
      return active.job;
    }
    return this.#isRetired(id) ? 'stale' : undefined;
  }

  /**
   * Records an accepted share on its job (by its id or an alias) by its hash (internal
   * byte order); false when the job already has it, or is not active.
   */
  recordShare(jobId: string, hash: Uint8Array): boolean {
    return (this.#active.get(jobId) ?? this.#activeAlias(jobId))?.shares.add(hash) ?? false;
  }

  /** The active job whose alias `id` is. */
  #activeAlias(id: string): ActiveJob | undefined {
    const alias = aliasOf(id);
    const active = alias && this.#active.get(alias.jobId);
    return active && alias.n <= active.aliases ? active : undefined;
  }

  #isRetired(id: string): boolean {
    if (this.#retired.has(id)) {
      return true;
    }
    const alias = aliasOf(id);
    return alias !== undefined && alias.n <= (this.#retired.get(alias.jobId) ?? 0);
  }

  #retire(active: ActiveJob): void {
    const { id } = active.job;
    this.#active.delete(id);
    this.#aliasCount -= active.aliases;
    this.#retired.set(id, active.aliases);
    for (const oldest of this.#retired.keys()) {
      if (this.#retired.size <= this.#maxRetiredIds) {
        break;
      }
      this.#retired.delete(oldest);
    }
  }
}

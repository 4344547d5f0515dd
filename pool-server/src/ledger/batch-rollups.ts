/**
 * A share batch's counts per worker and minute, and for the whole pool per minute, as the
 * share store adds them up while it writes the batch; and the ids they are keyed by.
 */

const MINUTE = 60_000;

/** Why a share was refused, as miners and their pages group it. */
export type RejectKind = 'stale' | 'duplicate' | 'low-difficulty' | 'invalid';

/** An account's database id, as the text pg returns and as the bigint COPY writes, and its workers. */
export interface AccountIds {
  readonly id: string;
  readonly key: bigint;
  /** By worker name: looked up with the share's own strings, whose hashes V8 keeps. */
  readonly workers: Map<string, WorkerIds>;
}

export interface WorkerIds {
  readonly id: string;
  readonly key: bigint;
  readonly account: AccountIds;
}

/** The ids of a record the database has no row for (never once the store has resolved it), and of the pool's own rollups. */
export const NO_ACCOUNT: AccountIds = { id: '0', key: 0n, workers: new Map() };
export const NO_WORKER: WorkerIds = { id: '0', key: 0n, account: NO_ACCOUNT };

export interface Rollup {
  readonly bucketMs: number;
  readonly worker: WorkerIds;
  difficulty: number;
  accepted: number;
  /** Refusals other than stale ones, duplicate and lowDifficulty among them. */
  rejected: number;
  stale: number;
  duplicate: number;
  lowDifficulty: number;
}

/** Adds to the rollup of `worker`'s minute of `timeMs`; a batch spans a minute or two, so each list is short. */
function rollupOf(rollups: Map<WorkerIds, Rollup[]>, worker: WorkerIds, timeMs: number): Rollup {
  const bucketMs = timeMs - (timeMs % MINUTE);
  let minutes = rollups.get(worker);
  if (!minutes) {
    minutes = [];
    rollups.set(worker, minutes);
  }
  let rollup = minutes.find((candidate) => candidate.bucketMs === bucketMs);
  if (!rollup) {
    rollup = {
      bucketMs,
      worker,
      difficulty: 0,
      accepted: 0,
      rejected: 0,
      stale: 0,
      duplicate: 0,
      lowDifficulty: 0,
    };
    minutes.push(rollup);
  }
  return rollup;
}

function accept(rollup: Rollup, difficulty: number): void {
  rollup.difficulty += difficulty;
  rollup.accepted++;
}

function refuse(rollup: Rollup, kind: RejectKind): void {
  if (kind === 'stale') {
    rollup.stale++;
    return;
  }
  rollup.rejected++;
  if (kind === 'duplicate') {
    rollup.duplicate++;
  } else if (kind === 'low-difficulty') {
    rollup.lowDifficulty++;
  }
}

/**
 * The batch's counts per worker and minute, and for the whole pool per minute (worker
 * and account 0): each share is counted as the COPY stream encodes it, not in a pass of
 * its own over the batch.
 */
export class BatchRollups {
  readonly #workers = new Map<WorkerIds, Rollup[]>();
  readonly #pool = new Map<WorkerIds, Rollup[]>();

  accept(worker: WorkerIds, timeMs: number, difficulty: number): void {
    accept(rollupOf(this.#workers, worker, timeMs), difficulty);
    accept(rollupOf(this.#pool, NO_WORKER, timeMs), difficulty);
  }

  refuse(worker: WorkerIds, timeMs: number, kind: RejectKind): void {
    refuse(rollupOf(this.#workers, worker, timeMs), kind);
    refuse(rollupOf(this.#pool, NO_WORKER, timeMs), kind);
  }

  get workers(): Rollup[] {
    return [...this.#workers.values()].flat();
  }

  get pool(): Rollup[] {
    return [...this.#pool.values()].flat();
  }
}

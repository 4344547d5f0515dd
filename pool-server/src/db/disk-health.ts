/**
 * Whether a file the pool must write to keep its promises (a share journal, the block
 * journal) can be written, and since when not: what /api/health reports. Shared by the
 * journals of ledger/ and chain/, as time-slices.ts is.
 */
export interface DiskHealth {
  readonly writable: boolean;
  /** When the first failed write of the fault under way failed; undefined while writable. */
  readonly unwritableSinceMs: number | undefined;
  /** The failed write's error code (ENOSPC, EIO, …): no path in it, fit for a public answer. */
  readonly problem: string | undefined;
}

const WRITABLE: DiskHealth = { writable: true, unwritableSinceMs: undefined, problem: undefined };

/** Called on each change of health only: once when a fault starts (with its first error), once when it ends. */
export type DiskHealthListener = (health: DiskHealth, error: Error | undefined) => void;

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** A file's health, told by its writes: the first failure starts a fault, the next success ends it. */
export class DiskHealthTracker {
  #health: DiskHealth = WRITABLE;
  readonly #onChange: DiskHealthListener;

  constructor(onChange: DiskHealthListener) {
    this.#onChange = onChange;
  }

  get health(): DiskHealth {
    return this.#health;
  }

  failed(error: unknown, nowMs = Date.now()): void {
    if (!this.#health.writable) {
      return;
    }
    const cause = asError(error);
    const { code } = cause as NodeJS.ErrnoException;
    this.#health = { writable: false, unwritableSinceMs: nowMs, problem: code ?? 'write failed' };
    this.#onChange(this.#health, cause);
  }

  succeeded(): void {
    if (this.#health.writable) {
      return;
    }
    this.#health = WRITABLE;
    this.#onChange(WRITABLE, undefined);
  }
}

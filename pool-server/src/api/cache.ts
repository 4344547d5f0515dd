import { Lru } from 'toad-cache';

interface Entry<T> {
  /** The computation in flight, or the last one. */
  pending: Promise<T>;
  /** The last value computed, once there is one. */
  value?: { readonly current: T };
  freshUntil: number;
  refreshing: boolean;
}

/** Background refreshes at once: the rest keep their stale value until a slot is free. */
const MAX_REFRESHING = 4;
/** Each value is fresh for ttlMs give or take this share, so keys made together do not expire together. */
const TTL_JITTER = 0.25;

/**
 * Answers computed at most once per key per `ttlMs`. Concurrent callers share one
 * computation; once a key has a value, callers after `ttlMs` get that value while a
 * fresh one is computed in the background (stale while revalidating), so no caller
 * waits on a recomputation, and a few refreshes run at a time, so a burst of stale
 * keys cannot crowd out the answers. A failure is not kept: the next caller computes again.
 */
export class Memo<T> {
  readonly #entries: Lru<Entry<T>>;
  readonly #ttlMs: number;
  #refreshing = 0;

  constructor(maxKeys: number, ttlMs: number) {
    this.#entries = new Lru<Entry<T>>(maxKeys);
    this.#ttlMs = ttlMs;
  }

  get(key: string, compute: () => Promise<T>): Promise<T> {
    const entry = this.#entries.get(key);
    const now = Date.now();
    if (entry && (now < entry.freshUntil || !entry.value)) {
      return entry.pending;
    }
    if (entry?.value) {
      if (!entry.refreshing && this.#refreshing < MAX_REFRESHING) {
        entry.refreshing = true;
        this.#refreshing++;
        const release = (): void => {
          this.#refreshing--;
        };
        this.#run(key, entry, compute).then(release, release);
      }
      return Promise.resolve(entry.value.current);
    }
    const created: Entry<T> = { pending: Promise.resolve() as Promise<T>, freshUntil: 0, refreshing: true };
    this.#entries.set(key, created);
    return this.#run(key, created, compute);
  }

  #run(key: string, entry: Entry<T>, compute: () => Promise<T>): Promise<T> {
    const pending = compute();
    if (!entry.value) {
      entry.pending = pending;
    }
    pending.then(
      (current) => {
        entry.value = { current };
        entry.pending = pending;
        entry.freshUntil = Date.now() + this.#ttlMs * (1 - TTL_JITTER + 2 * TTL_JITTER * Math.random());
        entry.refreshing = false;
      },
      () => {
        entry.refreshing = false;
        if (!entry.value) {
          this.#entries.delete(key);
        }
      },
    );
    return pending;
  }
}

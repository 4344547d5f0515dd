import { Lru } from 'toad-cache';

/**
 * Answers computed at most once per key per `ttlMs`: concurrent callers share one
 * computation (a burst of page views costs one query), and a failure is not kept.
 */
export class Memo<T> {
  readonly #entries: Lru<Promise<T>>;

  constructor(maxKeys: number, ttlMs: number) {
    this.#entries = new Lru<Promise<T>>(maxKeys, ttlMs);
  }

  get(key: string, compute: () => Promise<T>): Promise<T> {
    const cached = this.#entries.get(key);
    if (cached) {
      return cached;
    }
    const pending = compute();
    this.#entries.set(key, pending);
    pending.catch(() => {
      this.#entries.delete(key);
    });
    return pending;
  }
}

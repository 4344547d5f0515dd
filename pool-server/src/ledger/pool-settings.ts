import type { PoolSettingsPatch } from '@hashwatt/schemas';
import type { Database, Queryable } from '../db/pool.ts';

/** A setting that is fixed, or read afresh each time it is used (an admin may change it while the pool runs). */
export type Live<T> = T | (() => Promise<T>);

export function read<T>(source: Live<T>): Promise<T> {
  return typeof source === 'function' ? (source as () => Promise<T>)() : Promise.resolve(source);
}

/** What an admin may change while the pool runs; the configuration gives the defaults. */
export interface RuntimeSettings {
  readonly feePercent: number;
  readonly payoutsEnabled: boolean;
  readonly payoutThresholdSats: number;
}

/** Changes are seen by every process within this long. */
const CACHE_MS = 2_000;

/**
 * The runtime settings: the configuration's values, overridden by what an admin saved in
 * pool_settings. Read often (every batch under PPS), so cached for two seconds.
 */
export class PoolSettingsStore {
  readonly #db: Database;
  readonly #defaults: RuntimeSettings;
  #cached: { readonly value: RuntimeSettings; readonly atMs: number } | undefined;

  constructor(db: Database, defaults: RuntimeSettings) {
    this.#db = db;
    this.#defaults = defaults;
  }

  async current(): Promise<RuntimeSettings> {
    if (this.#cached && Date.now() - this.#cached.atMs < CACHE_MS) {
      return this.#cached.value;
    }
    const value = await this.#read(this.#db);
    this.#cached = { value, atMs: Date.now() };
    return value;
  }

  async #read(db: Queryable): Promise<RuntimeSettings> {
    const { rows } = await db.query<{ key: keyof RuntimeSettings; value: unknown }>(
      'SELECT key, value FROM pool_settings',
    );
    return { ...this.#defaults, ...Object.fromEntries(rows.map((row) => [row.key, row.value])) };
  }

  /** Saves a change on `db` (the pool, or the caller's transaction) and returns the settings as they now stand. */
  async update(patch: PoolSettingsPatch, userId: string, db: Queryable = this.#db): Promise<RuntimeSettings> {
    for (const [key, value] of Object.entries(patch)) {
      await db.query(
        `INSERT INTO pool_settings (key, value, updated_by) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now(), updated_by = EXCLUDED.updated_by`,
        [key, JSON.stringify(value), userId],
      );
    }
    this.#cached = undefined;
    // Read on `db`: inside the caller's transaction, the change is not yet seen elsewhere.
    return this.#read(db);
  }
}

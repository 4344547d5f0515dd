import type { PoolSettings, PoolSettingsPatch } from '@hashwatt/schemas';
import type { Queryable } from '../db/pool.ts';

/** What the API learns about the running pool from main.ts: its settings and the network it mines. */
export interface PoolFacts {
  readonly chain: string;
  settings(): Promise<PoolSettings>;
  /** Saves a change on `db` (the request's transaction) and returns the settings as they then stand. */
  updateSettings(patch: PoolSettingsPatch, userId: string, db: Queryable): Promise<PoolSettings>;
  /** The node's view: the height being mined and the network difficulty. */
  network(): Promise<{ readonly height: number; readonly difficulty: number }>;
  now(): number;
}

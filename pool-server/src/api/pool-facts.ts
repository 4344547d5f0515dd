import type { PoolSettings, PoolSettingsPatch } from '@hashwatt/schemas';

/** What the API learns about the running pool from main.ts: its settings and the network it mines. */
export interface PoolFacts {
  readonly chain: string;
  settings(): Promise<PoolSettings>;
  updateSettings(patch: PoolSettingsPatch, userId: string): Promise<PoolSettings>;
  /** The node's view: the height being mined and the network difficulty. */
  network(): Promise<{ readonly height: number; readonly difficulty: number }>;
  now(): number;
}

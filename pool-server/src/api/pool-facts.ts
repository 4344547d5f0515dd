import type { ConnectInfo, PoolSettings, PoolSettingsPatch } from '@hashwatt/schemas';
import type { DiskHealth } from '../db/disk-health.ts';
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
  /** What a miner needs to connect: the Stratum ports, V2's authority key, the difficulty it may ask for. */
  connect(): ConnectInfo;
  /**
   * The journals of the Stratum nodes this process runs (or forked), for /api/health;
   * undefined in a process without them.
   */
  journals?(): readonly JournalState[];
}

/** A journal's health as one Stratum node reports it. */
export interface JournalState extends DiskHealth {
  readonly journal: 'shares' | 'blocks';
  readonly nodeId: number;
}

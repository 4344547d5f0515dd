/** A share writer on a journal folder and a database, as the pool builds it, for tests. */
import { pino } from 'pino';
import type { Database } from '../../src/db/pool.ts';
import { ShareJournal } from '../../src/ledger/share-journal.ts';
import { ShareStore, type ShareRecord } from '../../src/ledger/share-store.ts';
import { ShareWriter } from '../../src/ledger/share-writer.ts';

export function createWriter(db: Database, directory: string, retryIntervalMs = 100): ShareWriter {
  return new ShareWriter(
    new ShareStore(db),
    new ShareJournal({
      directory,
      fsync: 'never',
      fsyncIntervalMs: 1_000,
      // Thrown back through the writer's close(): a test fails on it.
      onFlushError(error) {
        throw error;
      },
    }),
    { nodeId: 1, flushIntervalMs: 50, maxBatchShares: 1_000, degradedFlushIntervalMs: 200, retryIntervalMs },
    pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  );
}

/** Share number `n`: its number is its achieved difficulty, so duplicates and gaps show. */
export function numberedShare(n: number, workers = 5): ShareRecord {
  return {
    timeMs: Date.UTC(2026, 10, 25, 12, 0, 0) + n,
    account: `acct${String(n % 3)}`,
    worker: `acct${String(n % 3)}.rig${String(n % workers)}`,
    payoutAddress: null,
    difficulty: 2,
    achieved: n,
    height: 100,
    block: false,
    solo: false,
    networkDifficulty: 1_000,
    subsidy: 312_500_000,
    fees: 1_000_000,
  };
}

/** What an ordinary accepted share on mainnet-like work carries besides who sent it and how hard it was. */
export const ORDINARY_SHARE = {
  height: 900_000,
  block: false,
  solo: false,
  networkDifficulty: 1e14,
  subsidy: 312_500_000,
  fees: 0,
} as const;

/** An accepted share on mainnet work, each field of the kind the journal and the columns must keep exactly. */
export const SHARE: ShareRecord = {
  timeMs: 1_764_163_200_123,
  account: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
  worker: 'rig-01',
  payoutAddress: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
  difficulty: 65_536,
  achieved: 123_456.789_012_345_67,
  height: 925_000,
  block: false,
  solo: false,
  networkDifficulty: 149_301_205_959_699.9,
  subsidy: 312_500_000,
  fees: 1_234_567,
};

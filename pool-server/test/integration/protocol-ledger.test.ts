/**
 * Workers' protocols through the share store and the journal, on a real PostgreSQL (a
 * database of this file's own): the latest connection wins whatever order batches are
 * stored in (and is what a farm's devices read by their pool user), a worker is recorded
 * before its first share, and a journal line with a protocol the database would refuse is
 * dropped rather than blocking its batch.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { batchFrom } from '../../src/ledger/share-line.ts';
import { ShareStore, type ShareBatch } from '../../src/ledger/share-store.ts';
import { workerProtocols } from '../../src/ledger/worker-production.ts';
import type { ProtocolRecord } from '../../src/ledger/worker-protocols.ts';

const ADDRESS = 'bcrt1qqyqszqgpqyqszqgpqyqszqgpqyqszqgpvxat9t';

function batchOf(protocols: readonly ProtocolRecord[]): ShareBatch {
  return { id: randomUUID(), nodeId: 1, shares: [], rejects: [], protocols };
}

function connected(worker: string, protocol: ProtocolRecord['protocol'], timeMs: number): ProtocolRecord {
  return { timeMs, account: ADDRESS, worker: `${ADDRESS}.${worker}`, payoutAddress: ADDRESS, protocol };
}

describe("workers' protocols in the ledger", () => {
  let database: TestDatabase;
  let store: ShareStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new ShareStore(database.db);
  });

  afterAll(async () => {
    await database.drop();
  });

  const protocolOf = async (worker: string): Promise<string | null | undefined> => {
    const { rows } = await database.db.query<{ protocol: string | null }>(
      'SELECT protocol FROM workers WHERE name = $1',
      [`${ADDRESS}.${worker}`],
    );
    return rows[0]?.protocol;
  };

  it('records a worker before its first share, with the payout address its shares would give', async () => {
    await store.store(batchOf([connected('early', 'v2', 1_000)]));
    expect(await protocolOf('early')).toBe('v2');
    const { rows } = await database.db.query<{ payout_address: string | null }>(
      'SELECT payout_address FROM accounts WHERE name = $1',
      [ADDRESS],
    );
    expect(rows[0]?.payout_address).toBe(ADDRESS);
  });

  it('keeps the latest connection, whatever order the batches of several nodes arrive in', async () => {
    await store.store(batchOf([connected('moving', 'v1', 1_000), connected('moving', 'v2', 3_000)]));
    expect(await protocolOf('moving')).toBe('v2');
    // Another node's batch, older, stored later.
    await store.store(batchOf([connected('moving', 'v1', 2_000)]));
    expect(await protocolOf('moving')).toBe('v2');
    await store.store(batchOf([connected('moving', 'v2-declared', 4_000)]));
    expect(await protocolOf('moving')).toBe('v2-declared');
    // As a farm's devices read it, by their pool user: a name with none recorded has no entry.
    const names = ['moving', 'early', 'nobody'].map((worker) => `${ADDRESS}.${worker}`);
    expect(Object.fromEntries(await workerProtocols(database.db, names))).toEqual({
      [`${ADDRESS}.moving`]: 'v2-declared',
      [`${ADDRESS}.early`]: 'v2',
    });
  });

  it('reads protocol lines back from the journal, dropping one the database would refuse', () => {
    const batch = batchFrom([
      ['b', 'c0ffee00-0000-4000-8000-000000000000', 1],
      ['p', 5_000, ADDRESS, `${ADDRESS}.rig`, ADDRESS, 'v2'],
      ['p', 6_000, ADDRESS, `${ADDRESS}.rig`, ADDRESS, 'v3'],
    ]);
    expect(batch?.protocols).toEqual([connected('rig', 'v2', 5_000)]);
  });
});

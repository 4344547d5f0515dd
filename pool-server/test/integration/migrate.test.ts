/** Starts: a real PostgreSQL (DATABASE_URL or embedded), one database for this file. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MigrationError } from '../../src/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

describe('migrations', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('created the schema and recorded it; running again applies nothing', async () => {
    const { rows } = await database.db.query<{ name: string; kind: string }>(
      'SELECT name, kind FROM schema_migrations ORDER BY version',
    );
    expect(rows).toEqual([
      { name: '0001_pool.sql', kind: 'schema' },
      { name: '0002_pool_rollups.sql', kind: 'schema' },
    ]);
    expect(await migrate(database.db)).toEqual({ applied: [], timescale: false });
    const tables = await database.db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    expect(tables.rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining([
        'accounts',
        'workers',
        'shares',
        'share_batches',
        'share_rollups_minute',
        'share_rollups_hour',
        'share_rollups_pool_minute',
        'blocks',
        'ledger_entries',
        'balances',
        'payouts',
        'payout_items',
        'pool_daily',
      ]),
    );
  });

  it('runs concurrently from several processes without applying anything twice', async () => {
    const reports = await Promise.all([migrate(database.db), migrate(database.db), migrate(database.db)]);
    expect(reports.every((report) => report.applied.length === 0)).toBe(true);
  });

  it('refuses a migration that changed after it was applied', async () => {
    await database.db.query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1");
    await expect(migrate(database.db)).rejects.toThrow(MigrationError);
    await expect(migrate(database.db)).rejects.toThrow(
      '0001_pool.sql was changed after it was applied; add a new migration instead',
    );
  });
});

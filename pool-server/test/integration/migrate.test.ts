/**
 * Starts: a real PostgreSQL (DATABASE_URL or embedded), one database for this file, and
 * `hashwatt migrate` run in this process as the program runs it.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MigrationError } from '../../src/db/migrate.ts';
import { hashwatt } from '../helpers/command-line.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

/** The schema migrations in the order they apply: every file of the folder. */
const SCHEMA_MIGRATIONS = readdirSync(new URL('../../src/db/migrations/', import.meta.url))
  .filter((file) => file.endsWith('.sql'))
  .sort();

interface CommandResult {
  readonly code: number;
  readonly migrated: Record<string, unknown> | undefined;
  readonly fatal: string | undefined;
}

/** Runs `hashwatt migrate` against `url` and reads its log lines, which are its answer on stdout. */
async function migrateCommand(url: string): Promise<CommandResult> {
  const { code, stdout } = await hashwatt(['migrate'], {
    HASHWATT_DATABASE_URL: url,
    HASHWATT_LOG_LEVEL: 'info',
  });
  const lines = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    code,
    migrated: lines.find((line) => line.msg === 'db: migrated'),
    fatal: lines.find((line) => line.level === 60)?.msg as string | undefined,
  };
}

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
    expect(rows).toEqual(SCHEMA_MIGRATIONS.map((name) => ({ name, kind: 'schema' })));
    expect(SCHEMA_MIGRATIONS[0]).toBe('0001_pool.sql');
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
        'share_rollup_deltas',
        'share_rollups_pool_hour',
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

  it('`hashwatt migrate` migrates a configured database and exits; again, it applies nothing', async () => {
    const empty = await createTestDatabase({ migrated: false });
    try {
      const first = await migrateCommand(empty.url);
      expect(first.code).toBe(0);
      expect(first.migrated).toMatchObject({
        applied: SCHEMA_MIGRATIONS,
        timescale: false,
      });
      const second = await migrateCommand(empty.url);
      expect(second).toMatchObject({ code: 0, migrated: { applied: [] } });
    } finally {
      await empty.drop();
    }
  });

  it('`hashwatt migrate` names the problem and fails when the database cannot be reached', async () => {
    const result = await migrateCommand('postgres://postgres@127.0.0.1:9/none');
    expect(result.code).toBe(1);
    expect(result.fatal).toMatch(/^db: migration failed: .*ECONNREFUSED/);
  });

  it('refuses a migration that changed after it was applied', async () => {
    await database.db.query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1");
    await expect(migrate(database.db)).rejects.toThrow(MigrationError);
    await expect(migrate(database.db)).rejects.toThrow(
      '0001_pool.sql was changed after it was applied; add a new migration instead',
    );
  });
});

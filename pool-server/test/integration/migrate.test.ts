/**
 * Starts: a real PostgreSQL (DATABASE_URL or embedded), one database for this file, and
 * `hashwatt migrate` run in this process as the program runs it; the same again on
 * TimescaleDB when TIMESCALE_URL names a server.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATION_LOCK_KEY, MigrationError } from '../../src/db/migrate.ts';
import { createDatabase } from '../../src/db/pool.ts';
import { detectTimescale, type TimescaleState } from '../../src/db/timescale.ts';
import { hashwatt } from '../helpers/command-line.ts';
import { createTestDatabase, STORAGE_SERVERS, type TestDatabase } from '../helpers/database.ts';
import { eventually } from '../helpers/eventually.ts';

/** The migrations of a folder in the order they apply: every file of it. */
function migrationFiles(folder: 'migrations' | 'timescale'): string[] {
  return readdirSync(new URL(`../../src/db/${folder}/`, import.meta.url))
    .filter((file) => file.endsWith('.sql'))
    .sort();
}

const SCHEMA_MIGRATIONS = migrationFiles('migrations');
const TIMESCALE_MIGRATIONS = migrationFiles('timescale');

interface CommandResult {
  readonly code: number;
  readonly migrated: Record<string, unknown> | undefined;
  /** The line saying what was found of TimescaleDB. */
  readonly timescale: Record<string, unknown> | undefined;
  readonly fatal: string | undefined;
}

/** Runs `hashwatt migrate` against `url` and reads its log lines, which are its answer on stdout. */
async function migrateCommand(url: string, timescale = 'auto'): Promise<CommandResult> {
  const { code, stdout } = await hashwatt(['migrate'], {
    HASHWATT_DATABASE_URL: url,
    HASHWATT_DATABASE_TIMESCALE: timescale,
    HASHWATT_LOG_LEVEL: 'info',
  });
  const lines = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    code,
    migrated: lines.find((line) => line.msg === 'db: migrated'),
    timescale: lines.find((line) => typeof line.timescale === 'string'),
    fatal: lines.find((line) => line.level === 60)?.msg as string | undefined,
  };
}

/** The migrations a database on a server in this state has applied. */
function migrationsFor(state: TimescaleState): string[] {
  return state.used ? [...SCHEMA_MIGRATIONS, ...TIMESCALE_MIGRATIONS] : SCHEMA_MIGRATIONS;
}

for (const { server, url, skip } of STORAGE_SERVERS) {
  describe.skipIf(skip)(`migrations on ${server}`, () => {
    let database: TestDatabase;
    let found: TimescaleState;
    beforeAll(async () => {
      database = await createTestDatabase({ serverUrl: url() });
      found = await detectTimescale(database.db, 'auto');
    });
    afterAll(async () => {
      await database.drop();
    });

    it('created the schema and recorded it; running again applies nothing', async () => {
      const { rows } = await database.db.query<{ name: string; kind: string }>(
        'SELECT name, kind FROM schema_migrations ORDER BY version',
      );
      expect(rows).toEqual(
        migrationsFor(found).map((name) => ({
          name,
          kind: SCHEMA_MIGRATIONS.includes(name) ? 'schema' : 'timescale',
        })),
      );
      expect(SCHEMA_MIGRATIONS[0]).toBe('0001_pool.sql');
      expect(await migrate(database.db)).toEqual({
        applied: [],
        timescale: found.used,
        timescaleState: found,
      });
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
        ]),
      );
    });

    it('on TimescaleDB, keeps no continuous aggregate and segments the rollups by account', async (context) => {
      if (!found.used) {
        context.skip('TimescaleDB is not used on this server');
      }
      const aggregates = await database.db.query(
        'SELECT 1 FROM timescaledb_information.continuous_aggregates',
      );
      expect(aggregates.rowCount).toBe(0);
      const { rows } = await database.db.query<{ hypertable: string; segmentby: string }>(
        `SELECT hypertable::text, segmentby FROM timescaledb_information.hypertable_compression_settings
        WHERE hypertable::text IN ('share_rollups_minute', 'share_rollups_worker_hour') ORDER BY 1`,
      );
      expect(rows.map((row) => row.hypertable)).toEqual([
        'share_rollups_minute',
        'share_rollups_worker_hour',
      ]);
      for (const row of rows) {
        expect(row.segmentby).toMatch(/^account_id, ?worker_id$/);
      }
    });

    it('runs concurrently from several processes without applying anything twice', async () => {
      const reports = await Promise.all([migrate(database.db), migrate(database.db), migrate(database.db)]);
      expect(reports.every((report) => report.applied.length === 0)).toBe(true);
    });

    it('`hashwatt migrate` migrates a configured database, says what it found of TimescaleDB, and exits; again, it applies nothing', async () => {
      const empty = await createTestDatabase({ migrated: false, serverUrl: url() });
      try {
        const first = await migrateCommand(empty.url);
        expect(first.code).toBe(0);
        expect(first.migrated).toMatchObject({ applied: migrationsFor(found), timescale: found.used });
        // A new database finds preloaded TimescaleDB usable (or in use, when the server's
        // template1 has it, as TimescaleDB's images do), and in use from then on.
        expect(first.timescale?.timescale).toBeOneOf(
          found.status === 'in-use' ? ['usable', 'in-use'] : [found.status],
        );
        expect(first.timescale?.msg).toMatch(/^db: TimescaleDB /);
        const second = await migrateCommand(empty.url);
        expect(second).toMatchObject({ code: 0, migrated: { applied: [] } });
        if (found.used) {
          expect(second.timescale).toMatchObject({ timescale: 'in-use' });
        }
      } finally {
        await empty.drop();
      }
    });

    it('`off` never looks at TimescaleDB; `on` refuses, naming what is missing, unless it is usable', async () => {
      const empty = await createTestDatabase({ migrated: false, serverUrl: url() });
      try {
        const on = await migrateCommand(empty.url, 'on');
        if (found.status === 'usable' || found.status === 'in-use') {
          expect(on.code).toBe(0);
        } else {
          expect(on.code).toBe(1);
          expect(on.fatal).toMatch(
            /^db: migration failed: database\.timescale is on, but (this server has no TimescaleDB: run TimescaleDB 2\.28\.x on PostgreSQL 15|TimescaleDB \S+ is not preloaded: add timescaledb to shared_preload_libraries)/,
          );
          const { rows } = await empty.db.query<{ n: string }>(
            'SELECT count(*)::text AS n FROM schema_migrations',
          );
          expect(rows[0]?.n).toBe('0');
        }
        const other = await createTestDatabase({ migrated: false, serverUrl: url() });
        try {
          const extension = async (): Promise<number | null> =>
            (await other.db.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")).rowCount;
          const before = await extension();
          const off = await migrateCommand(other.url, 'off');
          expect(off).toMatchObject({ code: 0, migrated: { applied: SCHEMA_MIGRATIONS, timescale: false } });
          expect(off.timescale).toMatchObject({ timescale: 'off' });
          expect(await extension()).toBe(before);
        } finally {
          await other.drop();
        }
      } finally {
        await empty.drop();
      }
    });

    it('`hashwatt migrate` fails with what happened when the server ends its connection, and the next run completes', async () => {
      const empty = await createTestDatabase({ migrated: false, serverUrl: url() });
      const name = new URL(empty.url).pathname.slice(1);
      // Another session holds the migration lock, so the command waits on it where it can be ended.
      const holder = new pg.Client({ connectionString: empty.url });
      await holder.connect();
      try {
        await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        const command = migrateCommand(empty.url);
        const waiting = await eventually(async () => {
          const { rows } = await holder.query<{ pid: number }>(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'advisory' AND pid <> pg_backend_pid()",
            [name],
          );
          return rows[0]?.pid;
        }, 'the migration waiting on its lock');
        await holder.query('SELECT pg_terminate_backend($1)', [waiting]);
        const result = await command;
        expect(result.code).toBe(1);
        expect(result.fatal).toMatch(
          /^db: migration failed: the database ended the connection while taking the migration lock \(.+\); nothing applied: run the migration again$/,
        );
        await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
        expect((await migrate(empty.db)).applied).toEqual(migrationsFor(found));
      } finally {
        await holder.end();
        await empty.drop();
      }
    });

    it('finds the same without superuser, which may not read shared_preload_libraries', async () => {
      const role = `hashwatt_test_${randomBytes(4).toString('hex')}`;
      await database.db.query(`CREATE ROLE ${role} LOGIN PASSWORD '${role}'`);
      const login = new URL(database.url);
      login.username = role;
      login.password = role;
      const reader = createDatabase(login.toString(), () => undefined);
      try {
        await expect(reader.query('SHOW shared_preload_libraries')).rejects.toMatchObject({ code: '42501' });
        expect(await detectTimescale(reader, 'auto')).toEqual(found);
      } finally {
        await reader.end();
        await database.db.query(`DROP ROLE ${role}`);
      }
    });

    it('refuses a migration that changed after it was applied', async () => {
      await database.db.query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1");
      await expect(migrate(database.db)).rejects.toThrow(MigrationError);
      await expect(migrate(database.db)).rejects.toThrow(
        '0001_pool.sql was changed after it was applied; add a new migration instead',
      );
    });
  });
}

it('`hashwatt migrate` names the problem and fails when the database cannot be reached', async () => {
  const result = await migrateCommand('postgres://postgres@127.0.0.1:9/none');
  expect(result.code).toBe(1);
  expect(result.fatal).toMatch(/^db: migration failed: cannot connect to the database: .*ECONNREFUSED/);
});

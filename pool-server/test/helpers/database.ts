/**
 * A database of its own for one test file, on the server global-setup.ts provides,
 * migrated unless asked not to be; dropped when the file is done.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { createDatabase, type Database } from '../../src/db/pool.ts';

export interface TestDatabase {
  readonly url: string;
  readonly db: Database;
  drop(): Promise<void>;
}

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** `migrated: false` leaves it empty, for tests of the migrations themselves. */
export async function createTestDatabase({ migrated = true } = {}): Promise<TestDatabase> {
  const serverUrl = inject('databaseUrl');
  const name = `hashwatt_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabaseName(serverUrl, name);
  const db = createDatabase(url, () => undefined);
  if (migrated) {
    await migrate(db);
  }
  return {
    url,
    db,
    async drop() {
      await db.end();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/**
 * Starts: a database of its own (real PostgreSQL). withTransaction on the pool commits or
 * rolls back; given a connection already in a transaction, it nests: its work undone
 * alone when it throws, and otherwise kept or undone with the outer transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/db/transaction.ts';
import { createTestDatabase, STORAGE_SERVERS, type TestDatabase } from '../helpers/database.ts';

for (const { server, url, skip } of STORAGE_SERVERS) {
  describe.skipIf(skip)(`withTransaction on ${server}`, () => {
    let database: TestDatabase;
    const names = async (): Promise<string[]> =>
      (await database.db.query<{ name: string }>('SELECT name FROM nesting ORDER BY name')).rows.map(
        (row) => row.name,
      );

    beforeAll(async () => {
      database = await createTestDatabase({ migrated: false, serverUrl: url() });
      await database.db.query('CREATE TABLE nesting (name text PRIMARY KEY)');
    });
    afterAll(async () => {
      await database.drop();
    });

    it('nests inside a connection: an inner failure undoes the inner work only', async () => {
      await withTransaction(database.db, async (outer) => {
        await outer.query("INSERT INTO nesting VALUES ('outer')");
        await expect(
          withTransaction(outer, async (inner) => {
            await inner.query("INSERT INTO nesting VALUES ('inner, undone')");
            throw new Error('refused');
          }),
        ).rejects.toThrow('refused');
        await withTransaction(outer, async (inner) => {
          await inner.query("INSERT INTO nesting VALUES ('inner, kept')");
        });
      });
      expect(await names()).toEqual(['inner, kept', 'outer']);
    });

    it('rolls nested work back with the outer transaction', async () => {
      await expect(
        withTransaction(database.db, async (outer) => {
          await withTransaction(outer, async (inner) => {
            await inner.query("INSERT INTO nesting VALUES ('nested, then outer failed')");
          });
          throw new Error('outer refused');
        }),
      ).rejects.toThrow('outer refused');
      expect(await names()).toEqual(['inner, kept', 'outer']);
    });
  });
}

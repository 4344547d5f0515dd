import pg from 'pg';
import type { Queryable } from './pool.ts';

/** PostgreSQL keeps savepoints of the same name as a stack: nesting deeper reuses the name. */
const SAVEPOINT = 'nested_work';

/**
 * Runs `work` in one transaction: committed if it returns, rolled back if it throws.
 * Given the pool, it takes a connection of its own; given a connection (already in a
 * transaction the caller opened), it nests with a savepoint, so `work` is undone alone
 * when it throws, and otherwise commits or rolls back with the caller's transaction.
 * A server going away between queries errors the idle connection; that error is
 * expected here (the next query fails), not a crash.
 */
export async function withTransaction<T>(
  db: Queryable,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  if (!(db instanceof pg.Pool)) {
    await db.query(`SAVEPOINT ${SAVEPOINT}`);
    try {
      const result = await work(db);
      await db.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
      return result;
    } catch (error) {
      await db.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`).catch(() => undefined);
      throw error;
    }
  }
  const client = await db.connect();
  const expected = (): void => undefined;
  client.on('error', expected);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.off('error', expected);
    client.release();
  }
}

import type pg from 'pg';
import type { Database } from './pool.ts';

/**
 * Runs `work` in one transaction on one pooled connection: committed if it returns,
 * rolled back if it throws. A server going away between queries errors the idle
 * connection; that error is expected here (the next query fails), not a crash.
 */
export async function withTransaction<T>(
  db: Database,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
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

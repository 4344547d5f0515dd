import pg from 'pg';

export type Database = pg.Pool;

/**
 * Where a query runs: the pool (each query on whichever connection is free), or one
 * connection, inside a transaction the caller opened. Domain functions that change
 * state take this, so a route can run them in its own transaction with its audit entry.
 */
export type Queryable = pg.Pool | pg.PoolClient;

/**
 * A connection pool. A connection the server ends (a restart, pg_terminate_backend) is
 * reported to `onError`, never thrown: pg.Pool listens only on idle connections, and a
 * checked-out one (db.connect(): transactions, COPY, migrations) emits 'error' even while
 * a query fails with the same error, which with no listener ends the process. The owner's
 * next query on it fails, and the pool drops it when it is released.
 */
export function createDatabase(url: string, onError: (error: Error) => void, max = 10): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  const checkedOut = new WeakSet<pg.PoolClient>();
  pool.on('error', onError);
  pool.on('acquire', (client) => checkedOut.add(client));
  pool.on('release', (_error, client) => checkedOut.delete(client));
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      // An idle connection's error reaches onError through the pool's own 'error' event.
      if (checkedOut.has(client)) {
        onError(error);
      }
    });
  });
  return pool;
}

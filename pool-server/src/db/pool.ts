import pg from 'pg';

export type Database = pg.Pool;

/**
 * Where a query runs: the pool (each query on whichever connection is free), or one
 * connection, inside a transaction the caller opened. Domain functions that change
 * state take this, so a route can run them in its own transaction with its audit entry.
 */
export type Queryable = pg.Pool | pg.PoolClient;

/** A connection pool. Errors of idle connections (the server restarting) are reported, not thrown. */
export function createDatabase(url: string, onError: (error: Error) => void, max = 10): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', onError);
  return pool;
}

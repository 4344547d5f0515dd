/**
 * Starts: a real PostgreSQL (DATABASE_URL or embedded) with a database per case, the pool
 * as a process (bin/hashwatt.js: devchain, Stratum, API, writer) and `main.ts migrate` as
 * a child process, miners over real TCP, and a separate admin connection that ends every
 * connection to the case's database (pg_terminate_backend) at random points: while the
 * pool starts, while the migrations run, and while miners submit shares. The pool either
 * carries on (answers Stratum and GET /api/pool afterwards, stores every accepted share)
 * or exits non-zero with a message; no output ever holds an unhandled 'error' event or a
 * bare stack trace. The random points come from a fixed seed, printed (FAULT_SEED sets it).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { countRows, createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { eventually } from '../helpers/eventually.ts';
import { MINER_ADDRESS } from '../helpers/pool.ts';
import {
  CHAIN_STANDS_STILL,
  freePoolPorts,
  poolPlacement,
  type PoolPorts,
  startPoolProcess,
  type TestProcess,
  untilListening,
} from '../helpers/processes.ts';
import { seededRandom } from '../helpers/random.ts';
import { StratumClient } from '../helpers/stratum-client.ts';

const SEED = Number(process.env.FAULT_SEED ?? 20_261_206);
const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const SCHEMA_MIGRATIONS = readdirSync(new URL('../../src/db/migrations/', import.meta.url)).filter((file) =>
  file.endsWith('.sql'),
).length;

/**
 * What must never be in a process's output: node's report of an 'error' event nobody
 * listened to, the pool's last-resort line, and a raw stack trace (pino writes one
 * inside a JSON line, its line breaks escaped).
 */
function expectNoUnhandledError(output: string): void {
  expect(output).not.toMatch(/Unhandled 'error' event/);
  expect(output).not.toMatch(/nobody handled/);
  expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

/** The folders under `dataDir` not 0700 and the files not 0600 (dataDir itself may keep group search). */
async function openModes(dataDir: string): Promise<string[]> {
  const open: string[] = [];
  const walk = async (folder: string, allowed: number): Promise<void> => {
    if (((await stat(folder)).mode & ~allowed & 0o777) !== 0) {
      open.push(folder);
    }
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const target = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        await walk(target, 0o700);
      } else if (((await stat(target)).mode & 0o777) !== 0o600) {
        open.push(`${target} ${((await stat(target)).mode & 0o777).toString(8)}`);
      }
    }
  };
  await walk(dataDir, 0o710);
  return open;
}

/** Progress for whoever reads the run: the seed, and what each case saw. */
function report(line: string): void {
  process.stdout.write(`connection-faults: ${line}\n`);
}

/** Runs `main.ts migrate` against `url`; resolves with its exit code and output once it exits. */
function migrateCommand(url: string, dataDir: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', MAIN, 'migrate'],
      { env: { ...process.env, HASHWATT_DATABASE_URL: url, HASHWATT_DATA_DIR: dataDir }, timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({
          code: typeof error?.code === 'number' ? error.code : error ? -1 : 0,
          output: stdout + stderr,
        });
      },
    );
  });
}

/** The fatal log lines of a process's output: how it says why it stops. */
function fatalMessages(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level?: number; msg?: string })
    .filter((line) => line.level === 60)
    .map((line) => line.msg ?? '');
}

describe('the database ending its connections at random points', () => {
  const random = seededRandom(SEED);
  /** A pause of minMs to maxMs, drawn from the seeded generator. */
  const pause = (minMs: number, maxMs: number): Promise<void> => sleep(minMs + random() * (maxMs - minMs));
  let admin: pg.Client;
  let directory: string;

  /** Ends every connection to `database` but the admin's own; resolves with how many. */
  async function terminateAll(database: TestDatabase): Promise<number> {
    const { rows } = await admin.query<{ ended: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS ended
         FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [new URL(database.url).pathname.slice(1)],
    );
    return rows[0]?.ended ?? 0;
  }

  /** Terminates at random points, minMs to maxMs apart, until `done` says stop; resolves with the count ended. */
  async function terminating(
    database: TestDatabase,
    done: () => boolean,
    minMs: number,
    maxMs: number,
  ): Promise<number> {
    let ended = 0;
    while (!done()) {
      await pause(minMs, maxMs);
      ended += await terminateAll(database);
    }
    return ended;
  }

  beforeAll(async () => {
    report(`seed ${String(SEED)} (FAULT_SEED=${String(SEED)} repeats this run)`);
    admin = new pg.Client({ connectionString: inject('databaseUrl') });
    // Its own connection is never ended (its database is the server's, not the case's); if it were, its next query says so.
    admin.on('error', (error) => {
      report(`the admin connection failed: ${error.message}`);
    });
    await admin.connect();
    directory = mkdtempSync(path.join(tmpdir(), 'hashwatt-faults-'));
  });

  afterAll(async () => {
    await admin.end();
    rmSync(directory, { recursive: true, force: true });
  });

  it('`main.ts migrate`, its connection ended again and again: migrated, or exit 1 with the reason', async () => {
    const outcomes: string[] = [];
    for (let round = 0; round < 4; round += 1) {
      const database = await createTestDatabase({ migrated: false });
      try {
        const state = { finished: false };
        const command = migrateCommand(database.url, directory).finally(() => {
          state.finished = true;
        });
        const [ended, { code, output }] = await Promise.all([
          terminating(database, () => state.finished, 5, 120),
          command,
        ]);
        expectNoUnhandledError(output);
        if (code === 0) {
          outcomes.push(`migrated (${String(ended)} ended)`);
        } else {
          expect(code, output).toBe(1);
          expect(fatalMessages(output)).toEqual([expect.stringMatching(/^db: migration failed: \S/)]);
          // What happened, not its echo: a connection the server ended (PostgreSQL's notice, or
          // the socket reset when the notice is lost), not one merely "not queryable".
          expect(fatalMessages(output)[0]).toMatch(/terminat|ended the connection|ECONNRESET/);
          outcomes.push(`exit 1: ${fatalMessages(output)[0] ?? ''}`);
        }
        // Undisturbed, the next run completes what was left: a failed migration left nothing half done.
        await terminateAll(database);
        const again = await migrateCommand(database.url, directory);
        expect(again.code, again.output).toBe(0);
        expect(again.output).toContain('db: migrated');
        expect(await countRows(database.db, 'schema_migrations')).toBe(SCHEMA_MIGRATIONS);
      } finally {
        await database.drop();
      }
    }
    report(`migrate runs: ${outcomes.join('; ')}`);
    // The storm reached the migrations at least once: otherwise this test proves nothing.
    expect(outcomes.some((outcome) => outcome.startsWith('exit 1'))).toBe(true);
  }, 300_000);

  describe('the pool', () => {
    let database: TestDatabase;
    let ports: PoolPorts;

    const startPool = (): TestProcess =>
      startPoolProcess({
        ...poolPlacement(database.url, directory, ports),
        ...CHAIN_STANDS_STILL,
      });

    /** A miner that subscribes, authorizes and has `shares` shares accepted; resolves once they are. */
    async function minerWorks(worker: string, shares: number): Promise<void> {
      const miner = await StratumClient.connect(ports.stratum);
      try {
        await miner.subscribeAndAuthorize(`${MINER_ADDRESS}.${worker}`, 'd=0.00001');
        for (let share = 0; share < shares; share += 1) {
          const reply = await miner.mineAndSubmit(`${MINER_ADDRESS}.${worker}`);
          expect(reply.result, JSON.stringify(reply.error)).toBe(true);
        }
      } finally {
        miner.close();
      }
    }

    async function answersApi(): Promise<void> {
      const response = await fetch(`http://127.0.0.1:${String(ports.api)}/api/pool`);
      expect(response.status).toBe(200);
    }

    beforeAll(async () => {
      database = await createTestDatabase();
      ports = await freePoolPorts();
    });

    afterAll(async () => {
      await database.drop();
    });

    it('ended while it starts: it comes up and serves, or exits non-zero saying why', async () => {
      const outcomes: string[] = [];
      for (let round = 0; round < 3; round += 1) {
        const pool = startPool();
        const state = { up: false };
        const started = untilListening(pool, ports.stratum).then(
          () => {
            state.up = true;
          },
          () => undefined,
        );
        await Promise.all([
          terminating(database, () => state.up || pool.child.exitCode !== null, 20, 400),
          started,
        ]);
        if (state.up) {
          await minerWorks(`start${String(round)}`, 2);
          await answersApi();
          outcomes.push('came up');
          await pool.stop();
        } else {
          const code = await pool.exited;
          expect(code, pool.output()).not.toBe(0);
          expect(fatalMessages(pool.output()).length, pool.output()).toBeGreaterThan(0);
          outcomes.push(`exit ${String(code)}: ${fatalMessages(pool.output()).join(' | ')}`);
        }
        expectNoUnhandledError(pool.output());
      }
      report(`start-ups: ${outcomes.join('; ')}`);
    }, 300_000);

    it('ended while miners submit shares: it carries on and stores every share it accepted', async () => {
      const pool = startPool();
      try {
        await untilListening(pool, ports.stratum);
        const before = await countRows(database.db, 'shares');
        let working = true;
        const accepted = { count: 0 };
        const miners = Array.from({ length: 3 }, async (_, index) => {
          const worker = `load${String(index)}`;
          const miner = await StratumClient.connect(ports.stratum);
          await miner.subscribeAndAuthorize(`${MINER_ADDRESS}.${worker}`, 'd=0.00001');
          while (working) {
            const reply = await miner.mineAndSubmit(`${MINER_ADDRESS}.${worker}`);
            if (reply.result === true) {
              accepted.count += 1;
            }
          }
          miner.close();
        });
        let rounds = 0;
        const ended = await terminating(database, () => rounds++ >= 8, 100, 700);
        working = false;
        await Promise.all(miners);

        expect(ended).toBeGreaterThan(0);
        expect(accepted.count).toBeGreaterThan(0);
        expect(pool.child.exitCode, pool.output()).toBeNull();
        await minerWorks('after', 3);
        await answersApi();
        const stored = await eventually(
          async () => {
            // The test's own pooled connections are ended too: a query on one that was fails, and the next one is new.
            const count = await countRows(database.db, 'shares').catch(() => 0);
            return count >= before + accepted.count + 3 ? count : undefined;
          },
          'every accepted share stored',
          30_000,
        );
        expect(stored).toBe(before + accepted.count + 3);
        // What it wrote meanwhile (the share journal, rotated as batches are stored) is its own alone.
        expect(await openModes(directory)).toEqual([]);
        report(
          `under load, ${String(ended)} connections ended; ${String(accepted.count + 3)} shares accepted and stored`,
        );
      } finally {
        await pool.stop();
        expectNoUnhandledError(pool.output());
      }
    }, 180_000);
  });
});

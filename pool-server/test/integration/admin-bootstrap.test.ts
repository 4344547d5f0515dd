/**
 * Starts: real PostgreSQL databases; `hashwatt user add` run in this process as the
 * program runs it; the whole pool in-process (devchain, Stratum, API) with a first admin
 * from its configuration, reached over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFirstAdmin } from '../../src/accounts/users.ts';
import { hashwatt, type CommandRun } from '../helpers/command-line.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestPool, type TestPool } from '../helpers/pool.ts';

const PASSWORD = 'the first admin password';

const userAdd = (url: string, args: readonly string[], stdin: string): Promise<CommandRun> =>
  hashwatt(['user', 'add', ...args], { HASHWATT_DATABASE_URL: url, HASHWATT_LOG_LEVEL: 'warn' }, stdin);

describe('the first admin', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('is created from the configuration once, and never again', async () => {
    const first = await ensureFirstAdmin(database.db, 'root@pool.test', PASSWORD);
    expect(first).toMatchObject({ email: 'root@pool.test', role: 'admin' });
    expect(await ensureFirstAdmin(database.db, 'other@pool.test', PASSWORD)).toBeUndefined();
    const admins = await database.db.query("SELECT email FROM users WHERE role = 'admin'");
    expect(admins.rows).toEqual([{ email: 'root@pool.test' }]);
  });

  it('`hashwatt user add` adds a user from flags and the password on stdin, and echoes no password', async () => {
    const added = await userAdd(
      database.url,
      ['--email', 'ops@pool.test', '--name', 'Ops', '--role', 'admin'],
      `${PASSWORD}\n`,
    );
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ email: 'ops@pool.test', name: 'Ops', role: 'admin' });
    expect(added.stdout + added.stderr).not.toContain(PASSWORD);
    const stored = await database.db.query<{ password_hash: string }>(
      "SELECT password_hash FROM users WHERE email = 'ops@pool.test'",
    );
    expect(stored.rows[0]?.password_hash).toMatch(/^scrypt\$/);
    const again = await userAdd(database.url, ['--email', 'ops@pool.test', '--role', 'admin'], PASSWORD);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('A user with this email exists already.');
    const bad = await userAdd(database.url, ['--email', 'nope', '--role', 'admin'], 'short');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('the password on standard input must have 12 to 1024 characters');
    expect(bad.stderr).not.toContain('short\n');
  });
});

describe('the pool with its API', () => {
  let pool: TestPool;
  beforeAll(async () => {
    pool = await startTestPool({
      HASHWATT_ADMIN_EMAIL: 'admin@pool.test',
      HASHWATT_ADMIN_PASSWORD: PASSWORD,
    });
  });
  afterAll(async () => {
    await pool.stop();
  });

  it('serves the API on its port, where the configured admin signs in, to set up two-factor sign-in first', async () => {
    expect(pool.apiPort).toBeGreaterThan(0);
    const base = `http://127.0.0.1:${String(pool.apiPort)}`;
    const summary = await fetch(`${base}/api/pool`);
    expect(summary.status).toBe(200);
    expect(await summary.json()).toMatchObject({ network: { chain: 'regtest' }, fee: { scheme: 'pplns' } });
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@pool.test', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    // An admin must sign in with a second factor: the first sign-in may only set one up.
    expect(await login.json()).toMatchObject({
      user: { role: 'admin' },
      twoFactor: { enabled: false, required: true },
    });
    const users = await fetch(`${base}/api/admin/users`, {
      headers: { cookie: login.headers.get('set-cookie')?.split(';')[0] ?? '' },
    });
    expect(users.status).toBe(403);
    expect(await users.json()).toMatchObject({ error: 'HW_ERR_TWO_FACTOR_REQUIRED' });
  });
});

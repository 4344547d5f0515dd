/**
 * Starts: a real PostgreSQL database; `hashwatt account register` run in this process as
 * the program runs it. A named account is registered only with a name a username can
 * carry and an address of the pool's chain; then the Stratum side's list knows it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegisteredAccountList } from '../../src/ledger/registered-accounts.ts';
import { hashwatt, type CommandRun } from '../helpers/command-line.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { MINER_ADDRESS, OTHER_MINER_ADDRESS } from '../helpers/pool.ts';

const register = (url: string, args: readonly string[]): Promise<CommandRun> =>
  hashwatt(['account', 'register', ...args], { HASHWATT_DATABASE_URL: url, HASHWATT_LOG_LEVEL: 'warn' });

describe('hashwatt account register', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  async function payoutOf(name: string): Promise<string | undefined> {
    const { rows } = await database.db.query<{ payout_address: string }>(
      'SELECT payout_address FROM accounts WHERE name = $1',
      [name],
    );
    return rows[0]?.payout_address;
  }

  it('registers a name paid at an address of the chain, and moves it on a second call', async () => {
    const first = await register(database.url, ['--name', 'farm-7', '--address', MINER_ADDRESS]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain('miners connect as farm-7.<worker>');
    expect(await payoutOf('farm-7')).toBe(MINER_ADDRESS);
    const moved = await register(database.url, ['--name', 'farm-7', '--address', OTHER_MINER_ADDRESS]);
    expect(moved.code).toBe(0);
    expect(await payoutOf('farm-7')).toBe(OTHER_MINER_ADDRESS);
    const list = new RegisteredAccountList();
    await list.refresh(database.db);
    expect(list.has('farm-7')).toBe(true);
  });

  it('refuses a name no username can carry, and an address of another chain, saying why', async () => {
    const badName = await register(database.url, ['--name', 'farm.7', '--address', MINER_ADDRESS]);
    expect(badName).toMatchObject({ code: 2 });
    expect(badName.stderr).toContain('--name takes 1 to 64 letters, digits and hyphens');
    const mainnet = await register(database.url, [
      '--name',
      'farm-8',
      '--address',
      'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
    ]);
    expect(mainnet).toMatchObject({ code: 2 });
    expect(mainnet.stderr).toMatch(/is not a valid regtest address/);
    expect(await payoutOf('farm.7')).toBeUndefined();
    expect(await payoutOf('farm-8')).toBeUndefined();
  });

  it('leaves addresses out of the list: they are authorized as addresses', async () => {
    await database.db.query('INSERT INTO accounts (name, payout_address) VALUES ($1, $1)', [MINER_ADDRESS]);
    const list = new RegisteredAccountList();
    await list.refresh(database.db);
    expect(list.has(MINER_ADDRESS)).toBe(false);
    expect(list.has('farm-7')).toBe(true);
  });
});

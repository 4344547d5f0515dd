import type { Database } from '../db/pool.ts';

/**
 * The named accounts (not addresses) the pool has a payout address for: the only names
 * a Stratum username may begin with besides an address, for nothing could pay any
 * other. Read whole into memory, since authorize cannot wait for a query; a Stratum
 * node refreshes it on a timer.
 */
export class RegisteredAccountList {
  #names: ReadonlySet<string> = new Set();

  has(account: string): boolean {
    return this.#names.has(account);
  }

  get size(): number {
    return this.#names.size;
  }

  /** Reads the list again; the one in use stays until the new one is whole. */
  async refresh(db: Database): Promise<void> {
    this.replace(await readRegisteredAccounts(db));
  }

  /** The list another thread read (a Stratum thread has no database of its own). */
  replace(names: readonly string[]): void {
    this.#names = new Set(names);
  }
}

/** The names of the registered accounts, as the database holds them now. */
export async function readRegisteredAccounts(db: Database): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    // An address's own account pays that address: those are authorized as addresses.
    'SELECT name FROM accounts WHERE payout_address IS NOT NULL AND payout_address <> name',
  );
  return rows.map((row) => row.name);
}

/** Registers `name` as an account paid at `payoutAddress` (or moves its payouts there). */
export async function registerAccount(db: Database, name: string, payoutAddress: string): Promise<void> {
  await db.query(
    `INSERT INTO accounts (name, payout_address) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET payout_address = EXCLUDED.payout_address`,
    [name, payoutAddress],
  );
}

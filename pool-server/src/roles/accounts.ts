/**
 * The named accounts a Stratum node lets miners mine under, kept current by the part of
 * the pool that holds the database: read at start, every minute, and after each
 * registration, then handed to the node (in this thread, or to the Stratum thread).
 */
import type { Logger } from 'pino';
import type { Database } from '../db/pool.ts';
import { readRegisteredAccounts, registerAccount } from '../ledger/registered-accounts.ts';
import { Schedule } from '../ledger/schedule.ts';

/** A named account registered in the database may mine under its name after at most this. */
const ACCOUNTS_REFRESH_MS = 60_000;
const REFRESH = 'registered accounts';

export interface AccountsKeeper {
  /** Registers `name`, paid at `payoutAddress`; resolves once the node knows it. */
  register(name: string, payoutAddress: string): Promise<void>;
  stop(): Promise<void>;
}

export async function keepAccountsCurrent(
  db: Database,
  deliver: (names: readonly string[]) => Promise<void> | void,
  log: Logger,
): Promise<AccountsKeeper> {
  const refresh = async (): Promise<void> => {
    await deliver(await readRegisteredAccounts(db));
  };
  const schedule = new Schedule([{ name: REFRESH, intervalMs: ACCOUNTS_REFRESH_MS, run: refresh }], log);
  await refresh();
  schedule.start();
  return {
    async register(name, payoutAddress) {
      await registerAccount(db, name, payoutAddress);
      // A scheduled read begun before the registration could deliver its older list after
      // ours: wait it out first. Any read begun from here on sees the new name.
      await schedule.runNow(REFRESH);
      await refresh();
    },
    stop: () => schedule.stop(),
  };
}

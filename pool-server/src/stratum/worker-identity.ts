import { ADDRESS_FORMS, minerPayoutScript, type Chain } from '../work/address.ts';

/** Who an authorized worker is: the account it mines for, its name, and where SOLO pays it. */
export interface WorkerIdentity {
  /** The payout address or the account name: the part before the first '.' or '_'. */
  readonly account: string;
  /** The full worker name as the miner sent it. */
  readonly worker: string;
  /** The address's output script when the account is an address. */
  readonly payoutScript: Buffer | undefined;
  /** A static difficulty from the password (d=N), if any. */
  readonly fixedDifficulty: number | undefined;
  /** The password asked for SOLO mining (`solo` or `m=solo`). */
  readonly solo: boolean;
}

export type AuthorizeResult =
  { readonly ok: true; readonly identity: WorkerIdentity } | { readonly ok: false; readonly message: string };

/** Decides who may mine; main.ts passes one in. */
export interface Authorizer {
  authorize(username: unknown, password: unknown): AuthorizeResult;
}

/**
 * The named accounts a username may begin with instead of an address: those the pool
 * has a payout address for (nothing could ever pay any other). main.ts keeps it
 * current from the database; a Stratum node without one knows none.
 */
export interface RegisteredAccounts {
  has(account: string): boolean;
}

const MAX_USERNAME_LENGTH = 128;
const ACCOUNT_NAME = /^[A-Za-z0-9-]{1,64}$/;

/** Whether `name` can be an account's part of a username: 1 to 64 letters, digits and hyphens. */
export function isAccountName(name: string): boolean {
  return ACCOUNT_NAME.test(name);
}
const WORKER_SUFFIX = /^[\x21-\x7e]{0,64}$/;
/** Something that was meant as an address: a base58 or bech32 shape. */
const ADDRESS_SHAPE = /^(bc1|tb1|bcrt1|[13mn2])[0-9A-Za-z]{20,}$/;

/**
 * [stratum] password options, separated by commas, semicolons or spaces: d=N fixes the
 * difficulty (as MiningCore reads it), `solo` or m=solo mines SOLO.
 */
export function parsePasswordOptions(password: unknown): { difficulty: number | undefined; solo: boolean } {
  let difficulty: number | undefined;
  let solo = false;
  if (typeof password !== 'string' || password.length > 256) {
    return { difficulty, solo };
  }
  for (const option of password.split(/[,;\s]/)) {
    const match = /^d=([0-9]*\.?[0-9]+(?:e[-+]?[0-9]+)?)$/i.exec(option);
    const value = match ? Number(match[1]) : Number.NaN;
    if (difficulty === undefined && Number.isFinite(value) && value > 0) {
      difficulty = value;
    }
    if (/^(solo|m=solo)$/i.test(option)) {
      solo = true;
    }
  }
  return { difficulty, solo };
}

/**
 * Usernames are `address[.worker]` (or `_worker`, as ckpool accepts) or
 * `account[.worker]` for a registered account. An address must be valid for the pool's
 * chain, its checksum and witness program included; anything else is refused, saying
 * what the username should be (firmware prints the message in the miner's log).
 */
export function createAddressAuthorizer(chain: Chain, accounts: RegisteredAccounts): Authorizer {
  const expected = `the username is a ${chain} address (${ADDRESS_FORMS[chain]}) or a registered account, then .worker`;
  return {
    authorize(username: unknown, password: unknown): AuthorizeResult {
      if (typeof username !== 'string' || username.length === 0 || username.length > MAX_USERNAME_LENGTH) {
        return { ok: false, message: `the username must be 1 to ${String(MAX_USERNAME_LENGTH)} characters` };
      }
      const cut = username.search(/[._]/);
      const account = cut === -1 ? username : username.slice(0, cut);
      const suffix = cut === -1 ? '' : username.slice(cut + 1);
      if (!WORKER_SUFFIX.test(suffix)) {
        return { ok: false, message: 'the worker name must be up to 64 printable characters without spaces' };
      }
      const { difficulty, solo } = parsePasswordOptions(password);
      const payout = minerPayoutScript(account, chain);
      if (payout.ok) {
        return {
          ok: true,
          identity: {
            account,
            worker: username,
            payoutScript: payout.script,
            fixedDifficulty: difficulty,
            solo,
          },
        };
      }
      if (ACCOUNT_NAME.test(account) && accounts.has(account)) {
        return {
          ok: true,
          identity: { account, worker: username, payoutScript: undefined, fixedDifficulty: difficulty, solo },
        };
      }
      // Something typed as an address hears what is wrong with it; any other name, that it is unknown.
      const problem =
        ADDRESS_SHAPE.test(account) || !ACCOUNT_NAME.test(account)
          ? payout.message
          : `${account} is not a registered account`;
      return { ok: false, message: `${problem}: ${expected}` };
    },
  };
}

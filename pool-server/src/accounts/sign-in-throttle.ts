import type { Database, Queryable } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { HwError } from '../errors.ts';

/**
 * Password guessing is slowed, never stopped by a lock a stranger could set off.
 *
 * Two gates count wrong passwords, each in a row of sign_in_throttles:
 * - the account's (keyed by the email asked for, known or not, so a refusal says nothing
 *   about who has an account): every wrong password for it, from any address;
 * - the address's: every wrong password sent from one client address, for any account.
 * Each gate lets `freeFailures` through, then each further attempt waits: the first
 * delay, doubling with each failure, up to the gate's cap. A refused attempt is
 * answered 429 with Retry-After, and neither hashes a password nor counts.
 *
 * Why a stranger cannot keep the real user (the only admin included) out:
 * - The account gate does not apply to an address the account signed in from lately
 *   (sign_in_addresses, `knownAddressDays`): from their usual address the user meets
 *   only that address's own gate, which a stranger elsewhere cannot fill.
 * - From a new address the account gate's wait is capped short (`accountMaxDelayMs`,
 *   a minute by default): after a burst, the user with the right password is in
 *   within that; a stranger guessing without pause takes turns with them, one
 *   attempt a minute, which also caps a guesser's rate on the account.
 * - The long waits (`addressMaxDelayMs`, 15 minutes) fall only on the address that
 *   failed.
 *
 * Admission is one transaction that locks the gates' rows and counts the attempt as a
 * failure before its password is hashed; a right password takes its count back. So
 * thirty attempts at once are lined up on the account's row, and only those the gate
 * admits are checked. Failures are forgotten a day after a gate's last one.
 */
export interface ThrottleSettings {
  /** Wrong passwords for one account (from addresses it has not signed in from lately) before attempts wait. */
  readonly accountFreeFailures: number;
  /** Wrong passwords from one client address, for any accounts, before its attempts wait. */
  readonly addressFreeFailures: number;
  /** The first wait; each further failure doubles it. */
  readonly firstDelayMs: number;
  readonly accountMaxDelayMs: number;
  readonly addressMaxDelayMs: number;
  /** An address the account signed in from within this many days skips the account's gate. */
  readonly knownAddressDays: number;
}

/** A gate's failures are forgotten this long after its last one (ms). */
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;

/** An attempt that passed its gates: its count is taken back if its password was right. */
export interface AdmittedAttempt {
  readonly keys: readonly string[];
}

interface GateRow {
  readonly key: string;
  readonly failures: number;
  readonly next_attempt_at: Date;
  readonly last_failure_at: Date | null;
}

export interface AttemptOrigin {
  /** The email asked for, as typed. */
  readonly email: string;
  readonly address: string;
  /** The account signed in from `address` lately. */
  readonly knownAddress: boolean;
}

/** The account gate's key: by the email asked for, lower-cased as users_email compares it. */
export function accountGateKey(email: string): string {
  return `account:${email.toLowerCase()}`;
}

function gatesOf(origin: AttemptOrigin, settings: ThrottleSettings) {
  const address = {
    key: `address:${origin.address}`,
    freeFailures: settings.addressFreeFailures,
    maxDelayMs: settings.addressMaxDelayMs,
  };
  const account = {
    key: accountGateKey(origin.email),
    freeFailures: settings.accountFreeFailures,
    maxDelayMs: settings.accountMaxDelayMs,
  };
  return origin.knownAddress ? [address] : [account, address];
}

/** The wait after the `failures`-th failure: none within the free ones, then doubling up to the cap (ms). */
export function delayAfter(
  failures: number,
  freeFailures: number,
  firstDelayMs: number,
  maxDelayMs: number,
): number {
  if (failures < freeFailures) {
    return 0;
  }
  // 2^30 already passes any cap; the exponent stays small.
  return Math.min(maxDelayMs, firstDelayMs * 2 ** Math.min(30, failures - freeFailures));
}

/**
 * Admits a sign-in attempt and counts it as a failure, in one transaction on its own
 * connection (so no caller's transaction can roll the count back), or refuses it with
 * HW_ERR_SIGN_IN_THROTTLED and the seconds to wait.
 */
export async function admitAttempt(
  db: Database,
  origin: AttemptOrigin,
  settings: ThrottleSettings,
  now: Date,
): Promise<AdmittedAttempt> {
  const gates = gatesOf(origin, settings).sort((a, b) => a.key.localeCompare(b.key));
  const keys = gates.map((gate) => gate.key);
  return withTransaction(db, async (transaction) => {
    // Rows made and locked in key order: two attempts never wait on each other crosswise.
    await transaction.query(
      'INSERT INTO sign_in_throttles (key) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT DO NOTHING',
      [keys],
    );
    const { rows } = await transaction.query<GateRow>(
      `SELECT key, failures, next_attempt_at, last_failure_at FROM sign_in_throttles
        WHERE key = ANY($1) ORDER BY key FOR UPDATE`,
      [keys],
    );
    const waitMs = Math.max(0, ...rows.map((row) => row.next_attempt_at.getTime() - now.getTime()));
    if (waitMs > 0) {
      throw new HwError('HW_ERR_SIGN_IN_THROTTLED', undefined, undefined, waitMs / 1000);
    }
    for (const row of rows) {
      const gate = gates.find((candidate) => candidate.key === row.key);
      if (!gate) {
        throw new Error(`sign-in gate ${row.key} was not asked for`);
      }
      const forgotten =
        row.last_failure_at === null || now.getTime() - row.last_failure_at.getTime() > FORGET_AFTER_MS;
      const failures = (forgotten ? 0 : row.failures) + 1;
      const delayMs = delayAfter(failures, gate.freeFailures, settings.firstDelayMs, gate.maxDelayMs);
      await transaction.query(
        `UPDATE sign_in_throttles SET failures = $2, last_failure_at = $3, next_attempt_at = $4
          WHERE key = $1`,
        [row.key, failures, now, new Date(now.getTime() + delayMs)],
      );
    }
    return { keys };
  });
}

/**
 * Takes an admitted attempt's count back: its password was right, or it was never
 * checked. A wait already announced stays: a burst that ran into it is not let in early.
 */
export async function forgiveAttempt(db: Queryable, attempt: AdmittedAttempt): Promise<void> {
  // Locked in key order, as admitAttempt locks them: a plain UPDATE takes the rows in the
  // order it finds them, and with an admission waiting crosswise the two deadlock.
  await db.query(
    `UPDATE sign_in_throttles t SET failures = greatest(t.failures - 1, 0)
       FROM (SELECT key FROM sign_in_throttles WHERE key = ANY($1) ORDER BY key FOR UPDATE) locked
      WHERE t.key = locked.key`,
    [attempt.keys],
  );
}

/** The user signed in from `address`: it skips the account's gate from now on. Old entries go. */
export async function rememberAddress(
  db: Queryable,
  userId: string,
  address: string,
  settings: ThrottleSettings,
  now: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO sign_in_addresses (user_id, address, last_success_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, address) DO UPDATE SET last_success_at = excluded.last_success_at`,
    [userId, address, now],
  );
  await db.query(
    'DELETE FROM sign_in_addresses WHERE user_id = $1 AND last_success_at < $2::timestamptz - make_interval(days => $3)',
    [userId, now, settings.knownAddressDays],
  );
  // A gate an attempt holds is left for the next time: no waiting on it, no deadlock with it.
  await db.query(
    `DELETE FROM sign_in_throttles WHERE key IN (
       SELECT key FROM sign_in_throttles WHERE last_failure_at < $1 ORDER BY key FOR UPDATE SKIP LOCKED)`,
    [new Date(now.getTime() - FORGET_AFTER_MS)],
  );
}

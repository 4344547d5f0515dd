import type { TwoFactorEnrolment, TwoFactorState, TwoFactorStatus } from '@hashwatt/schemas';
import type { Queryable } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { HwError } from '../errors.ts';
import { recoveryCodesLeft, replaceRecoveryCodes, useRecoveryCode } from './recovery-codes.ts';
import { newToken, tokenHash } from './tokens.ts';
import { matchingStep, newAuthenticator } from './totp.ts';

/** How the pool is named in authenticator apps. */
const ISSUER = 'hashwatt';
/** A challenge lives this long: time to find the phone, not to go for lunch. */
const CHALLENGE_MINUTES = 5;
/** Wrong codes one challenge takes before the password is asked again. */
const CHALLENGE_MAX_FAILURES = 3;

/**
 * Selected with `users u` in FROM: whether the user has a second factor, and whether the
 * user must (admins and regulators always, operators when their organisation says so).
 */
export const TWO_FACTOR_COLUMNS = `EXISTS (SELECT 1 FROM two_factor tf WHERE tf.user_id = u.id AND tf.enabled_at IS NOT NULL) AS two_factor_enabled,
  (u.role IN ('admin', 'regulator') OR EXISTS (SELECT 1 FROM organisations o WHERE o.id = u.organisation_id AND o.require_two_factor)) AS two_factor_required`;

export interface TwoFactorRow {
  readonly two_factor_enabled: boolean;
  readonly two_factor_required: boolean;
}

export function twoFactorFrom(row: TwoFactorRow): TwoFactorState {
  return { enabled: row.two_factor_enabled, required: row.two_factor_required };
}

/** A session of a user who must have a second factor and has none: it may only set one up. */
export function limitedToEnrolment(state: TwoFactorState): boolean {
  return state.required && !state.enabled;
}

async function stateOf(db: Queryable, userId: string): Promise<TwoFactorState> {
  const { rows } = await db.query<TwoFactorRow>(`SELECT ${TWO_FACTOR_COLUMNS} FROM users u WHERE u.id = $1`, [
    userId,
  ]);
  const [row] = rows;
  if (!row) {
    throw new HwError('HW_ERR_USER_NOT_FOUND');
  }
  return twoFactorFrom(row);
}

export async function twoFactorStatus(db: Queryable, userId: string): Promise<TwoFactorStatus> {
  const state = await stateOf(db, userId);
  return { ...state, recoveryCodesLeft: state.enabled ? await recoveryCodesLeft(db, userId) : 0 };
}

/**
 * A new secret for the user's authenticator app. It signs nothing in until
 * confirmEnrolment sees a code of it; starting again replaces a secret not yet confirmed.
 */
export async function startEnrolment(
  db: Queryable,
  userId: string,
  email: string,
): Promise<TwoFactorEnrolment> {
  const authenticator = newAuthenticator(ISSUER, email);
  const { rowCount } = await db.query(
    `INSERT INTO two_factor (user_id, secret) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = NULL, created_at = now()
       WHERE two_factor.enabled_at IS NULL`,
    [userId, authenticator.secret],
  );
  if (rowCount !== 1) {
    throw new HwError('HW_ERR_TWO_FACTOR_ENABLED');
  }
  return authenticator;
}

/**
 * Turns two-factor sign-in on once the app shows a right code, and returns the recovery
 * codes (shown this once). The user's other sessions, signed in with the password
 * alone, end; the one that enrolled (`keepToken`) goes on.
 */
export async function confirmEnrolment(
  db: Queryable,
  userId: string,
  code: string,
  nowMs: number,
  keepToken: string,
): Promise<string[]> {
  return withTransaction(db, async (client) => {
    const { rows } = await client.query<{ secret: string; enabled_at: Date | null }>(
      'SELECT secret, enabled_at FROM two_factor WHERE user_id = $1 FOR UPDATE',
      [userId],
    );
    const [pending] = rows;
    if (!pending) {
      throw new HwError('HW_ERR_TWO_FACTOR_NOT_ENROLLING');
    }
    if (pending.enabled_at !== null) {
      throw new HwError('HW_ERR_TWO_FACTOR_ENABLED');
    }
    const step = matchingStep(pending.secret, code.trim(), nowMs);
    if (step === undefined) {
      throw new HwError('HW_ERR_TWO_FACTOR_CODE', undefined, 'body.code');
    }
    // The code that confirmed is spent: it cannot also sign in.
    await client.query('UPDATE two_factor SET enabled_at = now(), last_step = $2 WHERE user_id = $1', [
      userId,
      step,
    ]);
    await client.query('DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2', [
      userId,
      tokenHash(keepToken),
    ]);
    return replaceRecoveryCodes(client, userId);
  });
}

/**
 * Whether `code` is the user's second factor now: a TOTP code of a step later than any
 * accepted before ([RFC 6238 §5.2]: a code works once, also against a racing request),
 * or an unused recovery code, which is then spent.
 */
export async function checkSecondFactor(
  db: Queryable,
  userId: string,
  code: string,
  nowMs: number,
): Promise<boolean> {
  const typed = code.trim();
  const { rows } = await db.query<{ secret: string }>(
    'SELECT secret FROM two_factor WHERE user_id = $1 AND enabled_at IS NOT NULL',
    [userId],
  );
  const [enabled] = rows;
  if (!enabled) {
    return false;
  }
  const step = matchingStep(enabled.secret, typed, nowMs);
  if (step !== undefined) {
    const { rowCount } = await db.query(
      `UPDATE two_factor SET last_step = $2
        WHERE user_id = $1 AND enabled_at IS NOT NULL AND (last_step IS NULL OR last_step < $2)`,
      [userId, step],
    );
    return rowCount === 1;
  }
  return useRecoveryCode(db, userId, typed);
}

/**
 * New recovery codes in place of the old ones, all of which stop working. `prove`
 * checks it is the user (a code or the password) and runs only once the change is
 * allowed, so a refusal spends no code.
 */
export async function regenerateRecoveryCodes(
  db: Queryable,
  userId: string,
  prove: () => Promise<void>,
): Promise<string[]> {
  if (!(await stateOf(db, userId)).enabled) {
    throw new HwError('HW_ERR_TWO_FACTOR_OFF');
  }
  await prove();
  return withTransaction(db, (client) => replaceRecoveryCodes(client, userId));
}

/** Turns two-factor sign-in off, unless the user's role or organisation requires it; `prove` as above. */
export async function disableTwoFactor(
  db: Queryable,
  userId: string,
  prove: () => Promise<void>,
): Promise<void> {
  const state = await stateOf(db, userId);
  if (!state.enabled) {
    throw new HwError('HW_ERR_TWO_FACTOR_OFF');
  }
  if (state.required) {
    throw new HwError('HW_ERR_TWO_FACTOR_MANDATORY');
  }
  await prove();
  await withTransaction(db, (client) => removeTwoFactor(client, userId));
}

/**
 * An admin's reset for a user who lost the phone and the recovery codes: the second
 * factor is gone and the user's sessions end; a user who must have one enrols again
 * at the next sign-in.
 */
export async function resetTwoFactor(db: Queryable, userId: string): Promise<void> {
  await stateOf(db, userId);
  await withTransaction(db, async (client) => {
    await removeTwoFactor(client, userId);
    await client.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
  });
}

async function removeTwoFactor(db: Queryable, userId: string): Promise<void> {
  await db.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
  await db.query('DELETE FROM two_factor WHERE user_id = $1', [userId]);
  await db.query('DELETE FROM sign_in_challenges WHERE user_id = $1', [userId]);
}

export async function hasSecondFactor(db: Queryable, userId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'SELECT 1 FROM two_factor WHERE user_id = $1 AND enabled_at IS NOT NULL',
    [userId],
  );
  return rowCount === 1;
}

/** What the right password of a user with a second factor earns: a token for the second step. */
export async function issueChallenge(
  db: Queryable,
  userId: string,
): Promise<{ readonly challenge: string; readonly expiresAt: string }> {
  await db.query('DELETE FROM sign_in_challenges WHERE expires_at < now()');
  const challenge = newToken();
  const { rows } = await db.query<{ expires_at: Date }>(
    `INSERT INTO sign_in_challenges (token_hash, user_id, expires_at)
       VALUES ($1, $2, now() + make_interval(mins => $3)) RETURNING expires_at`,
    [tokenHash(challenge), userId, CHALLENGE_MINUTES],
  );
  return { challenge, expiresAt: (rows[0] as { expires_at: Date }).expires_at.toISOString() };
}

const LIVE_CHALLENGE = `FROM sign_in_challenges c JOIN users u ON u.id = c.user_id
  WHERE c.token_hash = $1 AND c.expires_at > now() AND NOT u.disabled`;

/**
 * Whose sign-in a challenge continues; an unknown, expired or used challenge, or one of
 * a user since disabled, is refused (HW_ERR_TWO_FACTOR_CHALLENGE).
 */
export async function challengedUser(
  db: Queryable,
  challenge: string,
): Promise<{ readonly id: string; readonly email: string }> {
  const { rows } = await db.query<{ id: string; email: string }>(
    `SELECT u.id::text, u.email ${LIVE_CHALLENGE}`,
    [tokenHash(challenge)],
  );
  const [user] = rows;
  if (!user) {
    throw new HwError('HW_ERR_TWO_FACTOR_CHALLENGE');
  }
  return user;
}

/**
 * Checks the second step of a sign-in: the user's id when `code` is right, which uses
 * the challenge up; undefined when it is wrong, which counts against the challenge, and
 * the third kills it. Concurrent answers to one challenge queue on its row: one wins.
 */
export async function answerChallenge(
  db: Queryable,
  challenge: string,
  code: string,
  nowMs: number,
): Promise<string | undefined> {
  return withTransaction(db, async (client) => {
    const { rows } = await client.query<{ user_id: string; failures: number }>(
      `SELECT c.user_id::text, c.failures ${LIVE_CHALLENGE} FOR UPDATE OF c`,
      [tokenHash(challenge)],
    );
    const [pending] = rows;
    if (!pending) {
      throw new HwError('HW_ERR_TWO_FACTOR_CHALLENGE');
    }
    const ok = await checkSecondFactor(client, pending.user_id, code, nowMs);
    await client.query(
      ok || pending.failures + 1 >= CHALLENGE_MAX_FAILURES
        ? 'DELETE FROM sign_in_challenges WHERE token_hash = $1'
        : 'UPDATE sign_in_challenges SET failures = failures + 1 WHERE token_hash = $1',
      [tokenHash(challenge)],
    );
    return ok ? pending.user_id : undefined;
  });
}

import type { SessionView, SignInChallenge } from '@hashwatt/schemas';
import type { Config } from '../config.ts';
import type { Database, Queryable } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { HwError } from '../errors.ts';
import { passwordHasher, type Verdict } from './passwords.ts';
import {
  admitAttempt,
  forgiveAttempt,
  rememberAddress,
  type AdmittedAttempt,
  type ThrottleSettings,
} from './sign-in-throttle.ts';
import { newToken, tokenHash } from './tokens.ts';
import {
  answerChallenge,
  challengedUser,
  hasSecondFactor,
  issueChallenge,
  TWO_FACTOR_COLUMNS,
  twoFactorFrom,
  type TwoFactorRow,
} from './two-factor.ts';
import { USER_COLUMNS, userFrom } from './users.ts';

export interface SessionSettings {
  /** A session ends this long after sign-in… */
  readonly hours: number;
  /** …or when unused for this long. */
  readonly idleMinutes: number;
  readonly throttle: ThrottleSettings;
}

/** The session and sign-in settings of the configuration's `api` section. */
export function sessionSettingsFrom(api: Config['api']): SessionSettings {
  return {
    hours: api.sessionHours,
    idleMinutes: api.sessionIdleMinutes,
    throttle: {
      accountFreeFailures: api.signInAccountFailures,
      addressFreeFailures: api.signInAddressFailures,
      firstDelayMs: api.signInFirstDelaySeconds * 1000,
      accountMaxDelayMs: api.signInAccountMaxDelaySeconds * 1000,
      addressMaxDelayMs: api.signInAddressMaxDelaySeconds * 1000,
      knownAddressDays: api.signInKnownAddressDays,
    },
  };
}

/** Where a sign-in comes from, and when (the API's clock). */
export interface SignInClient {
  readonly address: string;
  readonly now: Date;
}

interface Credentials {
  readonly id: string;
  readonly password_hash: string;
  readonly disabled: boolean;
  readonly known_address: boolean;
}

/**
 * The password step of a sign-in: the user's id when `password` is theirs. The attempt
 * first passes the sign-in throttle (sign-in-throttle.ts: refused with 429 and no hash,
 * or counted before the hash); an unknown email or a disabled user gets the same answer,
 * after the same time, as a wrong password. A hash made at a lower cost is made again.
 * `db` is the pool, not a caller's transaction: the count must stand when the answer is no.
 */
export async function checkPassword(
  db: Database,
  email: string,
  password: string,
  throttle: ThrottleSettings,
  client: SignInClient,
): Promise<string> {
  // Busy is answered before anything is counted: an attempt that is not checked is no failure.
  passwordHasher().ensureRoom();
  const { rows } = await db.query<Credentials>(
    `SELECT u.id::text, u.password_hash, u.disabled,
            EXISTS (SELECT 1 FROM sign_in_addresses a WHERE a.user_id = u.id AND a.address = $2
                       AND a.last_success_at > $3::timestamptz - make_interval(days => $4)) AS known_address
       FROM users u WHERE lower(u.email) = lower($1)`,
    [email, client.address, client.now, throttle.knownAddressDays],
  );
  const [user] = rows;
  const attempt = await admitAttempt(
    db,
    { email, address: client.address, knownAddress: user?.known_address ?? false },
    throttle,
    client.now,
  );
  const verdict = await verifyAdmitted(db, attempt, password, user?.password_hash);
  if (!user || !verdict.valid || user.disabled) {
    throw new HwError('HW_ERR_BAD_CREDENTIALS');
  }
  await forgiveAttempt(db, attempt);
  await rememberAddress(db, user.id, client.address, throttle, client.now);
  if (verdict.outdated) {
    await rehash(db, user.id, password, user.password_hash);
  }
  return user.id;
}

async function verifyAdmitted(
  db: Database,
  attempt: AdmittedAttempt,
  password: string,
  stored: string | undefined,
): Promise<Verdict> {
  try {
    return await passwordHasher().verify(password, stored);
  } catch (error) {
    // Refused for a full queue after all: the attempt was never checked.
    await forgiveAttempt(db, attempt);
    throw error;
  }
}

/** The password at today's cost, unless it changed meanwhile; a busy hasher leaves it for next time. */
async function rehash(db: Database, userId: string, password: string, stored: string): Promise<void> {
  try {
    await db.query('UPDATE users SET password_hash = $2 WHERE id = $1 AND password_hash = $3', [
      userId,
      await passwordHasher().hash(password),
      stored,
    ]);
  } catch (error) {
    if (!(error instanceof HwError && error.code === 'HW_ERR_SIGN_IN_BUSY')) {
      throw error;
    }
  }
}

/** A new session for a user whose sign-in is complete: the cookie's value (only its hash is stored). */
export async function startSession(
  db: Queryable,
  userId: string,
  settings: SessionSettings,
): Promise<{ readonly token: string; readonly session: SessionView }> {
  await db.query('DELETE FROM sessions WHERE expires_at < now() OR last_seen_at + idle_timeout < now()');
  const token = newToken();
  const csrfToken = newToken();
  await db.query(
    `INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, idle_timeout)
       VALUES ($1, $2, $3, now() + make_interval(hours => $4), make_interval(mins => $5))`,
    [tokenHash(token), userId, csrfToken, settings.hours, settings.idleMinutes],
  );
  const session = await findSession(db, token);
  if (!session) {
    throw new Error('a session just created cannot be read back');
  }
  return { token, session };
}

export type SignInAnswer =
  { readonly token: string; readonly session: SessionView } | { readonly challenge: SignInChallenge };

/**
 * Signs a user in with a password: checkPassword, then startSession; for a user with a
 * second factor, a challenge to answer with a code instead (signInWithSecondFactor).
 */
export async function signIn(
  db: Database,
  email: string,
  password: string,
  settings: SessionSettings,
  client: SignInClient,
): Promise<SignInAnswer> {
  const userId = await checkPassword(db, email, password, settings.throttle, client);
  if (await hasSecondFactor(db, userId)) {
    return { challenge: await issueChallenge(db, userId) };
  }
  return startSession(db, userId, settings);
}

/**
 * The second step of a sign-in: signIn's challenge and a TOTP or recovery code, checked
 * at `codeTimeMs` (the wall clock the user's phone follows). A code passes the sign-in
 * throttle as a password does and a wrong one counts as a wrong password, on the
 * account's gate whatever the address (knowing the password must not buy free guesses).
 */
export async function signInWithSecondFactor(
  db: Database,
  answer: { readonly challenge: string; readonly code: string },
  settings: SessionSettings,
  client: SignInClient,
  codeTimeMs: number,
): Promise<{ readonly token: string; readonly session: SessionView }> {
  const user = await challengedUser(db, answer.challenge);
  const attempt = await admitAttempt(
    db,
    { email: user.email, address: client.address, knownAddress: false },
    settings.throttle,
    client.now,
  );
  const userId = await answerChallenge(db, answer.challenge, answer.code, codeTimeMs);
  if (userId === undefined) {
    throw new HwError('HW_ERR_TWO_FACTOR_CODE', undefined, 'body.code');
  }
  await forgiveAttempt(db, attempt);
  return startSession(db, userId, settings);
}

/**
 * The live session a cookie stands for: not past its end, not idle past its timeout,
 * its user not disabled. Its last use is written at most once a minute, in the same
 * statement: not a write per request.
 */
export async function findSession(db: Queryable, token: string): Promise<SessionView | undefined> {
  const { rows } = await db.query<
    Parameters<typeof userFrom>[0] & TwoFactorRow & { csrf_token: string; expires_at: Date }
  >(
    `WITH live AS (
       SELECT ${USER_COLUMNS}, ${TWO_FACTOR_COLUMNS}, s.csrf_token, s.expires_at
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > now() AND s.last_seen_at + s.idle_timeout > now()
          AND NOT u.disabled
     ), seen AS (
       UPDATE sessions SET last_seen_at = now()
        WHERE token_hash = $1 AND last_seen_at < now() - interval '1 minute' AND EXISTS (SELECT 1 FROM live)
     )
     SELECT * FROM live`,
    [tokenHash(token)],
  );
  const [row] = rows;
  return (
    row && {
      user: userFrom(row),
      csrfToken: row.csrf_token,
      expiresAt: row.expires_at.toISOString(),
      twoFactor: twoFactorFrom(row),
    }
  );
}

export async function signOut(db: Queryable, token: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash(token)]);
}

/**
 * Changes a signed-in user's own password: the current one is checked as a sign-in is
 * (throttled alike, so a stolen session cannot guess it), and every other session of
 * the user ends. The session `keepToken` stays.
 */
export async function changePassword(
  db: Database,
  user: { readonly id: string; readonly email: string },
  keepToken: string,
  passwords: { readonly current: string; readonly next: string },
  throttle: ThrottleSettings,
  client: SignInClient,
): Promise<void> {
  try {
    await checkPassword(db, user.email, passwords.current, throttle, client);
  } catch (error) {
    throw error instanceof HwError && error.code === 'HW_ERR_BAD_CREDENTIALS'
      ? new HwError('HW_ERR_CURRENT_PASSWORD', undefined, 'body.currentPassword')
      : error;
  }
  if (passwords.next.normalize('NFC') === passwords.current.normalize('NFC')) {
    throw new HwError('HW_ERR_PASSWORD_UNCHANGED', undefined, 'body.newPassword');
  }
  const passwordHash = await passwordHasher().hash(passwords.next);
  await withTransaction(db, async (transaction) => {
    await transaction.query('UPDATE users SET password_hash = $2 WHERE id = $1', [user.id, passwordHash]);
    await transaction.query('DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2', [
      user.id,
      tokenHash(keepToken),
    ]);
  });
}

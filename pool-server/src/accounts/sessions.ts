import type { SessionView } from '@hashwatt/schemas';
import type { Queryable } from '../db/pool.ts';
import { HwError } from '../errors.ts';
import { verifyPassword } from './passwords.ts';
import { newToken, tokenHash } from './tokens.ts';
import { USER_COLUMNS, userFrom } from './users.ts';

export interface SessionSettings {
  /** A session ends this long after sign-in. */
  readonly hours: number;
  /** Failed sign-ins in a row before the account is locked… */
  readonly maxFailures: number;
  /** …for this long. */
  readonly lockMinutes: number;
}

interface Credentials {
  readonly id: string;
  readonly password_hash: string;
  readonly disabled: boolean;
  readonly locked_until: Date | null;
}

/**
 * Signs a user in: the session cookie's value (only its hash is stored) and what the
 * user needs to know. A wrong password counts towards a lock-out; an unknown email or a
 * disabled user gets the same answer, after the same time, as a wrong password.
 */
export async function signIn(
  db: Queryable,
  email: string,
  password: string,
  settings: SessionSettings,
): Promise<{ readonly token: string; readonly session: SessionView }> {
  const { rows } = await db.query<Credentials>(
    'SELECT id::text, password_hash, disabled, locked_until FROM users WHERE lower(email) = lower($1)',
    [email],
  );
  const [user] = rows;
  if (user?.locked_until && user.locked_until.getTime() > Date.now()) {
    throw new HwError('HW_ERR_ACCOUNT_LOCKED');
  }
  const valid = await verifyPassword(password, user?.password_hash);
  if (!user || !valid || user.disabled) {
    if (user && !valid) {
      await db.query(
        `UPDATE users SET failed_logins = failed_logins + 1,
                locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(mins => $3) END
          WHERE id = $1`,
        [user.id, settings.maxFailures, settings.lockMinutes],
      );
    }
    throw new HwError('HW_ERR_BAD_CREDENTIALS');
  }
  await db.query('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1', [user.id]);
  await db.query('DELETE FROM sessions WHERE expires_at < now()');
  const token = newToken();
  const csrfToken = newToken();
  const { rows: created } = await db.query<{ expires_at: Date }>(
    `INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(hours => $4)) RETURNING expires_at`,
    [tokenHash(token), user.id, csrfToken, settings.hours],
  );
  const session = await findSession(db, token);
  if (!session || !created[0]) {
    throw new Error('a session just created cannot be read back');
  }
  return { token, session };
}

/** The live session a cookie stands for: not expired, its user not disabled. */
export async function findSession(db: Queryable, token: string): Promise<SessionView | undefined> {
  const { rows } = await db.query<Parameters<typeof userFrom>[0] & { csrf_token: string; expires_at: Date }>(
    `SELECT ${USER_COLUMNS}, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled`,
    [tokenHash(token)],
  );
  const [row] = rows;
  return row && { user: userFrom(row), csrfToken: row.csrf_token, expiresAt: row.expires_at.toISOString() };
}

export async function signOut(db: Queryable, token: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash(token)]);
}

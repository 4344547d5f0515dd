import type { Jurisdiction, Role, User, UserCreate, UserPatch } from '@hashwatt/schemas';
import type { Queryable } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { HwError } from '../errors.ts';
import { hashPassword } from './passwords.ts';
import { accountGateKey } from './sign-in-throttle.ts';

interface UserRow {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly organisation_id: string | null;
  readonly jurisdiction_country: string | null;
  readonly jurisdiction_regions: string[];
  readonly disabled: boolean;
  readonly created_at: Date;
}

export const USER_COLUMNS =
  'u.id::text, u.email, u.name, u.role, u.organisation_id::text, u.jurisdiction_country, u.jurisdiction_regions, u.disabled, u.created_at';

export function userFrom(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    organisationId: row.organisation_id,
    jurisdiction:
      row.jurisdiction_country === null
        ? null
        : { country: row.jurisdiction_country, regions: row.jurisdiction_regions },
    disabled: row.disabled,
    createdAt: row.created_at.toISOString(),
  };
}

/** The role's one binding: an operator's organisation, a regulator's jurisdiction, nothing for an admin. */
function checkBinding(
  role: Role,
  organisationId: string | undefined,
  jurisdiction: Jurisdiction | undefined,
): void {
  const fits =
    role === 'operator'
      ? organisationId !== undefined && jurisdiction === undefined
      : role === 'regulator'
        ? jurisdiction !== undefined && organisationId === undefined
        : organisationId === undefined && jurisdiction === undefined;
  if (!fits) {
    throw new HwError(
      'HW_ERR_ROLE_MISMATCH',
      undefined,
      role === 'regulator' ? 'body.jurisdiction' : 'body.organisationId',
    );
  }
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const pgError = error as { code?: string; constraint?: string };
  return pgError.code === '23505' && pgError.constraint === constraint;
}

export async function createUser(db: Queryable, input: UserCreate): Promise<User> {
  checkBinding(input.role, input.organisationId, input.jurisdiction);
  const passwordHash = await hashPassword(input.password);
  try {
    const { rows } = await db.query<UserRow>(
      `INSERT INTO users AS u (email, name, password_hash, role, organisation_id, jurisdiction_country, jurisdiction_regions)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${USER_COLUMNS}`,
      [
        input.email,
        input.name,
        passwordHash,
        input.role,
        input.organisationId ?? null,
        input.jurisdiction?.country ?? null,
        input.jurisdiction?.regions ?? [],
      ],
    );
    return userFrom(rows[0] as UserRow);
  } catch (error) {
    if (isUniqueViolation(error, 'users_email')) {
      throw new HwError('HW_ERR_EMAIL_TAKEN', undefined, 'body.email');
    }
    if ((error as { code?: string }).code === '23503') {
      throw new HwError('HW_ERR_ORGANISATION_NOT_FOUND', undefined, 'body.organisationId');
    }
    throw error;
  }
}

export async function listUsers(db: Queryable, organisationId?: string): Promise<User[]> {
  const { rows } = await db.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM users u WHERE $1::bigint IS NULL OR u.organisation_id = $1 ORDER BY u.id`,
    [organisationId ?? null],
  );
  return rows.map(userFrom);
}

export async function getUser(db: Queryable, id: string): Promise<User> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`, [id]);
  const [row] = rows;
  if (!row) {
    throw new HwError('HW_ERR_USER_NOT_FOUND');
  }
  return userFrom(row);
}

/** The id of the user with this email (compared case-insensitively), if there is one. */
export async function findUserIdByEmail(db: Queryable, email: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id::text FROM users WHERE lower(email) = lower($1)',
    [email],
  );
  return rows[0]?.id;
}

/**
 * Changes a user; a new password or disabling ends the user's sessions, and a new
 * password lifts the sign-in throttle on the account. A new role comes with its binding.
 * Neither disabling nor another role may leave the pool without an active admin.
 */
export async function updateUser(db: Queryable, id: string, patch: UserPatch): Promise<User> {
  if (patch.role !== undefined) {
    checkBinding(patch.role, patch.organisationId, patch.jurisdiction);
  } else if (patch.organisationId !== undefined || patch.jurisdiction !== undefined) {
    throw new HwError(
      'HW_ERR_ROLE_MISMATCH',
      'Send the role with its organisation or jurisdiction.',
      'body.role',
    );
  }
  const passwordHash = patch.password === undefined ? null : await hashPassword(patch.password);
  const demoted = patch.role !== undefined && patch.role !== 'admin';
  return withTransaction(db, async (client) => {
    if (patch.disabled === true || demoted) {
      // The admins' rows locked: two admins disabling or demoting each other at once cannot leave none.
      const { rows: admins } = await client.query<{ id: string }>(
        "SELECT id::text FROM users WHERE role = 'admin' AND NOT disabled ORDER BY id FOR UPDATE",
      );
      if (admins.length === 1 && admins[0]?.id === id) {
        throw new HwError('HW_ERR_LAST_ADMIN', undefined, demoted ? 'body.role' : 'body.disabled');
      }
    }
    let rows: UserRow[];
    try {
      ({ rows } = await client.query<UserRow>(
        `UPDATE users u SET name = coalesce($2, u.name), password_hash = coalesce($3, u.password_hash),
                disabled = coalesce($4, u.disabled), role = coalesce($5, u.role),
                organisation_id = CASE WHEN $5::text IS NULL THEN u.organisation_id ELSE $6::bigint END,
                jurisdiction_country = CASE WHEN $5::text IS NULL THEN u.jurisdiction_country ELSE $7 END,
                jurisdiction_regions = CASE WHEN $5::text IS NULL THEN u.jurisdiction_regions ELSE $8::text[] END
          WHERE u.id = $1 RETURNING ${USER_COLUMNS}`,
        [
          id,
          patch.name ?? null,
          passwordHash,
          patch.disabled ?? null,
          patch.role ?? null,
          patch.organisationId ?? null,
          patch.jurisdiction?.country ?? null,
          patch.jurisdiction?.regions ?? [],
        ],
      ));
    } catch (error) {
      if ((error as { code?: string }).code === '23503') {
        throw new HwError('HW_ERR_ORGANISATION_NOT_FOUND', undefined, 'body.organisationId');
      }
      throw error;
    }
    const [row] = rows;
    if (!row) {
      throw new HwError('HW_ERR_USER_NOT_FOUND');
    }
    if (passwordHash !== null || patch.disabled === true) {
      await client.query('DELETE FROM sessions WHERE user_id = $1', [id]);
    }
    if (passwordHash !== null) {
      await client.query('DELETE FROM sign_in_throttles WHERE key = $1', [accountGateKey(row.email)]);
    }
    return userFrom(row);
  });
}

/** The first admin, from the configuration, when the pool has no admin yet; undefined when it has one. */
export async function ensureFirstAdmin(
  db: Queryable,
  email: string,
  password: string,
): Promise<User | undefined> {
  const { rows } = await db.query("SELECT 1 FROM users WHERE role = 'admin' LIMIT 1");
  if (rows.length > 0) {
    return undefined;
  }
  return createUser(db, { email, name: 'Administrator', password, role: 'admin' });
}

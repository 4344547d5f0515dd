import { randomBytes } from 'node:crypto';
import type { ApiKey, ApiKeyCreated } from '@hashwatt/schemas';
import type { Queryable } from '../db/pool.ts';
import { HwError } from '../errors.ts';
import { tokenHash } from './tokens.ts';

/** Keys read 'hwk_' + 8 characters shown in lists + the secret; the first 12 are the prefix kept in clear. */
const KEY_MARK = 'hwk_';
const PREFIX_LENGTH = KEY_MARK.length + 8;

interface ApiKeyRow {
  readonly id: string;
  readonly farm_id: string;
  readonly label: string;
  readonly prefix: string;
  readonly created_at: Date;
  readonly last_used_at: Date | null;
  readonly revoked_at: Date | null;
}

const KEY_COLUMNS = 'id::text, farm_id::text, label, prefix, created_at, last_used_at, revoked_at';

function apiKeyFrom(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    farmId: row.farm_id,
    label: row.label,
    prefix: row.prefix,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

/** A new key for a farm's agent: returned once, stored as its SHA-256. */
export async function createApiKey(db: Queryable, farmId: string, label: string): Promise<ApiKeyCreated> {
  const key = `${KEY_MARK}${randomBytes(32).toString('base64url')}`;
  const { rows } = await db.query<ApiKeyRow>(
    `INSERT INTO api_keys (farm_id, label, prefix, key_hash) VALUES ($1, $2, $3, $4) RETURNING ${KEY_COLUMNS}`,
    [farmId, label, key.slice(0, PREFIX_LENGTH), tokenHash(key)],
  );
  return { apiKey: apiKeyFrom(rows[0] as ApiKeyRow), key };
}

export async function listApiKeys(db: Queryable, farmId: string): Promise<ApiKey[]> {
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT ${KEY_COLUMNS} FROM api_keys WHERE farm_id = $1 ORDER BY id`,
    [farmId],
  );
  return rows.map(apiKeyFrom);
}

export async function revokeApiKey(db: Queryable, farmId: string, keyId: string): Promise<ApiKey> {
  const { rows } = await db.query<ApiKeyRow>(
    `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND farm_id = $2 RETURNING ${KEY_COLUMNS}`,
    [keyId, farmId],
  );
  const [row] = rows;
  if (!row) {
    throw new HwError('HW_ERR_API_KEY_NOT_FOUND');
  }
  return apiKeyFrom(row);
}

/** The farm a presented key belongs to, if it is known and not revoked; notes when it was used (once a minute at most). */
export async function findApiKey(
  db: Queryable,
  key: string,
): Promise<{ readonly farmId: string; readonly keyId: string } | undefined> {
  if (!key.startsWith(KEY_MARK) || key.length > 200) {
    return undefined;
  }
  const { rows } = await db.query<{ id: string; farm_id: string }>(
    `UPDATE api_keys SET last_used_at = now()
      WHERE key_hash = $1 AND revoked_at IS NULL
        AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
      RETURNING id::text, farm_id::text`,
    [tokenHash(key)],
  );
  if (rows[0]) {
    return { farmId: rows[0].farm_id, keyId: rows[0].id };
  }
  const known = await db.query<{ id: string; farm_id: string }>(
    'SELECT id::text, farm_id::text FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
    [tokenHash(key)],
  );
  return known.rows[0] && { farmId: known.rows[0].farm_id, keyId: known.rows[0].id };
}

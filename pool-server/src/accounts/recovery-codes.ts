import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/pool.ts';
import { tokenHash } from './tokens.ts';

/** Enough for a year of lost phones; regenerating replaces them all. */
const RECOVERY_CODE_COUNT = 10;
/** [RFC 4648 §6] base32, lower case: no 0/1/8/9 to mistake for o/l/b/g. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
/** 16 base32 characters: 80 random bits, shown as four groups of four. */
const CODE_CHARACTERS = 16;

function newRecoveryCode(): string {
  // 32 divides 256: taking each byte mod 32 leaves no bias.
  const characters = [...randomBytes(CODE_CHARACTERS)].map((byte) => ALPHABET.charAt(byte % 32)).join('');
  return characters.match(/.{4}/g)?.join('-') ?? characters;
}

/** As it is typed: any case, with or without the dashes and spaces. */
function normalised(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

function looksLikeRecoveryCode(code: string): boolean {
  return new RegExp(`^[${ALPHABET}]{${String(CODE_CHARACTERS)}}$`).test(normalised(code));
}

/** Replaces the user's recovery codes with new ones: shown this once, only their hashes kept. */
export async function replaceRecoveryCodes(db: Queryable, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
  await db.query('INSERT INTO recovery_codes (user_id, code_hash) SELECT $1, unnest($2::bytea[])', [
    userId,
    codes.map((code) => tokenHash(normalised(code))),
  ]);
  return codes;
}

/** Spends one of the user's unused codes; false when it is not one, or spent already (also by a racing request). */
export async function useRecoveryCode(db: Queryable, userId: string, code: string): Promise<boolean> {
  if (!looksLikeRecoveryCode(code)) {
    return false;
  }
  const { rowCount } = await db.query(
    'UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL',
    [userId, tokenHash(normalised(code))],
  );
  return rowCount === 1;
}

export async function recoveryCodesLeft(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ left: number }>(
    'SELECT count(*)::int AS left FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL',
    [userId],
  );
  return rows[0]?.left ?? 0;
}

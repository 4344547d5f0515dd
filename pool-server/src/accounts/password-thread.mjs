// A password-hashing thread of the PasswordHasher's pool (passwords.ts). Plain JavaScript:
// a worker thread has no TypeScript loader of its own, and this needs none.
import { scryptSync } from 'node:crypto';

/**
 * [RFC 7914] scrypt needs 128 * N * r * p bytes; Node refuses past `maxmem`
 * (32 MiB by default), so the limit is set from the cost, with room to spare.
 */
export default function derive({ password, salt, N, r, p, keyBytes }) {
  return scryptSync(password, salt, keyBytes, { N, r, p, maxmem: 2 * 128 * N * r * p });
}

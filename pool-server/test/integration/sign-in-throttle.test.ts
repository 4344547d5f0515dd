/**
 * The sign-in throttle's gates on a real database (PostgreSQL, migrated): attempts
 * admitted and forgiven at once on the same gates wait on each other, never deadlock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountGateKey,
  admitAttempt,
  forgiveAttempt,
  type ThrottleSettings,
} from '../../src/accounts/sign-in-throttle.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

const SETTINGS: ThrottleSettings = {
  accountFreeFailures: 1_000,
  addressFreeFailures: 1_000,
  firstDelayMs: 1_000,
  accountMaxDelayMs: 60_000,
  addressMaxDelayMs: 900_000,
  knownAddressDays: 30,
};

describe('the sign-in throttle on the database', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('admits and forgives a burst of right answers on the same gates without a deadlock', async () => {
    const origin = { email: 'race@farm.test', address: '192.0.2.7', knownAddress: false };
    // The address's gate row made first: stored before the account's, against their key order.
    await database.db.query('INSERT INTO sign_in_throttles (key) VALUES ($1), ($2)', [
      `address:${origin.address}`,
      accountGateKey(origin.email),
    ]);
    const now = new Date();
    const rounds = Array.from({ length: 400 }, async () => {
      const attempt = await admitAttempt(database.db, origin, SETTINGS, now);
      await forgiveAttempt(database.db, attempt);
    });
    await Promise.all(rounds);
    const { rows } = await database.db.query<{ failures: number }>(
      'SELECT failures FROM sign_in_throttles ORDER BY key',
    );
    // Every attempt was taken back: the gates count nothing.
    expect(rows).toEqual([{ failures: 0 }, { failures: 0 }]);
  });
});

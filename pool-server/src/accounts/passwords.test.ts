import { randomBytes, scryptSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { HwError } from '../errors.ts';
import { PASSWORD_COST, PasswordHasher } from './passwords.ts';

/** A hash as the pool made them before the cost rose to OWASP's: N = 2^15. */
function oldHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', 2 ** 15, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Each test hashes at OWASP's cost, ~0.3 s a hash on an idle core and several on a busy one. */
describe('PasswordHasher', { timeout: 60_000 }, () => {
  const hasher = new PasswordHasher({ threads: 1 });
  afterAll(() => hasher.close());

  it("hashes at OWASP's cost, and knows the password from another", async () => {
    const stored = await hasher.hash('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(PASSWORD_COST).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    await expect(hasher.verify('correct horse battery staple', stored)).resolves.toEqual({
      valid: true,
      outdated: false,
    });
    await expect(hasher.verify('correct horse battery stapler', stored)).resolves.toEqual({
      valid: false,
      outdated: false,
    });
  });

  it('takes the same password in either Unicode normal form', async () => {
    const stored = await hasher.hash('caf\u00e9 au lait, long');
    await expect(hasher.verify('cafe\u0301 au lait, long', stored)).resolves.toMatchObject({ valid: true });
  });

  it('verifies a hash of the old, lower cost and says it is outdated (only when the password is right)', async () => {
    const stored = oldHash('an old password, long');
    await expect(hasher.verify('an old password, long', stored)).resolves.toEqual({
      valid: true,
      outdated: true,
    });
    await expect(hasher.verify('not the old password', stored)).resolves.toEqual({
      valid: false,
      outdated: false,
    });
  });

  it('says no for no user (the decoy) and for hashes that are not ours, without running absurd costs', async () => {
    await expect(hasher.verify('anything at all', undefined)).resolves.toEqual({
      valid: false,
      outdated: false,
    });
    const key = randomBytes(32).toString('base64');
    const salt = randomBytes(16).toString('base64');
    for (const stored of [
      '',
      'bcrypt$10$abc',
      `scrypt$${String(2 ** 30)}$8$1$${salt}$${key}`,
      `scrypt$1000$8$1$${salt}$${key}`,
      `scrypt$16384$0$1$${salt}$${key}`,
      `scrypt$16384$8$1$${salt}`,
    ]) {
      await expect(hasher.verify('anything at all', stored)).resolves.toEqual({
        valid: false,
        outdated: false,
      });
    }
  });

  it('refuses at once, with a Retry-After, what would wait past its bounded queue', async () => {
    const small = new PasswordHasher({ threads: 1, maxQueue: 1 });
    try {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 5 }, (_, index) => small.hash(`password number ${String(index)}`)),
      );
      const hashed = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const refused = outcomes.flatMap((outcome) =>
        outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
      );
      // One on the thread, one in the queue; the rest are refused without waiting.
      expect(hashed).toHaveLength(2);
      expect(refused).toHaveLength(3);
      for (const reason of refused) {
        expect(reason).toBeInstanceOf(HwError);
        expect(reason).toMatchObject({ code: 'HW_ERR_SIGN_IN_BUSY', statusCode: 503, retryAfterSeconds: 2 });
      }
      // Room again once the queue has drained.
      await expect(small.hash('after the rush, long')).resolves.toMatch(/^scrypt\$/);
    } finally {
      await small.close();
    }
  });
});

import type { TwoFactorProof } from '@hashwatt/schemas';
import type { Database } from '../db/pool.ts';
import { HwError } from '../errors.ts';
import { checkPassword, type SessionSettings, type SignInClient } from './sessions.ts';
import { admitAttempt, forgiveAttempt } from './sign-in-throttle.ts';
import { checkSecondFactor } from './two-factor.ts';

/**
 * Proof that the signed-in user is at the keyboard before the second factor goes or
 * its recovery codes change: a current code (TOTP or recovery) or the password. Both
 * pass the sign-in throttle, so a stolen session cannot guess either.
 */
export async function checkIdentityProof(
  db: Database,
  user: { readonly id: string; readonly email: string },
  proof: TwoFactorProof,
  settings: SessionSettings,
  client: SignInClient,
  codeTimeMs: number,
): Promise<void> {
  if (proof.password !== undefined) {
    try {
      await checkPassword(db, user.email, proof.password, settings.throttle, client);
    } catch (error) {
      throw error instanceof HwError && error.code === 'HW_ERR_BAD_CREDENTIALS'
        ? new HwError('HW_ERR_CURRENT_PASSWORD', undefined, 'body.password')
        : error;
    }
    return;
  }
  const attempt = await admitAttempt(
    db,
    { email: user.email, address: client.address, knownAddress: false },
    settings.throttle,
    client.now,
  );
  if (!(await checkSecondFactor(db, user.id, proof.code ?? '', codeTimeMs))) {
    throw new HwError('HW_ERR_TWO_FACTOR_CODE', undefined, 'body.code');
  }
  await forgiveAttempt(db, attempt);
}

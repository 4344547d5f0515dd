/**
 * `hashwatt alerts key rotate`: a new alert secret key, the old one kept beside it, and
 * every subscription's secret sealed again under the new key in one transaction.
 */
import { AlertSecretKeys } from '../alerts/secret-keys.ts';
import { resealSecrets } from '../alerts/subscriptions.ts';
import { withTransaction } from '../db/transaction.ts';
import { alertSecretKeyFile, closeStorage, connectDatabase } from '../roles/storage.ts';
import type { CommandContext } from './context.ts';
import { prepareCommand, problemOf } from './setup.ts';

export async function rotate(args: readonly string[], context: CommandContext): Promise<number> {
  const prepared = await prepareCommand(args, context, { logTo: 'stderr' });
  if (typeof prepared === 'number') {
    return prepared;
  }
  const { config, log } = prepared;
  const storage = await connectDatabase(config, log);
  try {
    const file = alertSecretKeyFile(config);
    const { keys, retiredAs } = AlertSecretKeys.rotate(file);
    // The retired key stays beside the file: a failure here leaves every secret opening as before.
    const sealed = await withTransaction(storage.db, (tx) => resealSecrets(tx, keys));
    context.stdout.write(
      [
        `new alert secret key ${keys.currentId} in ${file}`,
        `the old key is kept as ${retiredAs}`,
        `${String(sealed)} subscription secrets sealed under the new key`,
        'restart the pool to seal new subscriptions with it; make a backup, which carries both keys',
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    context.stderr.write(`alerts key rotate: ${problemOf(error)}\n`);
    return 1;
  } finally {
    await closeStorage(storage);
  }
}

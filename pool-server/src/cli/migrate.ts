/** `hashwatt migrate`: brings the database's schema up to date, and nothing else. */
import { closeStorage, connectDatabase } from '../roles/storage.ts';
import type { CommandContext } from './context.ts';
import { prepareCommand, problemOf } from './setup.ts';

export async function run(args: readonly string[], context: CommandContext): Promise<number> {
  // Migrating only logs, so its log is its answer, on standard output.
  const prepared = await prepareCommand(args, context, { logTo: 'stdout' });
  if (typeof prepared === 'number') {
    return prepared;
  }
  const { config, log } = prepared;
  try {
    await closeStorage(await connectDatabase(config, log));
    return 0;
  } catch (error) {
    log.fatal({ err: error }, `db: migration failed: ${problemOf(error)}`);
    return 1;
  }
}

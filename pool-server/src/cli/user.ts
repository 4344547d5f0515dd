/**
 * `hashwatt user add --email … --role … [--organisation id] [--country CC --region CC-R …]`,
 * the password on standard input: adds a user (the first admin, typically).
 */
import { userFromCommand } from '../accounts/user-input.ts';
import { createUser } from '../accounts/users.ts';
import { closeStorage, connectDatabase } from '../roles/storage.ts';
import type { CommandContext } from './context.ts';
import { prepareCommand, problemOf } from './setup.ts';

export async function run(args: readonly string[], context: CommandContext): Promise<number> {
  const prepared = await prepareCommand(args, context, { logTo: 'stderr' });
  if (typeof prepared === 'number') {
    return prepared;
  }
  const { config, log } = prepared;
  const chunks: Buffer[] = [];
  for await (const chunk of context.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  const input = userFromCommand(args, Buffer.concat(chunks).toString('utf8'));
  if ('problems' in input) {
    context.stderr.write(`user add: ${input.problems.join('; ')}\n`);
    return 2;
  }
  const storage = await connectDatabase(config, log);
  try {
    const user = await createUser(storage.db, input.user);
    context.stdout.write(`${JSON.stringify(user)}\n`);
    return 0;
  } catch (error) {
    context.stderr.write(`user add: ${problemOf(error)}\n`);
    return 1;
  } finally {
    await closeStorage(storage);
  }
}

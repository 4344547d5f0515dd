/** `hashwatt apikey create --farm ID --label TEXT`: a farm agent's key, printed once. */
import { parseArgs } from 'node:util';
import { createApiKey } from '../accounts/api-keys.ts';
import { getFarm } from '../farms/farms.ts';
import { closeStorage, connectDatabase } from '../roles/storage.ts';
import type { CommandContext } from './context.ts';
import { prepareCommand, problemOf } from './setup.ts';

export async function run(args: readonly string[], context: CommandContext): Promise<number> {
  const prepared = await prepareCommand(args, context, { logTo: 'stderr' });
  if (typeof prepared === 'number') {
    return prepared;
  }
  const { config, log } = prepared;
  const { values } = parseArgs({
    args: [...args],
    options: { farm: { type: 'string' }, label: { type: 'string' }, config: { type: 'string' } },
    strict: true,
  });
  if (
    values.farm === undefined ||
    !/^[1-9][0-9]{0,17}$/.test(values.farm) ||
    values.label === undefined ||
    values.label === ''
  ) {
    context.stderr.write('apikey create: --farm takes a farm id and --label a name for the key\n');
    return 2;
  }
  const storage = await connectDatabase(config, log);
  try {
    await getFarm(storage.db, values.farm);
    const created = await createApiKey(storage.db, values.farm, values.label);
    context.stdout.write(`${created.key}\n`);
    return 0;
  } catch (error) {
    context.stderr.write(`apikey create: ${problemOf(error)} (farm ${values.farm})\n`);
    return 1;
  } finally {
    await closeStorage(storage);
  }
}

/** `hashwatt account register --name NAME --address ADDRESS`: a named account miners may mine as. */
import { parseArgs } from 'node:util';
import { registerAccount } from '../ledger/registered-accounts.ts';
import { closeStorage, connectDatabase } from '../roles/storage.ts';
import { isAccountName } from '../stratum/worker-identity.ts';
import { minerPayoutScript } from '../work/address.ts';
import type { CommandContext } from './context.ts';
import { prepareCommand } from './setup.ts';

export async function run(args: readonly string[], context: CommandContext): Promise<number> {
  const prepared = await prepareCommand(args, context, { logTo: 'stderr' });
  if (typeof prepared === 'number') {
    return prepared;
  }
  const { config, log } = prepared;
  const { values } = parseArgs({
    args: [...args],
    options: { name: { type: 'string' }, address: { type: 'string' }, config: { type: 'string' } },
    strict: true,
  });
  const { name = '', address = '' } = values;
  if (!isAccountName(name)) {
    context.stderr.write('account register: --name takes 1 to 64 letters, digits and hyphens\n');
    return 2;
  }
  const payout = minerPayoutScript(address, config.chain);
  if (!payout.ok) {
    context.stderr.write(`account register: ${payout.message}\n`);
    return 2;
  }
  const storage = await connectDatabase(config, log);
  try {
    await registerAccount(storage.db, name, address);
    context.stdout.write(`${name} registered, paid at ${address}: miners connect as ${name}.<worker>\n`);
    return 0;
  } finally {
    await closeStorage(storage);
  }
}

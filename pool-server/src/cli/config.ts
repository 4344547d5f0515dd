/** `hashwatt config check`: validates a configuration and says what it will run. */
import type { Config } from '../config.ts';
import type { CommandContext } from './context.ts';
import { commandConfig } from './setup.ts';

function describeConfig(config: Config): string {
  return [
    'configuration OK',
    `  chain ${config.chain}; node ${config.node.rpcUrl ?? 'devchain (embedded)'}`,
    `  database ${config.database.url === undefined ? `embedded, ${config.dataDir}/postgres` : 'configured (database.url)'}`,
    `  roles ${config.roles.join(', ')}; shares ${config.nats.url === undefined ? 'stored directly' : `through NATS ${config.nats.url}, stream ${config.nats.stream}`}`,
    `  stratum ${config.stratum.host}:${String(config.stratum.port)}; api ${config.api.enabled ? `${config.api.host}:${String(config.api.port)}` : 'off'}`,
    '',
  ].join('\n');
}

export function run(args: readonly string[], context: CommandContext): Promise<number> {
  const config = commandConfig(args, context);
  if (config === undefined) {
    return Promise.resolve(2);
  }
  context.stdout.write(describeConfig(config));
  return Promise.resolve(0);
}

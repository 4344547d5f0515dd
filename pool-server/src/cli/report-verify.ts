/**
 * `hashwatt report verify FILE [--server URL] [--public-key K] [--signature S]`: exit 0
 * when the pool issued the file and its signature holds, 1 when not, 2 when it cannot tell.
 */
import { checkArguments, checkReportFile } from '../farms/reports/verify-file.ts';
import type { CommandContext } from './context.ts';
import { prepareCommand, problemOf } from './setup.ts';

export async function run(args: readonly string[], context: CommandContext): Promise<number> {
  // It only reads the file and asks the pool: dataDir is not its to change.
  const prepared = await prepareCommand(args, context, { logTo: 'stderr', keepDataDir: true });
  if (typeof prepared === 'number') {
    return prepared;
  }
  const { config } = prepared;
  const parsed = checkArguments(args, `http://${config.api.host}:${String(config.api.port)}`);
  if (typeof parsed === 'string') {
    context.stderr.write(`report verify: ${parsed}\n`);
    return 2;
  }
  try {
    const result = await checkReportFile(parsed.file, parsed.options);
    context.stdout.write(`${result.message}\n`);
    return result.ok ? 0 : 1;
  } catch (error) {
    context.stderr.write(`report verify: ${problemOf(error)}\n`);
    return 2;
  }
}

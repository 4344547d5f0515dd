/**
 * What every command (and the pool) does before its own work: the configuration read
 * and checked, the process's log, dataDir made private.
 */
import cluster from 'node:cluster';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { createLogger, type LogDestination } from '../logging.ts';
import { privateDataDir } from '../roles/storage.ts';
import type { CommandContext, CommandOutput } from './context.ts';

/** The configuration from the context's environment and `--config FILE`; undefined (said why on stderr) when it is invalid. */
export function commandConfig(args: readonly string[], context: CommandContext): Config | undefined {
  try {
    const fileFlag = args.indexOf('--config');
    return loadConfig(context.env, fileFlag === -1 ? undefined : args[fileFlag + 1]);
  } catch (error) {
    context.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    return undefined;
  }
}

/** The program's own streams are written by file descriptor, as pino writes fastest; a test's as they are. */
function destinationOf(output: CommandOutput): LogDestination {
  if (output === process.stdout) {
    return 1;
  }
  if (output === process.stderr) {
    return 2;
  }
  return {
    write(line) {
      output.write(line);
    },
  };
}

/** The process's log: every command's and the pool's. */
export function createProcessLog(config: Config, output: CommandOutput): Logger {
  return createLogger(
    {
      level: config.logLevel,
      base: { service: 'hashwatt', ...(cluster.isWorker && { nodeId: config.stratum.nodeId }) },
    },
    destinationOf(output),
    config.logFormat === 'auto' ? undefined : config.logFormat,
  );
}

/**
 * The configuration, the log (on `logTo`) and, unless `keepDataDir`, dataDir made
 * private; or the exit status when one of them fails: 2 for the configuration, 1 for dataDir.
 */
export async function prepareCommand(
  args: readonly string[],
  context: CommandContext,
  options: { readonly logTo: 'stdout' | 'stderr'; readonly keepDataDir?: boolean },
): Promise<{ readonly config: Config; readonly log: Logger } | number> {
  const config = commandConfig(args, context);
  if (config === undefined) {
    return 2;
  }
  const log = createProcessLog(config, options.logTo === 'stdout' ? context.stdout : context.stderr);
  context.adoptLog?.(log);
  if (options.keepDataDir !== true && !(await privateDataDir(config, log))) {
    return 1;
  }
  return { config, log };
}

/** `error`'s message, as the commands print it. */
export function problemOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

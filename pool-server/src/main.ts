/**
 * The composition root: reads the configuration and starts the roles it names
 * (roles/). The one-shot commands are cli/'s; only the command table is loaded before
 * a command is known, so `hashwatt --help` loads nothing of the pool.
 */
import cluster from 'node:cluster';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { commandOf, processContext, runCommand } from './cli/index.ts';
import type { RunningPool } from './roles/pool.ts';

/**
 * The last resort: every socket, stream and connection handles its own errors; one that
 * does not is a bug, reported as such rather than as a bare stack trace.
 */
function exitOnUnhandled(log: Logger): void {
  const lastResort = (kind: string) => (error: unknown) => {
    log.fatal({ err: error }, `process: ${kind} nobody handled (a bug); exiting`);
    process.exit(1);
  };
  process.on('uncaughtException', lastResort('an error'));
  process.on('unhandledRejection', lastResort('a rejected promise'));
}

/** `hashwatt [pool]`: the pool in the roles its configuration names, until a signal stops it. */
async function runPool(args: readonly string[]): Promise<void> {
  // One after another, never in parallel: @bitcoinerlab/secp256k1 is CommonJS and
  // require()s @noble/curves, an ES module the Stratum V2 code imports too, and Node
  // refuses that require() while a concurrent import() is still loading it.
  const { prepareCommand } = await import('./cli/setup.ts');
  const { start } = await import('./roles/pool.ts');
  const { serveForPrimary, watchPrimary } = await import('./roles/stratum-process.ts');
  const { startDemo } = await import('./roles/banner.ts');
  const context = processContext(process.env, (log) => {
    exitOnUnhandled(log);
    if (cluster.isWorker) {
      watchPrimary(log);
    }
  });
  // The pool only logs: its log goes to standard output.
  const prepared = await prepareCommand(args, context, { logTo: 'stdout' });
  if (typeof prepared === 'number') {
    process.exit(prepared);
  }
  const { config, log } = prepared;
  // A signal during start-up is heard too: the stop waits for the start, then runs.
  let requested: string | undefined;
  let shutdown = (signal: string): void => {
    requested ??= signal;
  };
  if (!cluster.isWorker) {
    process.on('SIGINT', () => {
      shutdown('SIGINT');
    });
    process.on('SIGTERM', () => {
      shutdown('SIGTERM');
    });
  }
  let pool: RunningPool;
  try {
    pool = await start(config, log);
  } catch (error) {
    log.fatal({ err: error }, error instanceof Error ? error.message : 'start-up failed');
    process.exit(1);
  }
  if (cluster.isWorker) {
    // A Stratum process stops when the primary says so, or when the primary is gone.
    serveForPrimary(pool);
    return;
  }
  const demo = requested === undefined ? await startDemo(config, pool, log) : undefined;
  let stopping = false;
  shutdown = (signal: string): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    log.info({ signal }, 'pool: stopping; miners are asked to reconnect');
    setTimeout(() => {
      log.error(
        { seconds: config.stopTimeoutSeconds },
        'pool: not stopped within stopTimeoutSeconds; exiting anyway',
      );
      process.exit(1);
    }, config.stopTimeoutSeconds * 1000).unref();
    (demo?.stop() ?? Promise.resolve())
      .then(() => pool.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, 'pool: unclean stop');
          process.exit(1);
        },
      );
  };
  if (requested !== undefined) {
    shutdown(requested);
  }
}

/** The `hashwatt` command line: bin/hashwatt.js calls it, as does running this file. */
export async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { name, rest } = commandOf(argv);
  if (name === 'pool' && !rest.includes('--help') && !rest.includes('-h')) {
    await runPool(rest);
    return;
  }
  // The one-shot commands exit with their status; exiting also ends what the pool's modules left open.
  process.exit(await runCommand(argv, processContext(process.env, exitOnUnhandled)));
}

// Run when started as a program (or forked as a Stratum process); tests start roles/pool.ts instead.
if (
  cluster.isWorker ||
  (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
) {
  await main();
}

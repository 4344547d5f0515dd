/**
 * The keeper of `pnpm start`'s embedded PostgreSQL: a process in a group of its own,
 * so that a terminal's Ctrl-C reaches the pool and not the database. The pool stops it
 * ('stop') once its last shares are written; if the pool dies instead, the keeper sees
 * its channel close and stops the database all the same.
 */
import { startEmbeddedDatabase } from './embedded.ts';
import type { KeeperMessage } from './keeper-message.ts';

const [directory = '', port = '0'] = process.argv.slice(2);
/** Tells the pool; if the pool is gone already (its channel closed), `gone` runs, as on 'disconnect'. */
const send = (message: KeeperMessage, gone: () => void): void => {
  process.send?.(message, (error: Error | null) => {
    if (error) {
      gone();
    }
  });
};

try {
  const database = await startEmbeddedDatabase(directory, Number(port));
  let stopping: Promise<void> | undefined;
  const stop = (): void => {
    stopping ??= database.stop().finally(() => process.exit(0));
  };
  process.on('message', (message) => {
    if (message === 'stop') {
      stop();
    }
  });
  process.on('disconnect', stop);
  // Signals meant for the pool's terminal are the pool's to act on.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', stop);
  send(
    {
      kind: 'ready',
      url: database.url,
      foldersOpened: database.foldersOpened,
      passwordChanged: database.passwordChanged,
      passwordFile: database.passwordFile,
    },
    stop,
  );
} catch (error) {
  const exit = (): never => process.exit(1);
  send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }, exit);
  exit();
}

/**
 * Where the pool keeps its state: the database (configured, or the embedded one under
 * dataDir) and the files of dataDir.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { makeDataDirPrivate } from '../data-dir.ts';
import { startKeptDatabase, type RunningDatabase } from '../db/embedded.ts';
import { migrate } from '../db/migrate.ts';
import { createDatabase, type Database } from '../db/pool.ts';

export interface Storage {
  readonly db: Database;
  readonly url: string;
  readonly embedded: RunningDatabase | undefined;
}

function embeddedDatabaseDir(config: Config): string {
  return path.join(config.dataDir, 'postgres');
}

/**
 * dataDir and what is in it, made the pool's alone before anything is written there;
 * false (after a fatal log line) when it cannot be.
 */
export async function privateDataDir(config: Config, log: Logger): Promise<boolean> {
  try {
    const fixes = await makeDataDirPrivate(config.dataDir, [embeddedDatabaseDir(config)]);
    if (fixes.length > 0) {
      log.warn(
        { fixes },
        'dataDir: others could read or write these; made private (folders 0700, files 0600)',
      );
    }
    return true;
  } catch (error) {
    log.fatal({ dataDir: config.dataDir }, `dataDir: cannot make it private: ${(error as Error).message}`);
    return false;
  }
}

/** The configured database, or the embedded one under dataDir; migrated either way. */
export async function connectDatabase(config: Config, log: Logger): Promise<Storage> {
  let url = config.database.url;
  let embedded: RunningDatabase | undefined;
  if (url === undefined) {
    embedded = await startKeptDatabase(embeddedDatabaseDir(config), config.database.embeddedPort);
    url = embedded.url;
    log.warn(
      { port: embedded.port, dataDir: config.dataDir },
      'db: no database.url configured, running an embedded PostgreSQL',
    );
    if (embedded.foldersOpened.length > 0) {
      log.warn(
        { folders: embedded.foldersOpened },
        'db: running as root, so PostgreSQL runs as its own user; these folders were given search permission (o+x) for it to reach its binaries',
      );
    }
    if (embedded.passwordChanged) {
      log.warn(
        { passwordFile: embedded.passwordFile },
        'db: the embedded PostgreSQL took the former fixed password postgres/postgres; it now has a random one, kept in passwordFile',
      );
    }
  }
  const db = createDatabase(url, (error) => {
    // The message and code say it; the error object drags the whole client along.
    log.warn(
      { problem: error.message, code: (error as { code?: string }).code },
      'db: a pooled connection failed',
    );
  });
  const report = await migrate(db, { timescale: config.database.timescale });
  const { status, summary } = report.timescaleState;
  // Not preloaded or not updated is a setting to fix; absent or off is a choice.
  log[status === 'not-preloaded' || status === 'outdated' ? 'warn' : 'info'](
    { timescale: status },
    `db: ${summary}`,
  );
  log.info({ applied: report.applied, timescale: report.timescale }, 'db: migrated');
  return { db, url, embedded };
}

/** Its connections ended, then the embedded database (if it runs one) stopped. */
export async function closeStorage(storage: Storage | undefined): Promise<void> {
  await storage?.db.end();
  await storage?.embedded?.stop();
}

/** The key that seals alert subscriptions' secrets: the configured file, or one in dataDir. */
export function alertSecretKeyFile(config: Config): string {
  return config.alerts.secretKeyFile ?? path.join(config.dataDir, 'alert-secret.key');
}

/** The report signing key's file: the configured one, or one in dataDir. */
export function signingKeyFile(config: Config): string {
  return config.reports.signingKeyFile ?? path.join(config.dataDir, 'report-signing-key.pem');
}

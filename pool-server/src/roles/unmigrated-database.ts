/**
 * The database for a command that must leave its schema as it is (backup reads it as it
 * stands, restore needs it empty): the configured one, or the embedded one under
 * dataDir, the running pool's when it runs, otherwise started for the command.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../config.ts';
import { startKeptDatabase } from '../db/embedded.ts';

export interface DatabaseServer {
  readonly url: string;
  /** Whose database it is: the configuration's, the running pool's embedded one, or one started here. */
  readonly origin: 'configured' | 'embedded, running' | 'embedded, started';
  /** Stops the embedded database if it was started here; nothing otherwise. */
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export async function unmigratedDatabase(config: Config): Promise<DatabaseServer> {
  if (config.database.url !== undefined) {
    return { url: config.database.url, origin: 'configured', stop: () => Promise.resolve() };
  }
  // The layout of roles/storage.ts and db/embedded.ts: dataDir/postgres, its password beside it.
  const directory = path.join(config.dataDir, 'postgres');
  const port = String(config.database.embeddedPort);
  const password = await readFile(`${directory}-password`, 'utf8').catch(() => undefined);
  if (password !== undefined) {
    const url = `postgres://postgres:${password.trim()}@127.0.0.1:${port}/postgres`;
    if (await answers(url)) {
      return { url, origin: 'embedded, running', stop: () => Promise.resolve() };
    }
  }
  const started = await startKeptDatabase(directory, config.database.embeddedPort);
  return { url: started.url, origin: 'embedded, started', stop: () => started.stop() };
}

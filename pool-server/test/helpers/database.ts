/**
 * A database of its own for one test file, on the server global-setup.ts provides,
 * migrated unless asked not to be; dropped when the file is done.
 */
import { inject } from 'vitest';
import { scratchDatabase, type ScratchDatabase } from './postgres.ts';

export type TestDatabase = ScratchDatabase;

/** `migrated: false` leaves it empty, for tests of the migrations themselves. */
export function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  return scratchDatabase(inject('databaseUrl'), 'hashwatt_test', options);
}

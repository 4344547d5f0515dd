/**
 * Starts: `hashwatt alerts key rotate` in this process, as an operator types it, on a real
 * PostgreSQL database and a data folder of the test's own holding the alert secret key.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganisation } from '../../src/accounts/organisations.ts';
import { createUser } from '../../src/accounts/users.ts';
import { AlertSecretKeys } from '../../src/alerts/secret-keys.ts';
import { createSubscription } from '../../src/alerts/subscriptions.ts';
import { hashwatt } from '../helpers/command-line.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

describe('hashwatt alerts key rotate', () => {
  let database: TestDatabase;
  let directory: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    directory = mkdtempSync(path.join(tmpdir(), 'hashwatt-alerts-key-'));
  });
  afterAll(async () => {
    await database.drop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('makes a new key, keeps the old one beside it, and seals every secret again under the new one', async () => {
    const file = path.join(directory, 'alert-secret.key');
    const before = AlertSecretKeys.open(file);
    const organisation = await createOrganisation(database.db, 'Key Co');
    const user = await createUser(database.db, {
      email: 'ops@key.test',
      name: 'Ops',
      password: 'a password long enough',
      role: 'operator',
      organisationId: organisation.id,
    });
    const made = await createSubscription(
      database.db,
      { channel: 'webhook', target: 'https://hooks.example.org/pool', rules: ['block-found'] },
      { organisationId: organisation.id },
      user.id,
      before,
    );
    const run = await hashwatt(['alerts', 'key', 'rotate'], {
      HASHWATT_DATABASE_URL: database.url,
      HASHWATT_DATA_DIR: directory,
      HASHWATT_LOG_LEVEL: 'warn',
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const after = AlertSecretKeys.open(file);
    expect(after.currentId).not.toBe(before.currentId);
    expect(run.stdout).toContain(`new alert secret key ${after.currentId} in ${file}`);
    expect(run.stdout).toContain(`the old key is kept as ${file}.retired-${before.currentId}`);
    expect(run.stdout).toContain('1 subscription secrets sealed under the new key');
    expect(existsSync(`${file}.retired-${before.currentId}`)).toBe(true);
    const { rows } = await database.db.query<{ sealed_secret: string }>(
      'SELECT sealed_secret FROM alert_subscriptions WHERE id = $1',
      [made.subscription.id],
    );
    const sealed = rows[0]?.sealed_secret ?? '';
    expect(sealed.split('.')[1]).toBe(after.currentId);
    expect(after.open(sealed, made.subscription.id)).toBe(made.webhookSecret);
  });
});

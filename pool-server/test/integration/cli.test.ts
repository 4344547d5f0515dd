/**
 * Starts: `hashwatt`'s commands in this process, each as an operator types it, as
 * bin/hashwatt.js runs them, on a real PostgreSQL database, the report issued checked
 * offline by `hashwatt report verify`; and the program itself (pool-server/bin/hashwatt.js)
 * as child processes, for its exit status and its two output streams.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Report } from '@hashwatt/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findApiKey } from '../../src/accounts/api-keys.ts';
import { createOrganisation } from '../../src/accounts/organisations.ts';
import { createUser } from '../../src/accounts/users.ts';
import { createFarm } from '../../src/farms/farms.ts';
import { COMMANDS } from '../../src/cli/index.ts';
import { hashwatt as inProcess, hashwattProgram, type CommandRun } from '../helpers/command-line.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

describe('the hashwatt command line', () => {
  let database: TestDatabase;
  let directory: string;
  let farmId: string;

  /** A command on the test's database and data folder, logging warnings only. */
  function hashwatt(args: readonly string[], environment: Record<string, string> = {}): Promise<CommandRun> {
    return inProcess(args, {
      HASHWATT_DATABASE_URL: database.url,
      HASHWATT_DATA_DIR: directory,
      HASHWATT_LOG_LEVEL: 'warn',
      ...environment,
    });
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    directory = mkdtempSync(path.join(tmpdir(), 'hashwatt-cli-'));
    const organisation = await createOrganisation(database.db, 'CLI Co');
    farmId = (await createFarm(database.db, organisation.id, 'CLI Farm')).id;
    await createUser(database.db, {
      email: 'ops@cli.test',
      name: 'Ops',
      password: 'a password long enough',
      role: 'admin',
    });
  });

  afterAll(async () => {
    await database.drop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('lists its commands, and explains each one with --help', async () => {
    const overview = await hashwatt(['--help']);
    expect(overview.code).toBe(0);
    for (const command of COMMANDS) {
      expect(overview.stdout).toContain(command.name);
    }
    // The agent prints its own help, as the program shows below.
    for (const command of COMMANDS.filter((command) => command.name !== 'agent')) {
      const help = await hashwatt([...command.name.split(' '), '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^usage: hashwatt /);
    }
    const unknown = await hashwatt(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });

  it('is a program: help on stdout, a wrong command on stderr, the status its exit code', async () => {
    const [overview, agent, unknown] = await Promise.all([
      hashwattProgram(['--help']),
      hashwattProgram(['agent', '--help']),
      hashwattProgram(['frobnicate']),
    ]);
    expect(overview).toMatchObject({ code: 0, stderr: '' });
    expect(overview.stdout).toMatch(/^usage: hashwatt <command>/);
    expect(agent).toMatchObject({ code: 0, stderr: '' });
    expect(agent.stdout).toContain('hashwatt-agent run');
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });

  it('checks a configuration, listing every problem at once', async () => {
    const bad = path.join(directory, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ stratum: { port: 70_000 }, api: { port: 'eighty' }, nonsense: true }),
    );
    const refused = await hashwatt(['config', 'check', '--config', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('stratum.port');
    expect(refused.stderr).toContain('api.port');
    expect(refused.stderr).toContain('nonsense: no such setting');
    const good = await hashwatt(['config', 'check'], { HASHWATT_STRATUM_PORT: '4444' });
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('configuration OK');
    expect(good.stdout).toContain(':4444');
  });

  it("makes a farm agent's key, printed once and working", async () => {
    const made = await hashwatt(['apikey', 'create', '--farm', farmId, '--label', 'hall agent']);
    expect(made.code, made.stderr).toBe(0);
    const key = made.stdout.trim();
    expect(key).toMatch(/^hwk_/);
    expect(await findApiKey(database.db, key)).toMatchObject({ farmId });
    const missing = await hashwatt(['apikey', 'create', '--farm', '999999', '--label', 'x']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('farm 999999');
    expect((await hashwatt(['apikey', 'create', '--label', 'x'])).code).toBe(2);
  });

  /** `hashwatt report generate` of the farm's October 2026 as CSV, by the operator, into `out`. */
  const generateCsv = (language: string, out: string): string[] => [
    'report',
    'generate',
    '--farm',
    farmId,
    '--month',
    '2026-10',
    '--language',
    language,
    '--format',
    'csv',
    '--as',
    'ops@cli.test',
    '--out',
    out,
  ];

  it('issues a report into a file that verifies offline, and refuses a changed one', async () => {
    const out = path.join(directory, 'report.csv');
    const issued = await hashwatt(generateCsv('ru', out));
    expect(issued.code, issued.stderr).toBe(0);
    const report = JSON.parse(issued.stdout) as Report;
    const file = readFileSync(out);
    expect(createHash('sha256').update(file).digest('hex')).toBe(report.sha256);
    expect(file.toString('utf8')).toContain('Отчёт о потреблении электроэнергии и добыче');
    const offline = ['--public-key', report.publicKey, '--signature', report.signature];
    expect((await hashwatt(['report', 'verify', out, ...offline])).code).toBe(0);
    writeFileSync(out, Buffer.concat([file, Buffer.from('\r\n')]));
    const changed = await hashwatt(['report', 'verify', out, ...offline]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain('NOT VERIFIED');
    const wrong = await hashwatt([
      'report',
      'generate',
      '--farm',
      farmId,
      '--language',
      'de',
      '--format',
      'doc',
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--language is en, fa or ru; --format is pdf, csv or json; --as .*; --out/);
  });

  it('shows and rotates the report signing key; a report issued before still verifies offline', async () => {
    const out = path.join(directory, 'before.csv');
    const generate = generateCsv('en', out);
    const before = await hashwatt(generate);
    expect(before.code, before.stderr).toBe(0);
    const report = JSON.parse(before.stdout) as Report;
    const shown = await hashwatt(['report', 'key', 'show']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`fingerprint ${report.keyFingerprint}`);
    expect(shown.stdout).toContain(`public key ${report.publicKey}`);
    const rotated = await hashwatt(['report', 'key', 'rotate']);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain(`retired key ${report.keyFingerprint}`);
    const after = await hashwatt(['report', 'key', 'show']);
    expect(after.stdout).not.toContain(report.keyFingerprint);
    const pinned = ['--fingerprint', report.keyFingerprint, '--public-key', report.publicKey];
    expect((await hashwatt(['report', 'verify', out, ...pinned])).code).toBe(2);
    const offline = ['--public-key', report.publicKey, '--signature', report.signature];
    expect((await hashwatt(['report', 'verify', out, ...offline])).code).toBe(0);
    const next = await hashwatt(generate);
    expect(next.code, next.stderr).toBe(0);
    expect((JSON.parse(next.stdout) as Report).keyFingerprint).not.toBe(report.keyFingerprint);
  });

  it('refuses to issue when the key file is gone but the registry holds a key', async () => {
    rmSync(path.join(directory, 'report-signing-key.pem'));
    const refused = await hashwatt(generateCsv('en', path.join(directory, 'never.csv')));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${path.join(directory, 'report-signing-key.pem')} is missing`);
    expect(refused.stderr).toContain('hashwatt report key rotate');
  });
});

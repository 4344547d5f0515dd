/**
 * `hashwatt backup` and `hashwatt restore` (run in this process) on a real PostgreSQL:
 * a database filled through the ledger and the report code, and a dataDir with a share
 * journal the database does not hold yet, backed up once and restored into a fresh
 * database; then the backups that must be refused.
 */
import { generateKeyPairSync } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganisation } from '../../src/accounts/organisations.ts';
import { createUser } from '../../src/accounts/users.ts';
import { signWebhook, verifyWebhook } from '../../src/alerts/deliveries/webhook.ts';
import { AlertSecretKeys } from '../../src/alerts/secret-keys.ts';
import { createSubscription } from '../../src/alerts/subscriptions.ts';
import { signManifest, type BackupManifest } from '../../src/backup/manifest.ts';
import { BitcoinRpcClient } from '../../src/chain/rpc-client.ts';
import { loadConfig } from '../../src/config.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createDatabase } from '../../src/db/pool.ts';
import { createFarm } from '../../src/farms/farms.ts';
import { issueReport, verifyDigest } from '../../src/farms/reports/issued-reports.ts';
import { openSigningKey } from '../../src/farms/reports/key-registry.ts';
import { digestSigned, readSigningKey, signerFromKey } from '../../src/farms/reports/signing.ts';
import { BlockJournal } from '../../src/ledger/blocks/block-journal.ts';
import { BlockLedger } from '../../src/ledger/blocks/block-ledger.ts';
import { PendingBlocks } from '../../src/ledger/blocks/pending-blocks.ts';
import { Payouts } from '../../src/ledger/payouts.ts';
import { ShareJournal } from '../../src/ledger/share-journal.ts';
import { ShareStore, type ShareRecord } from '../../src/ledger/share-store.ts';
import { ShareWriter } from '../../src/ledger/share-writer.ts';
import { noiseKeyFiles, openNoiseIdentity } from '../../src/stratum/v2/noise-keys.ts';
import { hashwatt } from '../helpers/command-line.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { createWriter, numberedShare } from '../helpers/share-writer.ts';

const log = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 10, 20, 12);
const ADDRESS = 'bcrt1qqyqszqgpqyqszqgpqyqszqgpqyqszqgpvxat9t';
/** The tables a restore must bring back row for row. */
const TABLES = [
  'accounts',
  'shares',
  'share_batches',
  'share_rollups_minute',
  'blocks',
  'ledger_entries',
  'balances',
  'payouts',
  'payout_items',
  'reports',
  'report_signing_keys',
];
/** Shares the journal holds and the database does not: the restored pool must store them. */
const JOURNALLED = 7;

function share(account: string, offsetMs: number): ShareRecord {
  return {
    timeMs: T0 + offsetMs,
    account,
    worker: `${account}.rig`,
    payoutAddress: ADDRESS,
    difficulty: 64,
    achieved: 100 + offsetMs,
    height: 500,
    block: false,
    solo: false,
    networkDifficulty: 100,
    subsidy: 312_500_000,
    fees: 10_000_000,
  };
}

/** `work` on a connection of its own to `url`, ended afterwards. */
async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Each table's row count and a digest of its rows in a fixed order. */
function tableDigests(url: string): Promise<Record<string, string>> {
  return withClient(url, async (client) => {
    const digests: Record<string, string> = {};
    for (const table of TABLES) {
      const { rows } = await client.query<{ n: string; digest: string | null }>(
        `SELECT count(*)::text AS n, md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS digest FROM ${table} t`,
      );
      digests[table] = `${rows[0]?.n ?? ''} ${rows[0]?.digest ?? ''}`;
    }
    return digests;
  });
}

/** One number a query answers, as text in column n. */
async function numberOf(url: string, sql: string): Promise<number> {
  return withClient(url, async (client) => Number((await client.query<{ n: string }>(sql)).rows[0]?.n));
}

/** Tables, views and sequences in a database: 0 when a refused restore left it as it was. */
function relations(url: string): Promise<number> {
  return numberOf(
    url,
    "SELECT count(*)::text AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'",
  );
}

/** The server's major version, as pg_dump must match it. */
async function serverMajor(url: string): Promise<number> {
  return Math.floor((await numberOf(url, "SELECT current_setting('server_version_num') AS n")) / 10_000);
}

/** Where the configuration puts Stratum V2's key files by default: in dataDir. */
function sv2Files(dataDir: string): ReturnType<typeof noiseKeyFiles> {
  return noiseKeyFiles(loadConfig({ HASHWATT_DATA_DIR: dataDir }));
}

describe('hashwatt backup and restore', () => {
  let source: TestDatabase;
  let work: string;
  let dataDir: string;
  let fingerprint: string;
  let backupDir: string;
  let reportDigest: Buffer;
  let sourceDigests: Record<string, string>;
  /** A webhook subscription's signing secret, sealed in the database under dataDir's alert key. */
  let webhook: { readonly id: string; readonly secret: string };

  beforeAll(async () => {
    source = await createTestDatabase();
    work = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-backup-'));
    dataDir = path.join(work, 'data');
    const db = source.db;
    const signer = await openSigningKey(db, path.join(dataDir, 'report-signing-key.pem'), log, T0);
    fingerprint = signer.fingerprint;
    // Stratum V2's Noise keys, as a first start makes them in dataDir.
    openNoiseIdentity(sv2Files(dataDir), {
      pinnedAuthority: undefined,
      certificateDays: 365,
      nowSeconds: Math.floor(Date.now() / 1000),
      log,
    });
    // Shares and the books: a PPLNS block credited and matured, then a payout written down.
    await new ShareStore(db).store({
      id: '00000000-0000-4000-8000-00000000000b',
      nodeId: 0,
      shares: [share('alice', 0), share('bob', 1_000), share('alice', 2_000), share('carol', 3_000)],
      rejects: [],
    });
    const ledger = new BlockLedger(db, { scheme: 'pplns', feeBasisPoints: 100, pplnsWindowFactor: 2 }, log);
    await ledger.record({
      height: 500,
      hash: 'aa'.repeat(32),
      reward: 322_500_000n,
      fees: 10_000_000n,
      networkDifficulty: 100,
      finder: { account: 'alice', worker: 'alice.rig' },
      solo: false,
      foundAtMs: T0 + 60_000,
      status: 'accepted',
      detail: 'accepted',
    });
    const [pending] = await ledger.pending();
    await ledger.mature(pending ?? ({} as never), 101);
    // prepare() only writes the intent down; the node is never asked.
    const rpc = new BitcoinRpcClient({
      url: 'http://127.0.0.1:9/',
      auth: { user: 'u', password: 'p' },
      timeoutMs: 1_000,
      retries: 0,
      retryDelayMs: 10,
    });
    expect(
      await new Payouts(db, rpc, { thresholdSats: 1_000n, maxRecipients: 10 }, log).prepare(10n ** 15n),
    ).toBeDefined();
    // A report issued and signed.
    const organisation = await createOrganisation(db, 'Backup Co');
    const farm = await createFarm(db, organisation.id, 'Hall B');
    const operator = await createUser(db, {
      email: 'ops@backup.example',
      name: 'ops',
      password: 'a password long enough',
      role: 'operator',
      organisationId: organisation.id,
    });
    const subscribed = await createSubscription(
      db,
      { channel: 'webhook', target: 'https://hooks.example.org/pool', rules: ['block-found'] },
      { organisationId: organisation.id },
      operator.id,
      AlertSecretKeys.open(path.join(dataDir, 'alert-secret.key')),
    );
    webhook = { id: subscribed.subscription.id, secret: subscribed.webhookSecret ?? '' };
    const report = await issueReport(
      db,
      signer,
      {
        scope: { kind: 'farm', farmId: farm.id },
        period: { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' },
        language: 'en',
        format: 'csv',
        issuedBy: operator.id,
      },
      T0,
    );
    reportDigest = Buffer.from(report.sha256, 'hex');
    // Shares a miner was told are accepted while the database was away: only in the journal.
    const away = new URL(source.url);
    away.pathname = '/hashwatt_no_such_database';
    const awayDb = createDatabase(away.toString(), () => undefined);
    const journalled = new ShareWriter(
      new ShareStore(awayDb),
      new ShareJournal({
        directory: path.join(dataDir, 'journal', 'node-1'),
        fsync: 'never',
        fsyncIntervalMs: 1_000,
        onFlushError(error) {
          throw error;
        },
      }),
      {
        nodeId: 1,
        flushIntervalMs: 60_000,
        maxBatchShares: 1_000,
        degradedFlushIntervalMs: 60_000,
        retryIntervalMs: 3_600_000,
      },
      log,
    );
    await journalled.start();
    for (let n = 0; n < JOURNALLED; n++) {
      journalled.addShare(numberedShare(n));
    }
    expect(journalled.commit()).toBe(true);
    await journalled.close();
    expect(journalled.healthy).toBe(false);
    await awayDb.end();
    // A found block in the block journal, and one still waiting for the node.
    const found = {
      height: 501,
      hash: 'bb'.repeat(32),
      reward: 312_500_000n,
      fees: 0n,
      networkDifficulty: 100,
      finder: { account: 'bob', worker: 'bob.rig' },
      solo: false,
      foundAtMs: T0 + 120_000,
    };
    await new BlockJournal(path.join(dataDir, 'blocks.jsonl')).record({
      ...found,
      status: 'unknown',
      detail: 'timeout',
    });
    await new PendingBlocks(path.join(dataDir, 'blocks-pending', 'node-1')).add({
      block: found,
      blockHex: '00',
    });
    sourceDigests = await tableDigests(source.url);

    const made = await hashwatt(['backup', '--out', path.join(work, 'backups')], {
      HASHWATT_DATABASE_URL: source.url,
      HASHWATT_DATA_DIR: dataDir,
      HASHWATT_LOG_LEVEL: 'error',
    });
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    const [name] = await readdir(path.join(work, 'backups'));
    backupDir = path.join(work, 'backups', name ?? '');
    expect(made.stdout).toContain(backupDir);
    expect(made.stdout).toContain(`--fingerprint ${fingerprint}`);
  });

  afterAll(async () => {
    await source.drop();
    await rm(work, { recursive: true, force: true });
  });

  it('writes a folder only its owner can read, every file 0600, named in a signed manifest', async () => {
    expect((await stat(backupDir)).mode & 0o777).toBe(0o700);
    const manifest = JSON.parse(
      await readFile(path.join(backupDir, 'manifest.json'), 'utf8'),
    ) as BackupManifest;
    expect(manifest.members.map((member) => member.kind).sort()).toEqual([
      'alert-secret-key',
      'block-journal',
      'database',
      'pending-block',
      'share-journal',
      'signing-key',
      'sv2-authority-key',
      'sv2-certificate',
      'sv2-static-key',
    ]);
    expect(manifest.signingKey.fingerprint).toBe(fingerprint);
    expect(manifest.schemaMigration?.name).toMatch(/^\d{4}_/);
    expect(manifest.database.pgDumpMajor).toBeGreaterThanOrEqual(manifest.database.serverMajor);
    for (const file of [...manifest.members.map((member) => member.path), 'manifest.json', 'manifest.sig']) {
      expect({ file, mode: (await stat(path.join(backupDir, file))).mode & 0o777 }).toEqual({
        file,
        mode: 0o600,
      });
    }
  });

  it('restores every share, ledger entry and report into a fresh database; the report verifies under the restored key', async () => {
    const target = await createTestDatabase({ migrated: false });
    const restoredDir = path.join(work, 'restored');
    try {
      const restored = await hashwatt(
        ['restore', backupDir, '--into', target.url, '--fingerprint', fingerprint],
        {
          HASHWATT_DATA_DIR: restoredDir,
          HASHWATT_LOG_LEVEL: 'error',
        },
      );
      expect(restored.stderr).toBe('');
      expect(restored.code).toBe(0);
      expect(restored.stdout).toContain('shares 4,');
      expect(await tableDigests(target.url)).toEqual(sourceDigests);
      // The key is back, private, and the restored registry vouches for the report it signed.
      const keyFile = path.join(restoredDir, 'report-signing-key.pem');
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      const key = readSigningKey(keyFile);
      expect(key.kind === 'key' && key.signer.fingerprint).toBe(fingerprint);
      const verification = await verifyDigest(target.db, reportDigest);
      expect(verification).toMatchObject({ valid: true, problem: null });
      expect(
        key.kind === 'key' &&
          digestSigned(
            reportDigest,
            Buffer.from(verification.report.signature, 'base64'),
            key.signer.publicKey,
          ),
      ).toBe(true);
      expect(await openSigningKey(target.db, keyFile, log, Date.now())).toMatchObject({ fingerprint });
      // The Stratum V2 keys are back where the configuration puts them, private, the same bytes.
      const restoredSv2 = sv2Files(restoredDir);
      for (const file of ['staticKeyFile', 'certificateFile', 'authorityKeyFile'] as const) {
        expect(await readFile(restoredSv2[file])).toEqual(await readFile(sv2Files(dataDir)[file]));
        expect((await stat(restoredSv2[file])).mode & 0o777).toBe(0o600);
      }
      // The alert key is back too: the restored pool opens the webhook's secret and signs with it.
      const alertKey = path.join(restoredDir, 'alert-secret.key');
      expect(await readFile(alertKey)).toEqual(await readFile(path.join(dataDir, 'alert-secret.key')));
      expect((await stat(alertKey)).mode & 0o777).toBe(0o600);
      const sealed = await target.db.query<{ sealed_secret: string }>(
        'SELECT sealed_secret FROM alert_subscriptions WHERE id = $1',
        [webhook.id],
      );
      const opened = AlertSecretKeys.open(alertKey).open(sealed.rows[0]?.sealed_secret ?? '', webhook.id);
      const at = String(Math.floor(Date.now() / 1000));
      expect(
        verifyWebhook({
          secret: webhook.secret,
          timestamp: at,
          signature: signWebhook(opened, at, '{"alert":1}'),
          body: '{"alert":1}',
          nowMs: Date.now(),
        }),
      ).toBe(true);
      // The schema is the pool's own: migrating it again applies nothing.
      expect((await migrate(target.db)).applied).toEqual([]);
      // The journalled shares are stored by the restored pool's writer, once.
      expect(await readFile(path.join(restoredDir, 'blocks.jsonl'), 'utf8')).toContain('bb'.repeat(32));
      expect(await readdir(path.join(restoredDir, 'blocks-pending', 'node-1'))).toEqual([
        `${'bb'.repeat(32)}.json`,
      ]);
      const writer = createWriter(target.db, path.join(restoredDir, 'journal', 'node-1'));
      await writer.start();
      await writer.close();
      expect(writer.stored).toBe(JOURNALLED);
      const { rows } = await target.db.query<{ n: string }>('SELECT count(*)::text AS n FROM shares');
      expect(Number(rows[0]?.n)).toBe(4 + JOURNALLED);
    } finally {
      await target.drop();
    }
  });

  it('refuses a damaged, truncated or forged backup, and one no trusted key signed, changing nothing', async () => {
    const target = await createTestDatabase({ migrated: false });
    const into = path.join(work, 'refused');
    const attempt = async (
      backup: string,
      pinned: string | null = fingerprint,
    ): Promise<{ code: number; stderr: string }> =>
      hashwatt(
        ['restore', backup, '--into', target.url, ...(pinned === null ? [] : ['--fingerprint', pinned])],
        {
          HASHWATT_DATA_DIR: into,
          HASHWATT_LOG_LEVEL: 'error',
        },
      );
    const variant = async (name: string, damage: (dir: string) => Promise<void>): Promise<string> => {
      const dir = path.join(work, name);
      await cp(backupDir, dir, { recursive: true });
      await damage(dir);
      return dir;
    };
    try {
      const flipped = await variant('flipped', async (dir) => {
        const dump = await readFile(path.join(dir, 'database.dump'));
        const middle = dump.length >> 1;
        dump.writeUInt8(dump.readUInt8(middle) ^ 0xff, middle);
        await writeFile(path.join(dir, 'database.dump'), dump);
      });
      const flippedRun = await attempt(flipped);
      expect(flippedRun.code).toBe(1);
      expect(flippedRun.stderr).toContain('database.dump does not have the SHA-256 the manifest gives');
      const [journalFile] = await readdir(path.join(backupDir, 'journal', 'node-1'));
      const truncated = await variant('truncated', (dir) =>
        truncate(path.join(dir, 'journal', 'node-1', journalFile ?? ''), 10),
      );
      expect((await attempt(truncated)).stderr).toMatch(
        /journal-\d+\.ndjson is 10 bytes, the manifest says \d+: the backup is truncated/,
      );
      // A member swapped and the manifest edited to match: the signature no longer holds.
      const edited = await variant('edited', async (dir) => {
        const file = path.join(dir, 'manifest.json');
        await writeFile(
          file,
          (await readFile(file, 'utf8')).replace('"poolVersion": "', '"poolVersion": "9'),
        );
      });
      expect((await attempt(edited)).stderr).toContain('the manifest was changed after the backup was made');
      // Signed again by a key of the forger's own: not the pool's.
      const stranger = signerFromKey(generateKeyPairSync('ed25519').privateKey);
      const forged = await variant('forged', async (dir) => {
        const manifest = JSON.parse(
          await readFile(path.join(dir, 'manifest.json'), 'utf8'),
        ) as BackupManifest;
        const signed = signManifest(
          {
            ...manifest,
            signingKey: {
              fingerprint: stranger.fingerprint,
              publicKey: stranger.publicKey.toString('base64'),
            },
          },
          stranger,
        );
        await writeFile(path.join(dir, 'manifest.json'), signed.bytes);
        await writeFile(path.join(dir, 'manifest.sig'), signed.signature);
      });
      expect((await attempt(forged)).stderr).toContain(
        `signed by report key ${stranger.fingerprint}, not by the pool's`,
      );
      // No pinned fingerprint and no key here to vouch for it.
      expect((await attempt(backupDir, null)).stderr).toContain(
        `nothing here says that key is the pool's: check it against the fingerprint`,
      );
      expect(await relations(target.url)).toBe(0);
      await expect(stat(into)).resolves.toBeDefined();
      expect(await readdir(into)).toEqual([]);
    } finally {
      await target.drop();
    }
  });

  it("refuses to put the backup's Stratum V2 key over another, unless --force, which keeps the other beside it", async () => {
    const target = await createTestDatabase({ migrated: false });
    const elsewhere = path.join(work, 'other-sv2');
    const files = sv2Files(elsewhere);
    openNoiseIdentity(files, {
      pinnedAuthority: undefined,
      certificateDays: 365,
      nowSeconds: Math.floor(Date.now() / 1000),
      log,
    });
    const theirs = await readFile(files.staticKeyFile);
    const settings = { HASHWATT_DATA_DIR: elsewhere, HASHWATT_LOG_LEVEL: 'error' };
    try {
      const refused = await hashwatt(
        ['restore', backupDir, '--into', target.url, '--fingerprint', fingerprint],
        settings,
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`${files.staticKeyFile} holds another key than the backup's`);
      expect(await relations(target.url)).toBe(0);
      expect(await readFile(files.staticKeyFile)).toEqual(theirs);
      const forced = await hashwatt(
        ['restore', backupDir, '--into', target.url, '--fingerprint', fingerprint, '--force'],
        settings,
      );
      expect(forced.stderr).toBe('');
      expect(await readFile(files.staticKeyFile)).toEqual(await readFile(sv2Files(dataDir).staticKeyFile));
      const kept = (await readdir(elsewhere)).filter((name) =>
        name.startsWith('sv2-static-key.pem.before-restore-'),
      );
      expect(kept).toHaveLength(1);
      expect(await readFile(path.join(elsewhere, kept[0] ?? ''))).toEqual(theirs);
    } finally {
      await target.drop();
    }
  });

  it('refuses a database that is not empty, unless --force, which replaces it', async () => {
    const refused = await hashwatt(
      ['restore', backupDir, '--into', source.url, '--fingerprint', fingerprint],
      {
        HASHWATT_DATA_DIR: path.join(work, 'not-empty'),
        HASHWATT_LOG_LEVEL: 'error',
      },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /the database to restore into is not empty \(\d+ tables, views and sequences, schema at \d{4}_/,
    );
    expect(await tableDigests(source.url)).toEqual(sourceDigests);
    // A database of its own with a table in it, and no one connected: --force drops and restores it.
    const server = new URL(source.url);
    const name = `${server.pathname.slice(1)}_force`;
    const admin = new pg.Client({ connectionString: source.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    server.pathname = `/${name}`;
    const occupied = new pg.Client({ connectionString: server.toString() });
    await occupied.connect();
    await occupied.query('CREATE TABLE leftover (n integer)');
    await occupied.end();
    try {
      const forced = await hashwatt(
        ['restore', backupDir, '--into', server.toString(), '--fingerprint', fingerprint, '--force'],
        { HASHWATT_DATA_DIR: path.join(work, 'forced'), HASHWATT_LOG_LEVEL: 'error' },
      );
      expect(forced.stderr).toBe('');
      expect(forced.stdout).toContain('replacing what was there');
      expect(await tableDigests(server.toString())).toEqual(sourceDigests);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('names every pg_dump it looked at when none fits, and leaves no backup behind', async () => {
    const out = path.join(work, 'no-tools');
    const run = await hashwatt(['backup', '--out', out, '--pg-bin', path.join(work, 'no-such-bin')], {
      HASHWATT_DATABASE_URL: source.url,
      HASHWATT_DATA_DIR: dataDir,
      HASHWATT_LOG_LEVEL: 'error',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `backup: no pg_dump of PostgreSQL ${String(await serverMajor(source.url))} or newer: looked at ${path.join(work, 'no-such-bin', 'pg_dump')} (none)`,
    );
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });
});

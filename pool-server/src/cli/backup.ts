/**
 * `hashwatt backup --out DIR`: the database (pg_dump's custom format), the report signing
 * keys and the journals, in one signed folder (backup/ does the work; restore.ts puts it
 * back). The pool may be running: pg_dump reads one consistent snapshot.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { makeBackup } from '../backup/archive.ts';
import type { Destination } from '../backup/data-files.ts';
import type { Config } from '../config.ts';
import { alertSecretKeyFile, signingKeyFile } from '../roles/storage.ts';
import { noiseKeyFiles } from '../stratum/v2/noise-keys.ts';
import { unmigratedDatabase, type DatabaseServer } from '../roles/unmigrated-database.ts';
import type { CommandContext } from './context.ts';
import { prepareCommand, problemOf } from './setup.ts';

export function destinationOf(config: Config): Destination {
  return {
    dataDir: config.dataDir,
    signingKeyFile: signingKeyFile(config),
    alertSecretKeyFile: alertSecretKeyFile(config),
    sv2: noiseKeyFiles(config),
  };
}

/** Which of Stratum V2's key files the backup holds, in words. */
function sv2Keys(count: (kind: string) => number): string {
  const held = [
    count('sv2-static-key') === 1 ? 'the static key' : undefined,
    count('sv2-certificate') === 1 ? 'its certificate' : undefined,
    count('sv2-authority-key') === 1 ? 'the authority key' : undefined,
  ].filter((part) => part !== undefined);
  return held.length === 0 ? 'no Noise keys (none made yet)' : held.join(', ');
}

/** @hashwatt/pool-server's version, from its package.json (beside src/ and dist/ alike). */
function poolVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

/** What `parse` returns, or undefined after saying on stderr why the arguments were refused. */
export function parsed<T>(command: string, context: CommandContext, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    context.stderr.write(`${command}: ${problemOf(error)}\n`);
    return undefined;
  }
}

export async function run(args: readonly string[], context: CommandContext): Promise<number> {
  const options = parsed('backup', context, () =>
    parseArgs({
      args: [...args],
      options: { out: { type: 'string' }, 'pg-bin': { type: 'string' }, config: { type: 'string' } },
      strict: true,
    }),
  );
  if (options === undefined) {
    return 2;
  }
  const { out, 'pg-bin': pgBinDir } = options.values;
  if (out === undefined || out === '') {
    context.stderr.write('backup: --out DIR names the folder the backup is made in\n');
    return 2;
  }
  const prepared = await prepareCommand(args, context, { logTo: 'stderr' });
  if (typeof prepared === 'number') {
    return prepared;
  }
  const { config } = prepared;
  let database: DatabaseServer | undefined;
  try {
    database = await unmigratedDatabase(config);
    const made = await makeBackup({
      databaseUrl: database.url,
      destination: destinationOf(config),
      outDir: path.resolve(out),
      ...(pgBinDir !== undefined && { pgBinDir }),
      poolVersion: poolVersion(),
      environment: context.env,
      nowMs: Date.now(),
    });
    const { manifest } = made;
    const { origin } = database;
    const count = (kind: string): number => manifest.members.filter((member) => member.kind === kind).length;
    context.stdout.write(
      [
        made.directory,
        `  database    PostgreSQL ${manifest.database.serverVersion} (${origin}), schema at ${manifest.schemaMigration?.name ?? '(none)'}, dumped by pg_dump ${manifest.database.pgDumpVersion}`,
        `  keys        report signing key ${manifest.signingKey.fingerprint}, ${String(count('retired-signing-key'))} retired`,
        `  alerts      ${count('alert-secret-key') === 1 ? "the key sealing subscriptions' secrets" : 'no alert secret key (none made yet)'}, ${String(count('retired-alert-secret-key'))} retired`,
        `  stratum v2  ${sv2Keys(count)}`,
        `  journals    ${String(count('share-journal'))} share journal files, ${count('block-journal') === 1 ? 'the block journal' : 'no block journal'}, ${String(count('pending-block'))} pending blocks`,
        `  signed by   ${manifest.signingKey.fingerprint}: restore with --fingerprint ${manifest.signingKey.fingerprint} on a machine without this key`,
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    context.stderr.write(`backup: ${problemOf(error)}\n`);
    return 1;
  } finally {
    await database?.stop();
  }
}

/**
 * `hashwatt restore BACKUP [--into URL] [--force] [--fingerprint HEX]`: a backup made by
 * `hashwatt backup` checked whole, then the database restored into an empty one and
 * dataDir's files put back without losing what is there.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { localKeyFingerprints, restoreBackup, type Restored } from '../backup/archive.ts';
import { unmigratedDatabase, type DatabaseServer } from '../roles/unmigrated-database.ts';
import { destinationOf, parsed } from './backup.ts';
import type { CommandContext } from './context.ts';
import { prepareCommand, problemOf } from './setup.ts';

const FINGERPRINT = /^[0-9a-f]{64}$/;

function restoredText(restored: Restored, into: string): string {
  const { manifest, placements, rows } = restored;
  const counted = Object.entries(rows)
    .map(([table, count]) => `${table} ${count === null ? '(no table)' : String(count)}`)
    .join(', ');
  return [
    `restored the backup of ${manifest.createdAt} (pool ${manifest.poolVersion}, schema at ${manifest.schemaMigration?.name ?? '(none)'})`,
    `  database    into ${into}${restored.replacedDatabase ? ', replacing what was there' : ''}, by ${restored.pgRestore}: ${counted}`,
    ...placements.map((placement) => `  ${placement.outcome.padEnd(11)} ${placement.to}`),
    'start the pool: it migrates the schema if this pool is newer, and stores the journalled shares the database lacks',
    '',
  ].join('\n');
}

/** A URL without its password: what is printed of the database restored into. */
function shownUrl(url: string): string {
  const parsedUrl = new URL(url);
  if (parsedUrl.password !== '') {
    parsedUrl.password = '***';
  }
  return parsedUrl.toString();
}

export async function run(args: readonly string[], context: CommandContext): Promise<number> {
  const options = parsed('restore', context, () =>
    parseArgs({
      args: [...args],
      options: {
        into: { type: 'string' },
        force: { type: 'boolean', default: false },
        fingerprint: { type: 'string' },
        'pg-bin': { type: 'string' },
        config: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (options === undefined) {
    return 2;
  }
  const { into, force, fingerprint, 'pg-bin': pgBinDir } = options.values;
  const [directory, ...extra] = options.positionals;
  if (directory === undefined || extra.length > 0) {
    context.stderr.write('restore: name one backup folder (hashwatt-backup-…)\n');
    return 2;
  }
  if (fingerprint !== undefined && !FINGERPRINT.test(fingerprint)) {
    context.stderr.write('restore: --fingerprint takes the 64 hex digits of a report key fingerprint\n');
    return 2;
  }
  if (into !== undefined && !/^postgres(ql)?:\/\//.test(into)) {
    context.stderr.write('restore: --into takes a postgres:// URL\n');
    return 2;
  }
  const prepared = await prepareCommand(args, context, { logTo: 'stderr' });
  if (typeof prepared === 'number') {
    return prepared;
  }
  const { config } = prepared;
  const destination = destinationOf(config);
  let database: DatabaseServer | undefined;
  try {
    database = into === undefined ? await unmigratedDatabase(config) : undefined;
    if (database?.origin === 'embedded, running') {
      context.stderr.write('restore: the pool is running on the embedded database: stop it first\n');
      return 1;
    }
    const url = into ?? database?.url ?? '';
    const restored = await restoreBackup({
      directory: path.resolve(directory),
      databaseUrl: url,
      destination,
      trusted: fingerprint === undefined ? await localKeyFingerprints(destination) : [fingerprint],
      force,
      environment: context.env,
      ...(pgBinDir !== undefined && { pgBinDir }),
      nowMs: Date.now(),
    });
    context.stdout.write(restoredText(restored, shownUrl(url)));
    return 0;
  } catch (error) {
    context.stderr.write(`restore: ${problemOf(error)}\n`);
    return 1;
  } finally {
    await database?.stop();
  }
}

